import DequeModule

// MARK: - The discrete-event engine

/// The engine's state and event handlers; `Engine` is its public face.
///
/// State is kept apart by what changes it: each stage's configuration (`StageConfig`, fixed once
/// set up), its progress through its windows (`StageProgress`) and its statistics (`StageStats`);
/// the chip's contended resources live in one `ResourceSet`.
struct EngineCore {
  enum Event {
    case inputReady(stage: Int32, window: Int32, unit: Int32)
    case wake(crossbar: Int32)
    case windowComputed(stage: Int32, window: Int32)
    case reduce(stage: Int32, window: Int32)
    case write(stage: Int32, window: Int32)
    case written(stage: Int32, window: Int32)
    // Tile and reader mask in 16 bits each keep a queue entry at 32 bytes (the pop is memory-bound).
    case arrived(stage: Int32, window: Int32, tile: UInt16, readers: UInt16)
    case landed(stage: Int32, window: Int32, tile: UInt16, readers: UInt16)
    case roundStart(round: Int32)
    case retry(tile: Int32)
  }

  struct CrossbarInfo {
    var physical: CrossbarID
    var rows: Int32
    var columns: Int32
    var readFraction: Double
    var batch: Cycles      // time to convert its columns once (one input bit)
    var lookup: Cycles     // sparsity-table lookup before driving
    var hasTable: Bool
    var converted: Int32   // columns converted (all-zero columns skip their conversions)
    var routed: Double     // values routed through an index table per activation
    var adcBits: Int32     // resolution of its conversions
    var tableBits: Double  // bits of its index table (read once per activation)
    var adcEnergyPJ: Double  // energy of converting its columns once [pJ]
  }

  struct FetchUnit {
    var tile: Int
    var bits: Int
    var crossbars: [Int32]   // indices into the stage's crossbar infos
  }

  /// One copy of a stage's crossbars (a replica), with what its windows fetch and send.
  struct CopyState {
    /// Tile whose buffer collects the copy's outputs.
    var home: Int
    /// Tiles holding the copy's crossbars.
    var tiles: [Int]
    var crossbars: [CrossbarInfo] = []
    var units: [FetchUnit] = []
    var remote: [(tile: Int, bits: Int)] = []
  }

  struct EdgeState {
    var producer: Int, consumer: Int
    var tiles: [Int]
    /// Per producer window: tiles it has reached, and tiles it must reach.
    var arrivals: [UInt16]
    var expected: [UInt16]
    var isDelivered: [Bool]
    var prefix = 0
    /// Producer windows below this one are no longer read by the consumer.
    var freedBefore = 0
    var isFlatten: Bool
    var offsetY = 0, offsetX = 0
    var producerHeight = 1, producerWidth = 1
  }

  struct CrossbarState {
    var readFree = Cycle.zero
    var holdFree = Cycle.zero
    /// Busy time of its reads and its ADC group, and columns it converted per input bit.
    var readBusy = Cycles.zero, convertBusy = Cycles.zero, converted: UInt64 = 0
    var isWakePending = false
    var queue = Deque<(stage: Int32, window: Int32, local: Int32)>()
  }

  /// What the run never changes, behind one reference: the handlers are mutating and call
  /// non-mutating helpers, which take `self` by value, so the core stays small.
  final class Fixed: Sendable {
    let spec: ArchSpec
    let layout: NetworkLayout
    let placement: Placement
    let options: SimulationOptions
    let timing: EngineTiming
    /// Copies of each layer (1 for layers without weights).
    let replicas: [Int]
    let mesh: Mesh

    init(spec: ArchSpec, layout: NetworkLayout, placement: Placement, options: SimulationOptions, timing: EngineTiming,
         replicas: [Int], mesh: Mesh) {
      self.spec = spec; self.layout = layout; self.placement = placement; self.options = options; self.timing = timing
      self.replicas = replicas; self.mesh = mesh
    }
  }

  // Static configuration.
  let fixed: Fixed
  @inline(__always) var spec: ArchSpec { fixed.spec }
  @inline(__always) var layout: NetworkLayout { fixed.layout }
  @inline(__always) var placement: Placement { fixed.placement }
  @inline(__always) var options: SimulationOptions { fixed.options }
  @inline(__always) var timing: EngineTiming { fixed.timing }
  @inline(__always) var replicas: [Int] { fixed.replicas }
  /// Partial sums carry twice the output width (ISAAC's 16-bit sums of 8-bit values) until the
  /// final reduction rounds them.
  var psumBitsPerValue: Int { 2 * spec.data.outputBits }

  // Stages: what each is, how far it has got, what it has counted.
  var config: [StageConfig] = []
  var progress: [StageProgress] = []
  var stats: [StageStats] = []
  var edges: [EdgeState] = []

  // State.
  var queue = EventQueue<Event>()
  var crossbarStates: CrossbarStates
  /// Buffer ports, tile units, shared ADCs, router ports and the off-chip links.
  var resources: ResourceSet
  /// Whether crossbars share ADCs (`ima.adc.crossbarsPerADC` > 1).
  let sharesADCs: Bool
  /// Buffer groups (producer windows held on a tile), and per tile the bits held, the most ever
  /// held, and the producers waiting for room.
  var groups: [BufferGroup] = []
  var occupancy: [Int], peakOccupancy: [Int]
  var waiters: [[Int]]
  /// Per tile, the buffer groups it holds and whether a retry event is pending; per stage, the
  /// stages it depends on.
  var tileGroups: [[Int]]
  var isWakeScheduled: [Bool]
  var ancestors: [Set<Int>] = []
  /// Whether any window has gone off chip (spill bookkeeping is skipped until one has).
  var hasSpilled = false
  /// Trace counter sampling: tiles in use, the interval, the next sample, what was last emitted.
  var tilesInUse: [Int] = []
  let sampleInterval: Cycles
  var nextSample = Cycle.zero
  var sampledBusy: [Cycles], sampledOccupancy: [Int]
  /// The placement policy used and, when `auto` chose between different plans, why.
  var placementPolicy = PlacementPolicy.ima
  var placementNote: String?
  var round = 0
  var roundStages: [[Int]] = []
  var firstUnfinished: [Int] = []
  var programmingCycles = Cycles.zero
  var roundEnd = Cycle.zero
  /// Per image, when its last network output was written.
  var imageDone: [Cycle]
  /// Crossbar activations started so far.
  var activationsStarted = 0
  /// Crossbar activations finished so far.
  var activationsFinished = 0
  /// Optional trace sink; with none configured tracing costs one branch.
  public var trace: ChromeTrace?

  /// Builds an engine for `layout` on `spec`; throws if it does not fit (see `Placement`).
  init(spec: ArchSpec, layout: NetworkLayout, options: SimulationOptions = .init()) throws {
    guard (1...1_000_000).contains(options.images) else { throw InputError("--images \(options.images): must be in " +
        "1...1000000") }
    imageDone = Array(repeating: .zero, count: options.images)
    let choice = try PlacementChoice.choose(options.placement, layout: layout, spec: spec, options: options)
    let replicas = choice.replicas, placement = choice.placement
    placementNote = choice.note(clock: spec.clock)
    placementPolicy = choice.policy
    let mesh = Mesh(spec), routers = mesh.routers
    fixed = Fixed(spec: spec, layout: layout, placement: placement, options: options, timing: try EngineTiming(spec),
                  replicas: replicas, mesh: mesh)
    crossbarStates = CrossbarStates(count: spec.crossbarsPerChip)
    resources = ResourceSet(spec: spec, routers: routers)
    sharesADCs = resources.count(.sharedADC) > 0
    occupancy = Array(repeating: 0, count: spec.chip.tiles)
    peakOccupancy = occupancy
    waiters = Array(repeating: [], count: spec.chip.tiles)
    tileGroups = waiters
    sampleInterval = max(Cycles(1), spec.clock.cycles(ns: options.traceSampleNs))
    sampledBusy = Array(repeating: .zero, count: spec.chip.tiles)
    sampledOccupancy = occupancy
    isWakeScheduled = Array(repeating: false, count: spec.chip.tiles)
    try buildStages()
    try checkWindowsFit()
    shareBuffers()
  }

  // MARK: - Running

  /// Processes events up to and including cycle `limit` (all of them when nil); returns whether
  /// the run has finished.
  @discardableResult
  public mutating func run(until limit: Cycle? = nil) -> Bool {
    if !isStarted {
      isStarted = true
      queue.schedule(.roundStart(round: 0), at: Cycle.zero + programmingTime(round: 0))
    }
    while true {
      let next: (time: Cycle, payload: Event)?
      if let limit { next = queue.pop(notAfter: limit) } else { next = queue.pop() }
      if let (time, event) = next {
        if trace != nil { sample(upTo: time) }
        handle(event, at: time)
        continue
      }
      // No event left but stages unfinished: producers stuck on full buffers spill, or it stops.
      guard queue.isEmpty, progress.contains(where: { !$0.isFinished }), resolveDeadlock(now: queue.now) else { break }
    }
    return queue.isEmpty
  }
  var isStarted = false

  /// The current simulated time.
  public var now: Cycle { queue.now }
  /// Events processed so far.
  public var eventsProcessed: UInt64 { queue.processed }
  /// Whether crossbar `id` is reading or has activations queued at the current time.
  public func isCrossbarBusy(_ id: Int) -> Bool {
    let c = crossbarStates[CrossbarID(id)]
    return c.readFree > queue.now || !c.queue.isEmpty
  }

  /// Time to program the crossbars of round `r` (none with one round): the most rows any of
  /// them holds, a row at a time.
  mutating func programmingTime(round r: Int) -> Cycles {
    guard placement.rounds > 1 else { return .zero }
    var maxRows = 0
    for si in roundStages[r] where config[si].isMatrix {
      for c in config[si].copies {
        for x in c.crossbars { maxRows = max(maxRows, Int(x.rows)) }
        stats[si].counts[.crossbarRowWrite] += c.crossbars.reduce(0) { $0 + Double($1.rows) }
      }
    }
    let t = spec.clock.cycles(ns: Double(maxRows) * spec.ima.crossbar.writeLatencyPerRowNs)
    programmingCycles += t
    return t
  }

  mutating func handle(_ event: Event, at now: Cycle) {
    switch event {
    case .roundStart(let r):
      round = Int(r)
      for s in roundStages[round] { tryIssue(s, now: now) }
    case .inputReady(let s, let w, let u):
      inputReady(stage: Int(s), window: Int(w), unit: Int(u), now: now)
    case .wake(let x):
      crossbarStates[CrossbarID(raw: x)].isWakePending = false
      startNext(crossbar: CrossbarID(raw: x), now: now)
    case .windowComputed(let s, let w):
      let si = Int(s)
      if config[si].isMatrix {
        activationsFinished += config[si].copies[Int(w) % config[si].copies.count].crossbars.count
      }
      windowComputed(stage: si, window: Int(w), now: now)
    case .reduce(let s, let w):
      reduce(stage: Int(s), window: Int(w), now: now)
    case .write(let s, let w):
      write(stage: Int(s), window: Int(w), now: now)
    case .written(let s, let w):
      written(stage: Int(s), window: Int(w), now: now)
    case .arrived(let s, let w, let t, let r):
      arrived(stage: Int(s), window: Int(w), tile: Int(t), readers: UInt64(r), now: now)
    case .landed(let s, let w, _, let r):
      land(stage: Int(s), window: Int(w), readers: UInt64(r), now: now)
    case .retry(let t):
      retry(tile: Int(t), now: now)
    }
  }

  /// Reserves instance `index` of `kind` for stage `s` and traces the span; returns when it ends.
  @inline(__always)
  mutating func use(_ kind: ResourceKind, _ index: Int, at: Cycle, for duration: Cycles, stage s: Int) -> Cycle {
    let end = resources.reserve(kind, index, at: at, for: duration)
    if trace != nil, let track = resources.track(kind, index) {
      traceSpan(stage: s, track, end: end, duration: duration)
    }
    return end
  }
}
