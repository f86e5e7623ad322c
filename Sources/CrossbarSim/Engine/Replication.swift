// MARK: - Weight replication (ISAAC's pipeline balancing)

/// How many copies of each layer's crossbars to place.
///
/// ISAAC balances its inter-layer pipeline by replicating the weights of layers that produce
/// many outputs, so every layer finishes an image in about the same time (imc-methods.md
/// section 8). `auto` does that greedily: the layer with the largest per-image busy time,
/// `ceil(windows / copies) x` one activation (ties: the earlier layer), gets the fewest extra
/// copies that shorten it, until they do not fit the budget (the chip, or `crossbars=N` /
/// `tiles=N`), the slowest layer has one window per copy, or it is already no slower than the
/// slowest stage that cannot be replicated (see `digitalFloor`). A layer's copies pack one after
/// another, so a layer costs its copies' crossbars rounded up to whole IMAs, or exactly those
/// crossbars when layers share IMAs (`PlacementPolicy.footprint`). The estimate counts crossbar time
/// only; pooling, additions, buffers and the NoC can still bound the result.
public enum ReplicationPlan: Sendable, Equatable, Codable, CustomStringConvertible {
  /// One copy of every layer.
  case none
  /// Balance the pipeline within `budget` crossbars (nil: the whole chip).
  case auto(budget: Int?)
  /// The named layers get the given number of copies; others one.
  case explicit([LayerReplicas])

  /// A layer and its number of copies.
  public struct LayerReplicas: Sendable, Equatable, Codable {
    /// Layer name.
    public var layer: String
    /// Copies (>= 1).
    public var replicas: Int
    /// Creates an entry.
    public init(layer: String, replicas: Int) { self.layer = layer; self.replicas = replicas }
  }

  /// Parses `none`, `auto`, `auto:crossbars=N`, `auto:tiles=N` (N tiles of `spec`) or
  /// `NAME=k,NAME=k`.
  public static func parse(_ text: String, spec: ArchSpec) throws -> ReplicationPlan {
    if text == "none" { return .none }
    if text == "auto" || text.hasPrefix("auto:") {
      let p = try PluginOptions.parse(text, what: "--replicate")
      let o = try PluginOptions(kind: "--replicate auto", p.options, declared: autoOptions)
      let crossbars = o.int("crossbars"), tiles = o.int("tiles")
      if crossbars != nil && tiles != nil { throw InputError("--replicate '\(text)': give crossbars= or tiles=, not " +
          "both") }
      if let t = tiles, t > spec.chip.tiles {
        throw InputError("--replicate '\(text)': the chip has \(spec.chip.tiles) tiles")
      }
      return .auto(budget: crossbars ?? tiles.map { $0 * spec.crossbarsPerTile })
    }
    var entries: [LayerReplicas] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
      guard kv.count == 2, !kv[0].isEmpty else {
        throw InputError("--replicate '\(text)': expected none, auto, auto:crossbars=N, auto:tiles=N or LAYER=k,... " +
            "('\(item)')")
      }
      guard let k = Int(kv[1]), k >= 1 else {
        throw InputError("--replicate '\(text)': layer \(kv[0]) replication factor '\(kv[1])' must be an integer >= 1")
      }
      guard !entries.contains(where: { $0.layer == kv[0] }) else { throw InputError("--replicate '\(text)': " +
          "layer \(kv[0]) given twice") }
      entries.append(LayerReplicas(layer: kv[0], replicas: k))
    }
    return .explicit(entries)
  }

  /// The options of `auto:`.
  static let autoOptions: [PluginOption] = [
    .integer("crossbars", "N", in: 1...Int(Int32.max), help: "a budget of N crossbars"),
    .integer("tiles", "N", in: 1...Int(Int32.max), help: "a budget of N tiles"),
  ]

  public var description: String {
    switch self {
    case .none: "none"
    case .auto(let b): b.map { "auto:crossbars=\($0)" } ?? "auto"
    case .explicit(let e): e.map { "\($0.layer)=\($0.replicas)" }.joined(separator: ",")
    }
  }

  /// Copies per layer of `layout` on `spec` (1 for layers without weights), with layers placed by `policy`.
  public func factors(for layout: NetworkLayout, spec: ArchSpec, policy: PlacementPolicy = .ima) throws -> [Int] {
    let layers = layout.network.layers
    var k = Array(repeating: 1, count: layers.count)
    switch self {
    case .none:
      return k
    case .explicit(let entries):
      for e in entries {
        guard let i = layers.firstIndex(where: { $0.name == e.layer }) else {
          let withWeights = layers.indices.filter { layout.layouts[$0] != nil }
          let names = withWeights.prefix(12).map { layers[$0].name }.joined(separator: ", ")
            + (withWeights.count > 12 ? ", ..." : "")
          throw InputError("--replicate: no layer named '\(e.layer)' (layers with weights: \(names))")
        }
        guard layout.layouts[i] != nil else {
          throw InputError("--replicate: layer \(e.layer) has no weights to replicate")
        }
        k[i] = e.replicas
      }
      return k
    case .auto(let budget):
      guard let budget else {
        // The whole chip: a model that does not fit it has nothing to spare (it may run in rounds).
        do { return try balance(layout, spec: spec, budget: spec.crossbarsPerChip, policy: policy) } catch { return k }
      }
      return try balance(layout, spec: spec, budget: budget, policy: policy)
    }
  }

  /// The greedy balance described on the type.
  func balance(_ layout: NetworkLayout, spec: ArchSpec, budget: Int, policy: PlacementPolicy) throws -> [Int] {
    let perIMA = spec.ima.crossbars
    let matrix = layout.layouts.indices.filter { layout.layouts[$0] != nil }
    var k = Array(repeating: 1, count: layout.layouts.count)
    // A layer's footprint: its copies packed one after another, as the policy reserves them.
    func footprint(_ i: Int, _ copies: Int) -> Int {
      policy.footprint(copies * (layout.layouts[i]?.crossbars.count ?? 0), perIMA: perIMA)
    }
    var used = layout.layouts.indices.reduce(0) { $0 + footprint($1, 1) }
    guard used <= budget else {
      throw InputError("--replicate auto: the model needs \(used) crossbars (" +
          (policy == .crossbar ? "layers sharing IMAs" : "every layer on whole IMAs of \(perIMA)") +
          ") but the budget is \(budget)")
    }
    let timing = try EngineTiming(spec)
    let activation = layout.layouts.map { l in l.map { activationCycles($0, timing) } ?? .zero }
    func busy(_ i: Int, _ copies: Int) -> Cycles {
      activation[i] * ((layout.layouts[i]!.windows + copies - 1) / copies)
    }
    let floor = digitalFloor(layout, timing)
    while let slowest = matrix.max(by: { (busy($0, k[$0]), -$0) < (busy($1, k[$1]), -$1) }),
          busy(slowest, k[slowest]) > floor {
      // The fewest copies that shorten the slowest layer: ceil(W / k') below ceil(W / k).
      let w = layout.layouts[slowest]!.windows, perCopy = (w + k[slowest] - 1) / k[slowest]
      guard perCopy > 1 else { break }
      let next = (w + perCopy - 2) / (perCopy - 1)
      let cost = footprint(slowest, next) - footprint(slowest, k[slowest])
      guard used + cost <= budget else { break }
      k[slowest] = next
      used += cost
    }
    return k
  }

  /// The planner's per-image time of the slowest stage with `replicas` copies per layer: the
  /// busiest layer's crossbar time or the digital floor, whichever is longer.
  static func slowestStage(_ layout: NetworkLayout, timing: EngineTiming, replicas: [Int]) -> Cycles {
    var slowest = ReplicationPlan.none.digitalFloor(layout, timing)
    for (i, l) in layout.layouts.enumerated() {
      guard let l else { continue }
      let k = max(1, i < replicas.count ? replicas[i] : 1)
      slowest = max(slowest, ReplicationPlan.none.activationCycles(l, timing) * ((l.windows + k - 1) / k))
    }
    return slowest
  }

  /// Per-image time of the slowest layer that cannot be replicated (pooling, additions: one
  /// unit on one tile): its unit's cycles, or its inputs' flits through the tile's local port,
  /// whichever is longer. Copies that take a layer below it gain nothing.
  func digitalFloor(_ layout: NetworkLayout, _ timing: EngineTiming) -> Cycles {
    let net = layout.network, spec = timing.spec
    var floor = Cycles.zero
    for (i, l) in net.layers.enumerated() where layout.layouts[i] == nil {
      let unit = DigitalWork(l, spec: spec).cycles * l.outputShape.pixels
      let inputBits = l.inputs.reduce(0) { $0 + net.layers[$1].outputShape.elements * spec.data.outputBits }
      floor = max(floor, unit, timing.flit * timing.flits(bits: inputBits))
    }
    return floor
  }

  /// Cycles one window keeps the layer's slowest crossbar busy (`EngineTiming.activationEstimate`).
  func activationCycles(_ l: LayerLayout, _ timing: EngineTiming) -> Cycles {
    l.crossbars.reduce(.zero) { max($0, timing.activationEstimate($1)) }
  }
}
