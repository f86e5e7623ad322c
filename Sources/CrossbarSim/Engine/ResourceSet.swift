// MARK: - The chip's contended resources: one set, from which their stats and trace tracks derive

/// A kind of contended resource (a `Server` per instance): where its instances sit, how many
/// there are, and how stats paths and trace tracks name them. Adding a resource is a case here
/// and the handler that reserves it.
enum ResourceKind: Int, CaseIterable, Sendable {
  /// Each tile's eDRAM buffer port (its bus, `busWidthBits` per cycle).
  case buffer
  /// Each tile's shift-and-add unit: partial sums across IMAs, residual additions.
  case shiftAdd
  /// Each tile's max-pool unit (also average pooling).
  case maxPool
  /// Each tile's sigmoid units, as one server of their lanes (standalone activations).
  case sigmoid
  /// Each tile's FP multipliers, as one server of their lanes (products, per-channel affines).
  case multiplier
  /// ADCs shared by `ima.adc.crossbarsPerADC` neighbouring crossbars of an IMA (none when each
  /// crossbar has its own).
  case sharedADC
  /// Router output ports: east, west, north, south and the local port into its tiles.
  case link
  /// The off-chip links, as one server of their combined bandwidth.
  case offChip

  /// Where instances sit.
  enum Scope: Int, CaseIterable { case tile, router, chip }

  var scope: Scope {
    switch self {
    case .buffer, .shiftAdd, .maxPool, .sigmoid, .multiplier, .sharedADC: .tile
    case .link: .router
    case .offChip: .chip
    }
  }

  /// Output ports of one router.
  static let portNames = ["east", "west", "north", "south", "local"]

  /// Instances per tile, per router, or on the chip.
  func perScope(_ spec: ArchSpec) -> Int {
    switch self {
    case .buffer, .shiftAdd, .maxPool, .sigmoid, .multiplier, .offChip: 1
    case .sharedADC:
      spec.ima.adc.crossbarsPerADC > 1 ? spec.tile.imas * spec.adcCount(crossbars: spec.ima.crossbars) : 0
    case .link: Self.portNames.count
    }
  }

  /// Stats path of instance `k` of scope `s` (`tile3.buffer`, `tile0.adc2`, `router1.east`, `chip.offChip`).
  func path(_ s: Int, _ k: Int) -> String {
    switch self {
    case .buffer: "tile\(s).buffer"
    case .shiftAdd: "tile\(s).shiftAdd"
    case .maxPool: "tile\(s).maxPool"
    case .sigmoid: "tile\(s).sigmoid"
    case .multiplier: "tile\(s).multiplier"
    case .sharedADC: "tile\(s).adc\(k)"
    case .link: "router\(s).\(Self.portNames[k])"
    case .offChip: "chip.offChip"
    }
  }

  /// Trace process and thread of instance `k` of scope `s`, with their names; nil for a
  /// resource not traced on its own (a shared ADC shows in its crossbars' ADC spans).
  func track(_ s: Int, _ k: Int) -> TraceTrack? {
    switch self {
    case .buffer: TraceTrack(process: s, processName: "tile \(s)", thread: 20_000, threadName: "buffer port")
    case .shiftAdd: TraceTrack(process: s, processName: "tile \(s)", thread: 20_001, threadName: "shift-and-add")
    case .maxPool: TraceTrack(process: s, processName: "tile \(s)", thread: 20_002, threadName: "max-pool")
    case .sigmoid: TraceTrack(process: s, processName: "tile \(s)", thread: 20_003, threadName: "sigmoid")
    case .multiplier: TraceTrack(process: s, processName: "tile \(s)", thread: 20_004, threadName: "multipliers")
    case .sharedADC: nil
    case .link: TraceTrack(process: 100_000 + s, processName: "router \(s)", thread: k, threadName: Self.portNames[k])
    case .offChip: TraceTrack(process: 200_000, processName: "off-chip links", thread: 0, threadName: "links")
    }
  }
}

/// A trace process and thread, with their names.
struct TraceTrack: Sendable {
  let process: Int, processName: String, thread: Int, threadName: String
  /// Threads of a tile's crossbars (k) and their ADC groups (`adcBase + k`).
  static let adcBase = 10_000
}

/// Every contended resource of a chip, one `Server` each, kind by kind.
struct ResourceSet: Sendable {
  private(set) var servers: [Server]
  /// Where each kind's instances start in `servers`, and how many each scope holds.
  private let offset: [Int], perScope: [Int]
  /// Scopes of each kind: tiles, routers, 1.
  private let scopes: [Int]

  /// The resources of `spec`'s chip with `routers` routers.
  init(spec: ArchSpec, routers: Int) {
    let scopeCount = [spec.chip.tiles, routers, 1]
    var offset: [Int] = [], perScope: [Int] = [], scopes: [Int] = [], total = 0
    for kind in ResourceKind.allCases {
      offset.append(total)
      perScope.append(kind.perScope(spec))
      scopes.append(scopeCount[kind.scope.rawValue])
      total += perScope.last! * scopes.last!
    }
    self.offset = offset; self.perScope = perScope; self.scopes = scopes
    servers = Array(repeating: Server(), count: total)
  }

  /// Instances of `kind` on the chip.
  func count(_ kind: ResourceKind) -> Int { perScope[kind.rawValue] * scopes[kind.rawValue] }

  /// Instance `index` of `kind` (`scope x perScope + k`).
  subscript(_ kind: ResourceKind, _ index: Int) -> Server { servers[offset[kind.rawValue] + index] }

  /// Reserves instance `index` of `kind` for `duration` from `at`; returns when it ends.
  @inline(__always)
  mutating func reserve(_ kind: ResourceKind, _ index: Int, at: Cycle, for duration: Cycles) -> Cycle {
    servers[offset[kind.rawValue] + index].reserve(at: at, for: duration)
  }

  /// The trace track of instance `index` of `kind`.
  func track(_ kind: ResourceKind, _ index: Int) -> TraceTrack? {
    let per = perScope[kind.rawValue]
    return kind.track(index / per, index % per)
  }

  /// Stats of every instance that served a request: scope by scope (each tile's `tileUnits`
  /// first, then its servers kind by kind), then the routers, then the chip.
  func stats(tileUnits: (Int) -> [ResourceStats], peakBytes: (Int) -> Int) -> [ResourceStats] {
    var out: [ResourceStats] = []
    for scope in ResourceKind.Scope.allCases {
      let kinds = ResourceKind.allCases.filter { $0.scope == scope }
      let n = kinds.first.map { scopes[$0.rawValue] } ?? 0
      for s in 0..<n {
        if scope == .tile { out += tileUnits(s) }
        for kind in kinds {
          let per = perScope[kind.rawValue]
          for k in 0..<per {
            let server = self[kind, s * per + k]
            guard server.requests > 0 else { continue }
            out.append(ResourceStats(path: kind.path(s, k), server: server,
                                     peakBytes: kind == .buffer ? peakBytes(s) : nil))
          }
        }
      }
    }
    return out
  }
}
