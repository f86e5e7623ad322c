import DequeModule

// MARK: - The discrete-event engine

/// The engine's state and event handlers; `Engine` is its public face.
struct EngineCore {
  enum Event {
    case inputReady(stage: Int32, window: Int32, unit: Int32)
    case wake(crossbar: Int32)
    case activationDone(stage: Int32, window: Int32)
    case reduce(stage: Int32, window: Int32)
    case write(stage: Int32, window: Int32)
    case written(stage: Int32, window: Int32)
    case arrived(edge: Int32, window: Int32, tile: Int32)
    case delivered(edge: Int32, window: Int32)
    case roundStart(round: Int32)
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
  }

  struct FetchUnit {
    var tile: Int
    var bits: Int
    var crossbars: [Int32]   // indices into the stage's crossbar infos
  }

  struct StageState {
    var spec: Placement.Stage
    var isMatrix: Bool
    var windowsY: Int, windowsX: Int
    var outputsPerWindowY = 1, outputsPerWindowX = 1
    var stepY = 1, stepX = 1, padding = 0, extentY = 1, extentX = 1
    var capacity: Int
    var nextWindow = 0, oldest = 0, completed = 0
    var remaining: [Int32]
    var isDone: [Bool]
    var crossbars: [CrossbarInfo] = []
    var units: [FetchUnit] = []
    var remote: [(tile: Int, bits: Int)] = []
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
    var windows: Int { windowsY * windowsX }
  }

  struct EdgeState {
    var producer: Int, consumer: Int
    var tiles: [Int]
    var arrivals: [UInt16]
    var isDelivered: [Bool]
    var prefix = 0
    var isFlatten: Bool
    var offsetY = 0, offsetX = 0
    var producerHeight = 1, producerWidth = 1
  }

  struct CrossbarState {
    var readFree: UInt64 = 0
    var holdFree: UInt64 = 0
    var isWakePending = false
    var queue = Deque<(stage: Int32, window: Int32, local: Int32)>()
  }

  // Static configuration.
  let spec: ArchSpec
  let layout: NetworkLayout
  let placement: Placement
  let options: SimulationOptions
  let readCycles: UInt64, inputCycles: Int, shiftAddLatency: UInt64 = 1
  let bufferLatency: UInt64, flitCycles: UInt64, hopCycles: UInt64
  let meshWidth: Int

  // State.
  var queue = EventQueue<Event>()
  var stages: [StageState] = []
  var edges: [EdgeState] = []
  var crossbarStates: [CrossbarState]
  var bufferFree: [UInt64], linkFree: [UInt64], tileShiftAddFree: [UInt64], maxPoolFree: [UInt64]
  var round = 0
  var roundStages: [[Int]] = []
  var firstUnfinished: [Int] = []
  var programmingCycles: UInt64 = 0
  var roundEnd: UInt64 = 0
  /// Crossbar activations started so far.
  public private(set) var activationsStarted = 0
  /// Crossbar activations finished so far.
  public private(set) var activationsFinished = 0
  /// Optional trace sink; with none configured tracing costs one branch.
  public var trace: ChromeTrace?

  /// Builds an engine for `layout` on `spec`; throws if it does not fit (see `Placement`).
  init(spec: ArchSpec, layout: NetworkLayout, options: SimulationOptions = .init()) throws {
    self.spec = spec; self.layout = layout; self.options = options
    placement = try Placement.place(layout, spec: spec, allowRounds: options.allowRounds,
                                    singleArray: options.singleArrayPerLayer)
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
    bufferFree = Array(repeating: 0, count: spec.chip.tiles)
    linkFree = Array(repeating: 0, count: routers)
    tileShiftAddFree = bufferFree
    maxPoolFree = bufferFree
    try buildStages()
  }

  // MARK: - Set-up

  /// The outputs a crossbar computes, one key per (output channel, output offset).
  static func outputKeys(_ x: CrossbarTile) -> [Int64] {
    x.columns.filter { $0.slice == 0 && $0.sign > 0 }.map {
      Int64($0.outChannel) << 32 | Int64(UInt16(bitPattern: $0.dy)) << 16 | Int64(UInt16(bitPattern: $0.dx))
    }
  }

  func batchCycles(columns: Int) -> UInt64 {
    let a = spec.ima.adc
    let conversions = (columns + a.countPerCrossbar - 1) / a.countPerCrossbar
    return spec.clock.cycles(ns: Double(conversions) / a.sampleRateGSps).count
  }

  mutating func buildStages() throws {
    let net = layout.network
    let rows = spec.ima.crossbar.rows, cols = spec.ima.crossbar.columns
    let perTile = spec.crossbarsPerTile
    let regBits = spec.ima.inputRegister.sizeBytes * 8
    let psumBitsPerValue = 2 * spec.data.outputBits
    var finalStageOfLayer = Array(repeating: -1, count: net.layers.count)
    var stagesOfLayer = Array(repeating: [Int](), count: net.layers.count)
    for (si, ps) in placement.stages.enumerated() {
      let layer = net.layers[ps.layer]
      if let l = layout.layouts[ps.layer] {
        var s = StageState(spec: ps, isMatrix: true, windowsY: l.windowsY, windowsX: l.windowsX, capacity: 1,
                           remaining: [], isDone: [])
        s.outputsPerWindowY = l.outputsPerWindowY; s.outputsPerWindowX = l.outputsPerWindowX
        s.stepY = l.windowStepY; s.stepX = l.windowStepX; s.padding = l.padding
        (s.extentY, s.extentX) = l.inputExtent
        if case .fullyConnected = layer.operation { s.extentY = 1; s.extentX = 1 }
        var unitIndex: [Int: Int] = [:]   // key: inputGroup * tiles + tile
        var maxRows = 1
        var tileOutputs: [Int: Set<Int64>] = [:]
        for (k, ci) in ps.crossbars.enumerated() {
          let x = l.crossbars[ci]
          let phys = ps.physical[k]
          guard x.rows.count <= rows, x.columns.count <= cols else {
            throw InputError("layer \(layer.name): crossbar \(ci) uses \(x.rows.count)x\(x.columns.count) cells of a \(rows)x\(cols) array")
          }
          maxRows = max(maxRows, x.rows.count)
          let converted = x.columns.count - x.zeroColumns
          s.crossbars.append(CrossbarInfo(
            physical: Int32(phys), rows: Int32(x.rows.count), columns: Int32(x.columns.count),
            readFraction: Double(x.rows.count * x.columns.count) / Double(rows * cols),
            batch: batchCycles(columns: converted),
            lookup: x.tableEntries > 0 ? spec.clock.cycles(ns: spec.sparsityTable.lookupLatencyNs).count : 0,
            hasTable: x.tableEntries > 0, converted: Int32(converted),
            routed: x.tableEntries == 0 ? 0 : Double(x.tableKind == .input ? x.rows.count : x.columns.count)))
          let tile = phys / perTile
          let key = x.inputGroup * spec.chip.tiles + tile
          if let u = unitIndex[key] {
            s.units[u].crossbars.append(Int32(k))
          } else {
            unitIndex[key] = s.units.count
            s.units.append(FetchUnit(tile: tile, bits: x.rows.count * spec.data.inputBits, crossbars: [Int32(k)]))
          }
          tileOutputs[tile, default: []].formUnion(Self.outputKeys(x))
        }
        // Partial sums: each output held by n crossbars needs n - 1 additions.
        var holders: [Int64: Int] = [:]
        for ci in ps.crossbars { for key in Self.outputKeys(l.crossbars[ci]) { holders[key, default: 0] += 1 } }
        let adds = holders.values.reduce(0) { $0 + $1 - 1 }
        let values = holders.count   // output values per window: channels x output offsets
        let lanes = spec.tile.shiftAdd.lanes * spec.tile.shiftAdd.count
        s.reduceOps = UInt64((adds + lanes - 1) / lanes)
        s.outputValues = values
        s.outputBits = s.outputValues * (ps.isFinalChunk ? spec.data.outputBits : psumBitsPerValue)
        s.psumBits = ps.chunk > 0 ? s.outputValues * psumBitsPerValue : 0
        s.rescale = l.rescale
        for t in ps.tiles where t != ps.homeTile {
          s.remote.append((t, (tileOutputs[t]?.count ?? 0) * psumBitsPerValue))
        }
        s.capacity = max(1, regBits / (maxRows * spec.data.inputBits))
        s.remaining = Array(repeating: 0, count: s.capacity)
        s.isDone = Array(repeating: false, count: s.capacity)
        stages.append(s)
      } else {
        let out = layer.outputShape
        var s = StageState(spec: ps, isMatrix: false, windowsY: out.height, windowsX: out.width, capacity: 16,
                           remaining: Array(repeating: 0, count: 16), isDone: Array(repeating: false, count: 16))
        var values = 0
        if case .pool(let p) = layer.operation {
          s.stepY = p.stride; s.stepX = p.stride; s.padding = p.padding; s.extentY = p.kernel; s.extentX = p.kernel
          values = p.kernel * p.kernel * out.channels
          s.digitalAction = .maxPoolOp
          let u = spec.tile.maxPool
          s.digitalCycles = UInt64((values + u.lanes * u.count - 1) / (u.lanes * u.count))
          s.digitalOps = Double((values + u.lanes - 1) / u.lanes)
        } else {
          values = layer.inputs.count * out.channels
          s.digitalAction = .tileShiftAdd
          let u = spec.tile.shiftAdd
          s.digitalCycles = UInt64((values + u.lanes * u.count - 1) / (u.lanes * u.count))
          s.digitalOps = Double((values + u.lanes - 1) / u.lanes)
        }
        s.digitalInputBits = values * spec.data.outputBits
        s.outputValues = out.channels
        s.outputBits = out.channels * spec.data.outputBits
        stages.append(s)
      }
      stagesOfLayer[ps.layer].append(si)
      if ps.isFinalChunk { finalStageOfLayer[ps.layer] = si }
    }
    // Edges: the final stage of each producer feeds every stage of each consumer.
    for (li, layer) in net.layers.enumerated() {
      for p in layer.inputs {
        let ps = finalStageOfLayer[p]
        let produced = net.layers[p].outputShape
        for cs in stagesOfLayer[li] {
          let flatten: Bool
          if case .fullyConnected = layer.operation { flatten = true } else { flatten = produced.channels != layer.inputShape.channels }
          var e = EdgeState(producer: ps, consumer: cs, tiles: stages[cs].spec.tiles,
                            arrivals: Array(repeating: 0, count: stages[ps].windows),
                            isDelivered: Array(repeating: false, count: stages[ps].windows), isFlatten: flatten)
          e.offsetY = max(0, (layer.inputShape.height - produced.height) / 2)
          e.offsetX = max(0, (layer.inputShape.width - produced.width) / 2)
          e.producerHeight = produced.height; e.producerWidth = produced.width
          edges.append(e)
          stages[ps].consumers.append(edges.count - 1)
          stages[cs].producers.append(edges.count - 1)
        }
      }
    }
    roundStages = Array(repeating: [], count: placement.rounds)
    for (i, s) in placement.stages.enumerated() { roundStages[s.round].append(i) }
    firstUnfinished = Array(repeating: 0, count: placement.rounds)
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
      guard let (time, event) = next else { break }
      handle(event, at: time.value)
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
      for x in stages[si].crossbars { maxRows = max(maxRows, Int(x.rows)) }
      let rowsWritten = stages[si].crossbars.reduce(0) { $0 + Double($1.rows) }
      stages[si].counts[.crossbarRowWrite] += rowsWritten
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
    case .activationDone(let s, let w):
      activationsFinished += 1
      let si = Int(s), slot = Int(w) % stages[si].capacity
      stages[si].remaining[slot] -= 1
      if stages[si].remaining[slot] == 0 { windowComputed(stage: si, window: Int(w), now: now) }
    case .reduce(let s, let w):
      reduce(stage: Int(s), window: Int(w), now: now)
    case .write(let s, let w):
      write(stage: Int(s), window: Int(w), now: now)
    case .written(let s, let w):
      written(stage: Int(s), window: Int(w), now: now)
    case .arrived(let e, let w, let t):
      let edge = edges[Int(e)]
      let bits = stages[edge.producer].outputBits
      let done = reserveBuffer(tile: Int(t), bits: bits, now: now, stage: edge.producer)
      queue.schedule(.delivered(edge: e, window: w), at: Cycle(done))
    case .delivered(let e, let w):
      delivered(edge: Int(e), window: Int(w), now: now)
    }
  }

  // MARK: - Resources

  /// Reserves the tile buffer for `bits`; returns when the data is through.
  mutating func reserveBuffer(tile: Int, bits: Int, now: UInt64, stage: Int) -> UInt64 {
    let width = spec.tile.buffer.busWidthBits
    let beats = UInt64((bits + width - 1) / width)
    let start = max(now, bufferFree[tile])
    bufferFree[tile] = start + beats
    stages[stage].counts[.bufferAccess] += Double(beats)
    return start + beats + bufferLatency
  }

  func router(of tile: Int) -> Int { tile / spec.chip.tilesPerRouter }

  func hops(_ a: Int, _ b: Int) -> Int {
    let ra = router(of: a), rb = router(of: b)
    return abs(ra % meshWidth - rb % meshWidth) + abs(ra / meshWidth - rb / meshWidth) + 1
  }

  /// Sends `bits` from tile `from` to tile `to`; returns the arrival time.
  mutating func transfer(bits: Int, from: Int, to: Int, now: UInt64, stage: Int) -> UInt64 {
    let flits = (bits + spec.tile.router.flitBits - 1) / spec.tile.router.flitBits
    let r = router(of: from), h = hops(from, to)
    let start = max(now, linkFree[r])
    linkFree[r] = start + UInt64(flits) * flitCycles
    stages[stage].counts[.nocFlitHop] += Double(flits * h)
    return linkFree[r] + UInt64(h) * hopCycles
  }

  // MARK: - Windows

  func isGateOpen(_ s: Int) -> Bool {
    let st = stages[s]
    guard st.spec.round == round, !st.isFinished else { return false }
    if options.schedule == .layer { return roundStages[round][firstUnfinished[round]] == s }
    return true
  }

  func inputsAvailable(stage s: Int, window w: Int) -> Bool {
    let st = stages[s]
    for ei in st.producers {
      let e = edges[ei]
      let producer = stages[e.producer]
      if producer.spec.round < round { continue }
      if e.isFlatten { if e.prefix < producer.windows { return false } else { continue } }
      let wy = w / st.windowsX, wx = w % st.windowsX
      var y = wy * st.stepY - st.padding + st.extentY - 1 - e.offsetY
      var x = wx * st.stepX - st.padding + st.extentX - 1 - e.offsetX
      y = min(max(y, 0), e.producerHeight - 1)
      x = min(max(x, 0), e.producerWidth - 1)
      let need = (y / producer.outputsPerWindowY) * producer.windowsX + x / producer.outputsPerWindowX + 1
      if e.prefix < min(need, producer.windows) { return false }
    }
    return true
  }

  mutating func tryIssue(_ s: Int, now: UInt64) {
    guard isGateOpen(s) else { return }
    while stages[s].nextWindow < stages[s].windows,
          stages[s].nextWindow < stages[s].oldest + stages[s].capacity,
          inputsAvailable(stage: s, window: stages[s].nextWindow) {
      let w = stages[s].nextWindow
      stages[s].nextWindow += 1
      issue(stage: s, window: w, now: now)
    }
  }

  mutating func issue(stage s: Int, window w: Int, now: UInt64) {
    let slot = w % stages[s].capacity
    stages[s].isDone[slot] = false
    stages[s].firstStart = min(stages[s].firstStart, now)
    if stages[s].isMatrix {
      stages[s].remaining[slot] = Int32(stages[s].crossbars.count)
      let regBits = Double(spec.ima.inputRegister.accessBits)
      for (u, unit) in stages[s].units.enumerated() {
        let done = reserveBuffer(tile: unit.tile, bits: unit.bits, now: now, stage: s)
        stages[s].counts[.busBit] += Double(unit.bits)
        stages[s].counts[.inputRegisterAccess] += (Double(unit.bits) / regBits).rounded(.up)
        queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: Int32(u)), at: Cycle(done))
      }
    } else {
      stages[s].remaining[slot] = 1
      let done = reserveBuffer(tile: stages[s].spec.homeTile, bits: stages[s].digitalInputBits, now: now, stage: s)
      queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: 0), at: Cycle(done))
    }
  }

  mutating func inputReady(stage s: Int, window w: Int, unit u: Int, now: UInt64) {
    if !stages[s].isMatrix {
      let tile = stages[s].spec.homeTile
      let useMaxPool = stages[s].digitalAction == .maxPoolOp
      let free = useMaxPool ? maxPoolFree[tile] : tileShiftAddFree[tile]
      let start = max(now, free), end = start + stages[s].digitalCycles
      if useMaxPool { maxPoolFree[tile] = end } else { tileShiftAddFree[tile] = end }
      stages[s].counts[stages[s].digitalAction] += stages[s].digitalOps
      queue.schedule(.activationDone(stage: Int32(s), window: Int32(w)), at: Cycle(end))
      return
    }
    for local in stages[s].units[u].crossbars {
      let phys = Int(stages[s].crossbars[Int(local)].physical)
      crossbarStates[phys].queue.append((Int32(s), Int32(w), local))
      if crossbarStates[phys].readFree <= now && !crossbarStates[phys].isWakePending {
        startNext(crossbar: phys, now: now)
      } else if !crossbarStates[phys].isWakePending {
        crossbarStates[phys].isWakePending = true
        queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(crossbarStates[phys].readFree))
      }
    }
  }

  /// Starts the crossbar's next queued activation and resolves its bit-cycles.
  mutating func startNext(crossbar phys: Int, now: UInt64) {
    guard let (s32, w32, local) = crossbarStates[phys].queue.popFirst() else { return }
    let s = Int(s32)
    let info = stages[s].crossbars[Int(local)]
    var t = max(now, crossbarStates[phys].readFree) + info.lookup
    let start = t
    var hold = crossbarStates[phys].holdFree
    for _ in 0..<inputCycles {
      t = max(t + readCycles, hold)       // read, then latch once the S+H is free
      hold = t + info.batch               // the ADCs convert the held columns
    }
    crossbarStates[phys].readFree = t
    crossbarStates[phys].holdFree = hold
    let done = hold + shiftAddLatency
    activationsStarted += 1
    let b = Double(inputCycles), rows = Double(info.rows), cols = Double(info.converted)
    stages[s].counts.values[Action.dacDrive.rawValue] += rows * b
    stages[s].counts.values[Action.crossbarRead.rawValue] += info.readFraction * b
    stages[s].counts.values[Action.sampleHold.rawValue] += cols * b
    stages[s].counts.values[Action.adcConvert.rawValue] += cols * b
    stages[s].counts.values[Action.imaShiftAdd.rawValue] += cols * b
    if info.hasTable {
      stages[s].counts.values[Action.tableLookup.rawValue] += 1
      stages[s].counts.values[Action.tableRoute.rawValue] += info.routed
    }
    stages[s].arrayStart = min(stages[s].arrayStart, start)
    stages[s].arrayEnd = max(stages[s].arrayEnd, t)
    if let trace {
      trace.complete(name: layout.network.layers[stages[s].spec.layer].name, tile: phys / spec.crossbarsPerTile,
                     track: phys % spec.crossbarsPerTile, start: start - info.lookup, end: t, clock: spec.clock,
                     args: ["window": w32])
    }
    queue.schedule(.activationDone(stage: s32, window: w32), at: Cycle(done))
    if !crossbarStates[phys].queue.isEmpty {
      crossbarStates[phys].isWakePending = true
      queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(t))
    }
  }

  mutating func windowComputed(stage s: Int, window w: Int, now: UInt64) {
    var arrival = now
    let home = stages[s].spec.homeTile
    for (tile, bits) in stages[s].remote {
      arrival = max(arrival, transfer(bits: bits, from: tile, to: home, now: now, stage: s))
    }
    if arrival == now { reduce(stage: s, window: w, now: now) } else {
      queue.schedule(.reduce(stage: Int32(s), window: Int32(w)), at: Cycle(arrival))
    }
  }

  mutating func reduce(stage s: Int, window w: Int, now: UInt64) {
    var t = now
    let home = stages[s].spec.homeTile
    if stages[s].psumBits > 0 { t = reserveBuffer(tile: home, bits: stages[s].psumBits, now: now, stage: s) }
    let ops = stages[s].reduceOps
    if ops > 0 {
      let start = max(t, tileShiftAddFree[home])
      tileShiftAddFree[home] = start + ops
      stages[s].counts[.tileShiftAdd] += Double(ops)
      t = start + ops
    }
    if t == now { write(stage: s, window: w, now: now) } else {
      queue.schedule(.write(stage: Int32(s), window: Int32(w)), at: Cycle(t))
    }
  }

  mutating func write(stage s: Int, window w: Int, now: UInt64) {
    let home = stages[s].spec.homeTile
    let bits = stages[s].outputBits
    let done = reserveBuffer(tile: home, bits: bits, now: now, stage: s)
    stages[s].counts[.tileOutputRegisterAccess] += (Double(bits) / Double(spec.tile.outputRegister.accessBits)).rounded(.up)
    if stages[s].isMatrix {
      stages[s].counts[.imaOutputRegisterAccess] += (Double(bits) / Double(spec.ima.outputRegister.accessBits)).rounded(.up)
      if stages[s].spec.isFinalChunk {
        stages[s].counts[.sigmoidOp] += (Double(stages[s].outputValues) / Double(spec.tile.sigmoid.lanes)).rounded(.up)
        switch stages[s].rescale {
        case .none: break
        case .shift: stages[s].counts[.rescaleShift] += Double(stages[s].outputValues)
        case .multiply: stages[s].counts[.rescaleMultiply] += Double(stages[s].outputValues)
        }
      }
    }
    queue.schedule(.written(stage: Int32(s), window: Int32(w)), at: Cycle(done))
  }

  mutating func written(stage s: Int, window w: Int, now: UInt64) {
    let cap = stages[s].capacity
    stages[s].isDone[w % cap] = true
    while stages[s].oldest < stages[s].nextWindow && stages[s].isDone[stages[s].oldest % cap] {
      stages[s].isDone[stages[s].oldest % cap] = false
      stages[s].oldest += 1
    }
    stages[s].completed += 1
    stages[s].lastEnd = max(stages[s].lastEnd, now)
    let home = stages[s].spec.homeTile
    for ei in stages[s].consumers {
      stages[s].outstanding += 1
      var local = 0
      for tile in edges[ei].tiles {
        if tile == home { local += 1; continue }
        let arrival = transfer(bits: stages[s].outputBits, from: home, to: tile, now: now, stage: s)
        queue.schedule(.arrived(edge: Int32(ei), window: Int32(w), tile: Int32(tile)), at: Cycle(arrival))
      }
      for _ in 0..<local { delivered(edge: ei, window: w, now: now) }
    }
    tryIssue(s, now: now)
    checkFinished(s, now: now)
  }

  mutating func delivered(edge ei: Int, window w: Int, now: UInt64) {
    edges[ei].arrivals[w] += 1
    guard Int(edges[ei].arrivals[w]) == edges[ei].tiles.count else { return }
    edges[ei].isDelivered[w] = true
    while edges[ei].prefix < edges[ei].isDelivered.count && edges[ei].isDelivered[edges[ei].prefix] {
      edges[ei].prefix += 1
    }
    let p = edges[ei].producer
    stages[p].outstanding -= 1
    stages[p].lastEnd = max(stages[p].lastEnd, now)
    tryIssue(edges[ei].consumer, now: now)
    checkFinished(p, now: now)
  }

  mutating func checkFinished(_ s: Int, now: UInt64) {
    guard !stages[s].isFinished, stages[s].completed == stages[s].windows, stages[s].outstanding == 0 else { return }
    stages[s].isFinished = true
    let r = stages[s].spec.round
    while firstUnfinished[r] < roundStages[r].count && stages[roundStages[r][firstUnfinished[r]]].isFinished {
      firstUnfinished[r] += 1
    }
    if firstUnfinished[r] == roundStages[r].count {
      roundEnd = max(roundEnd, now)
      if r + 1 < placement.rounds {
        let t = now + programmingTime(round: r + 1)
        queue.schedule(.roundStart(round: Int32(r + 1)), at: Cycle(t))
      }
    } else if options.schedule == .layer {
      tryIssue(roundStages[r][firstUnfinished[r]], now: now)
    }
  }

  // MARK: - Results

  /// Runs to completion and returns the results, or throws if the run stalled.
  public mutating func simulate() throws -> SimulationResult {
    run()
    return try result()
  }

  /// The results of a finished run.
  public func result() throws -> SimulationResult {
    let net = layout.network
    var problems: [String] = []
    for s in stages where !s.isFinished {
      problems.append("layer \(net.layers[s.spec.layer].name) stalled after \(s.completed) of \(s.windows) windows (round \(s.spec.round))")
    }
    if !problems.isEmpty { throw InputError(problems: ["internal error: the run did not finish"] + problems) }
    var layers: [LayerResult] = []
    var total = ActionCounts()
    for (li, layer) in net.layers.enumerated() {
      let mine = stages.filter { $0.spec.layer == li }
      var counts = ActionCounts()
      for s in mine { counts += s.counts }
      total += counts
      let l = layout.layouts[li]
      let kind: String
      switch layer.operation {
      case .conv: kind = "conv"
      case .fullyConnected: kind = "fc"
      case .pool(let p): kind = p.kind == .max ? "maxpool" : "avgpool"
      case .add: kind = "add"
      }
      let start = mine.map(\.firstStart).min()!
      let end = mine.map(\.lastEnd).max()!
      let arrayStart = mine.map(\.arrayStart).min()!, arrayEnd = mine.map(\.arrayEnd).max()!
      let r = LayerResult(
        name: layer.name, kind: kind, mapper: l?.mapper ?? "-", crossbars: l?.crossbars.count ?? 0,
        activations: l?.activations ?? 0, windows: mine[0].windows, start: Cycle(start), end: Cycle(end),
        arrayCycles: arrayStart == .max ? .zero : Cycles(arrayEnd - arrayStart),
        utilization: l?.utilization(rows: spec.ima.crossbar.rows, columns: spec.ima.crossbar.columns) ?? 0,
        computingCycles: l?.computingCycles ?? 0,
        analyticCycles: Cycles(UInt64(l?.computingCycles ?? 0) * UInt64(inputCycles) * readCycles),
        window: l?.window ?? "", note: l?.note ?? "",
        counts: counts, rounds: Array(Set(mine.map(\.spec.round))).sorted())
      guard r.end > r.start else {
        throw InputError("internal error: layer \(layer.name) finished in zero cycles")
      }
      layers.append(r)
    }
    let end = Cycles(max(roundEnd, stages.map(\.lastEnd).max() ?? 0))
    var tables = 0, entries = 0
    for l in layout.layouts { for x in l?.crossbars ?? [] where x.tableEntries > 0 {
      entries += x.tableEntries
      tables += (x.tableEntries + spec.sparsityTable.entries - 1) / spec.sparsityTable.entries
    } }
    let leak = AreaPowerModel(spec: spec).leakageMW + Double(tables) * spec.sparsityTable.leakageMW
    var result = SimulationResult(spec: spec, network: net.name, options: options, layers: layers, totalCycles: end,
                                  rounds: placement.rounds, programmingCycles: Cycles(programmingCycles),
                                  counts: total, leakagePowerMW: leak, events: queue.processed)
    result.sparsityTables = tables
    result.tableEntries = entries
    guard result.energyPJ.isFinite, end.count > 0 else {
      throw InputError("internal error: run produced latency \(end) and energy \(result.energyPJ) pJ")
    }
    return result
  }
}

/// Executes a placed network layout on the modelled chip, cycle by cycle, driven by events.
///
/// Per window (one input vector), the input is fetched from the tile buffer (finite bus width,
/// FIFO), broadcast to the crossbars of its input group, and each crossbar activation is resolved
/// into its bit-cycles: DAC drive + array read + sample-and-hold take one read cycle; the held
/// columns are converted by the crossbar's ADCs at their sample rate while the next bit is read
/// (ISAAC's pipeline; a read cannot latch before the previous bit's conversions free the S+H).
/// Shift-and-add follows each conversion. When every crossbar of the window is done, partial sums
/// of crossbars on other tiles cross the NoC, the tile shift-and-add reduces them, and the
/// outputs are written to the home tile buffer and sent to every tile of each consumer layer.
/// Buffers, NoC links and tile units are FIFO servers: contention is real.
///
/// The state lives in a value-type core so the hot loop runs with static exclusivity checking
/// instead of a runtime check on every property access.
public final class Engine {
  var core: EngineCore

  /// Builds an engine for `layout` on `spec`; throws if it does not fit (see `Placement`).
  public init(spec: ArchSpec, layout: NetworkLayout, options: SimulationOptions = .init()) throws {
    core = try EngineCore(spec: spec, layout: layout, options: options)
  }

  /// Optional trace sink; with none configured tracing costs one branch.
  public var trace: ChromeTrace? {
    get { core.trace }
    set { core.trace = newValue }
  }
  /// Processes events up to and including `limit` (all when nil); returns whether the run finished.
  @discardableResult
  public func run(until limit: Cycle? = nil) -> Bool { core.run(until: limit) }
  /// Runs to completion and returns the results, or throws if the run stalled.
  public func simulate() throws -> SimulationResult { try core.simulate() }
  /// The results of a finished run.
  public func result() throws -> SimulationResult { try core.result() }
  /// The current simulated time.
  public var now: Cycle { core.now }
  /// Events processed so far.
  public var eventsProcessed: UInt64 { core.eventsProcessed }
  /// Crossbar activations started so far.
  public var activationsStarted: Int { core.activationsStarted }
  /// Crossbar activations finished so far.
  public var activationsFinished: Int { core.activationsFinished }
  /// Whether crossbar `id` is reading or has activations queued at the current time.
  public func isCrossbarBusy(_ id: Int) -> Bool { core.isCrossbarBusy(id) }
}
