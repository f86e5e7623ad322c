import DequeModule

// MARK: - The discrete-event engine

/// The engine's state and event handlers; `Engine` is its public face.
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
    var physical: Int32
    var rows: Int32
    var columns: Int32
    var readFraction: Double
    var batch: UInt64      // cycles to convert its columns once
    var lookup: UInt64     // sparsity-table lookup before driving [cycles]
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

  /// Sums over activations: rows driven, fraction of the array read, columns converted, table
  /// lookups and values routed through tables (each per input bit where it applies).
  struct Activity {
    var rows = 0.0, readFraction = 0.0, converted = 0.0, lookups = 0.0, routed = 0.0, adcEnergyPJ = 0.0
  }

  struct StageState {
    var spec: Placement.Stage
    var isMatrix: Bool
    var windowsY: Int, windowsX: Int
    var outputsPerWindowY = 1, outputsPerWindowX = 1
    var stepY = 1, stepX = 1, padding = 0, extentY = 1, extentX = 1
    var capacity: Int
    var nextWindow = 0, oldest = 0, completed = 0
    /// Per window slot: crossbars not yet started, when the started ones are done, whether written.
    var remaining: [Int32]
    var windowDone: [UInt64] = []
    var isDone: [Bool]
    /// Windows of the whole run: `perImage` x images, in image order.
    var windows = 0
    /// Whether the stage writes network outputs (no consumers): it marks when images complete.
    var isSink = false
    /// Whether the stage pools (folding each input into running results as it arrives).
    var isPooling = false
    /// Per image, windows a sink stage has written.
    var writtenInImage: [Int32] = []
    /// Buffer groups holding this stage's outputs, one per destination tile.
    var groups: [Int] = []
    /// Destination tiles and their reading consumer edges, when no consumer is replicated;
    /// otherwise those of the windows in flight, worked out when they issue.
    var fixedDestinations: (tiles: [Int], readers: [UInt64])?
    var destinationCache: [(window: Int, tiles: [Int], readers: [UInt64])?] = []
    /// Bits this stage moved over the off-chip links (its spilled outputs, its inputs read back).
    var spilledBits = 0
    /// The current stall: why, and since when.
    var stalled: (StallReason, UInt64)?
    var stallInputCycles: UInt64 = 0, stallOutputCycles: UInt64 = 0
    /// Copies of the stage's crossbars; window w runs on copy `w % copies.count` (round-robin).
    var copies: [CopyState] = []
    var reduceOps: UInt64 = 0
    var outputBits = 0
    var outputValues = 0
    var psumBits = 0
    var digitalCycles: UInt64 = 0
    var digitalOps: Double = 0
    var digitalAction: Action = .maxPoolOp
    var digitalInputBits = 0
    var rescale: Rescale = .none
    var producers: [Int] = []
    var consumers: [Int] = []
    var outstanding = 0
    var isFinished = false
    var firstStart = UInt64.max, lastEnd: UInt64 = 0
    var arrayStart = UInt64.max, arrayEnd: UInt64 = 0
    var counts = ActionCounts()
    /// Busy time of the stage's crossbars (first drive to last latch) and ADC groups [cycles].
    var crossbarBusy: UInt64 = 0, adcBusy: UInt64 = 0
    /// Sums over the stage's activations, for its action counts.
    var activity = Activity()
    /// Windows of one image.
    var perImage: Int { windowsY * windowsX }
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
    var readFree: UInt64 = 0
    var holdFree: UInt64 = 0
    /// Busy time of its reads and its ADC group [cycles], and columns it converted per input bit.
    var readBusy: UInt64 = 0, convertBusy: UInt64 = 0, converted: UInt64 = 0
    var isWakePending = false
    var queue = Deque<(stage: Int32, window: Int32, local: Int32)>()
  }

  // Static configuration.
  let spec: ArchSpec
  let layout: NetworkLayout
  let placement: Placement
  let options: SimulationOptions
  /// Copies of each layer (1 for layers without weights).
  let replicas: [Int]
  let readCycles: UInt64, inputCycles: Int, shiftAddLatency: UInt64 = 1
  let bufferLatency: UInt64, flitCycles: UInt64, hopCycles: UInt64
  let meshWidth: Int
  /// Partial sums carry twice the output width (ISAAC's 16-bit sums of 8-bit values) until the
  /// final reduction rounds them.
  var psumBitsPerValue: Int { 2 * spec.data.outputBits }

  // State.
  var queue = EventQueue<Event>()
  var stages: [StageState] = []
  var edges: [EdgeState] = []
  var crossbarStates: [CrossbarState]
  /// Per tile: the eDRAM buffer port, the shift-and-add unit, the max-pool unit.
  var buffers: [Server], shiftAdds: [Server], maxPools: [Server]
  /// ADCs shared by `ima.adc.crossbarsPerADC` crossbars (empty when each crossbar has its own).
  var sharedADCs: [Server]
  /// Per router, its output ports (`portsPerRouter`: four mesh directions and the local port).
  var links: [Server]
  /// The off-chip links, as one server of their combined bandwidth.
  var offChipLink = Server()
  let offChipLatency: UInt64
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
  let sampleInterval: UInt64
  var nextSample: UInt64 = 0
  var sampledBusy: [UInt64], sampledOccupancy: [Int]
  var round = 0
  var roundStages: [[Int]] = []
  var firstUnfinished: [Int] = []
  var programmingCycles: UInt64 = 0
  var roundEnd: UInt64 = 0
  /// Per image, when its last network output was written.
  var imageDone: [UInt64]
  /// Crossbar activations started so far.
  var activationsStarted = 0
  /// Crossbar activations finished so far.
  var activationsFinished = 0
  /// Optional trace sink; with none configured tracing costs one branch.
  public var trace: ChromeTrace?

  /// Builds an engine for `layout` on `spec`; throws if it does not fit (see `Placement`).
  init(spec: ArchSpec, layout: NetworkLayout, options: SimulationOptions = .init()) throws {
    self.spec = spec; self.layout = layout; self.options = options
    guard (1...1_000_000).contains(options.images) else { throw InputError("--images \(options.images): must be in 1...1000000") }
    imageDone = Array(repeating: 0, count: options.images)
    replicas = try options.replication.factors(for: layout, spec: spec)
    placement = try Placement.place(layout, spec: spec, allowRounds: options.allowRounds,
                                    singleArray: options.singleArrayPerLayer, replicas: replicas)
    let clock = spec.clock
    readCycles = clock.cycles(ns: spec.ima.crossbar.readLatencyNs).count
    guard readCycles > 0 else { throw InputError("ima.crossbar.readLatencyNs rounds to 0 cycles at clockGHz \(spec.clockGHz)") }
    inputCycles = spec.inputCycles
    bufferLatency = clock.cycles(ns: spec.tile.buffer.accessLatencyNs).count
    flitCycles = max(1, clock.cycles(ns: spec.tile.router.flitLatencyNs).count)
    hopCycles = clock.cycles(ns: spec.tile.router.hopLatencyNs).count
    let routers = (spec.chip.tiles + spec.chip.tilesPerRouter - 1) / spec.chip.tilesPerRouter
    var w = 1
    while w * w < routers { w += 1 }
    meshWidth = w
    crossbarStates = Array(repeating: CrossbarState(), count: spec.crossbarsPerChip)
    buffers = Array(repeating: Server(), count: spec.chip.tiles)
    sharedADCs = Array(repeating: Server(), count: spec.ima.adc.crossbarsPerADC > 1 ? spec.chip.tiles * spec.tile.imas * spec.ima.adc.count(crossbars: spec.ima.crossbars) : 0)
    shiftAdds = buffers
    maxPools = buffers
    links = Array(repeating: Server(), count: routers * Self.portsPerRouter)
    offChipLatency = clock.cycles(ns: spec.chip.hyperTransport.accessLatencyNs).count
    occupancy = Array(repeating: 0, count: spec.chip.tiles)
    peakOccupancy = occupancy
    waiters = Array(repeating: [], count: spec.chip.tiles)
    tileGroups = waiters
    sampleInterval = max(1, clock.cycles(ns: options.traceSampleNs).count)
    sampledBusy = Array(repeating: 0, count: spec.chip.tiles)
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
      queue.schedule(.roundStart(round: 0), at: Cycle(programmingTime(round: 0)))
    }
    while true {
      let next: (time: Cycle, payload: Event)?
      if let limit { next = queue.pop(notAfter: limit) } else { next = queue.pop() }
      if let (time, event) = next {
        if trace != nil { sample(upTo: time.value) }
        handle(event, at: time.value)
        continue
      }
      // No event left but stages unfinished: producers stuck on full buffers spill, or it stops.
      guard queue.isEmpty, stages.contains(where: { !$0.isFinished }), resolveDeadlock(now: queue.now.value) else { break }
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
    let c = crossbarStates[id]
    return c.readFree > queue.now.value || !c.queue.isEmpty
  }

  mutating func programmingTime(round r: Int) -> UInt64 {
    guard placement.rounds > 1 else { return 0 }
    var maxRows = 0
    for si in roundStages[r] where stages[si].isMatrix {
      for c in stages[si].copies {
        for x in c.crossbars { maxRows = max(maxRows, Int(x.rows)) }
        stages[si].counts[.crossbarRowWrite] += c.crossbars.reduce(0) { $0 + Double($1.rows) }
      }
    }
    let t = spec.clock.cycles(ns: Double(maxRows) * spec.ima.crossbar.writeLatencyPerRowNs).count
    programmingCycles += t
    return t
  }

  mutating func handle(_ event: Event, at now: UInt64) {
    switch event {
    case .roundStart(let r):
      round = Int(r)
      for s in roundStages[round] { tryIssue(s, now: now) }
    case .inputReady(let s, let w, let u):
      inputReady(stage: Int(s), window: Int(w), unit: Int(u), now: now)
    case .wake(let x):
      crossbarStates[Int(x)].isWakePending = false
      startNext(crossbar: Int(x), now: now)
    case .windowComputed(let s, let w):
      let si = Int(s)
      if stages[si].isMatrix { activationsFinished += stages[si].copies[Int(w) % stages[si].copies.count].crossbars.count }
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
}
