// MARK: - Weight-stationary placement of layouts onto tiles, IMAs and crossbars

/// Where each layer's crossbars sit on the chip, and in which programming round.
///
/// Layers are placed in network order, each starting where `PlacementPolicy` says: on a fresh IMA
/// (an IMA's input register then serves one layer; the default), at the next free crossbar (small
/// layers share IMAs), or on a fresh router group. A layer replicated k times (ISAAC's pipeline
/// balancing) gets k copies of its crossbars, packed one after another from its start (each
/// crossbar has its own DACs, and the
/// input register holds windows for all the copies in the IMA); windows are dealt to the copies
/// round-robin (see `EngineCore`). A chip too small for the model is an error, unless
/// rounds are allowed: then the crossbars are reprogrammed between rounds, and a layer larger than
/// the whole chip is split into chunks whose partial sums are accumulated through the tile buffer.
/// Replication needs the whole model on the chip: it is not combined with rounds.
public struct Placement: Sendable {
  /// One copy of a stage's crossbars.
  public struct Copy: Sendable, Equatable {
    /// Physical crossbar ids (tile * crossbarsPerTile + ima * crossbarsPerIMA + k), per crossbar.
    public var physical: [Int]
    /// Tile whose buffer collects this copy's outputs: the first tile it occupies.
    public var homeTile: Int
    /// Tiles holding the copy's crossbars (the home tile for a digital layer), ascending.
    public var tiles: [Int]
  }

  /// A unit of execution: a whole layer, or one chunk of a layer's crossbars, in one round.
  public struct Stage: Sendable {
    /// Layer index in the network.
    public var layer: Int
    /// Indices into the layer layout's crossbars held by this stage.
    public var crossbars: Range<Int>
    /// The copies of those crossbars (one unless the layer is replicated).
    public var copies: [Copy]
    /// Programming round.
    public var round: Int
    /// Chunk number within the layer (0 for an unsplit layer).
    public var chunk: Int
    /// Whether this is the last (or only) chunk of its layer, the one that produces its outputs.
    public var isFinalChunk: Bool
    /// Physical crossbars of the first copy.
    public var physical: [Int] { copies[0].physical }
    /// Home tile of the first copy.
    public var homeTile: Int { copies[0].homeTile }
    /// Tiles of the first copy.
    public var tiles: [Int] { copies[0].tiles }
  }

  /// Stages in execution order.
  public var stages: [Stage]
  /// Programming rounds (1 when the model fits).
  public var rounds: Int
  /// Crossbars used in each round.
  public var crossbarsPerRound: [Int]

  /// Places `layout` on the chip of `spec`, layer i in `replicas[i]` copies (1 when empty).
  /// With `singleArray`, every tile of a layer is placed on the same physical crossbar.
  public static func place(_ layout: NetworkLayout, spec: ArchSpec, allowRounds: Bool,
                           singleArray: Bool = false, replicas: [Int] = [],
                           policy: PlacementPolicy = .ima) throws -> Placement {
    let perIMA = spec.ima.crossbars, perTile = spec.crossbarsPerTile, capacity = spec.crossbarsPerChip
    let perRouter = perTile * spec.chip.tilesPerRouter
    let network = layout.network
    let factors = replicas.isEmpty ? Array(repeating: 1, count: network.layers.count) : replicas
    guard factors.count == network.layers.count else {
      throw InputError("replication: \(factors.count) factors for \(network.layers.count) layers")
    }
    if let i = factors.indices.first(where: { factors[$0] > 1 }), allowRounds || singleArray {
      throw InputError("layer \(network.layers[i].name): replication needs the whole model on the chip; it is not " +
          "combined with \(singleArray ? "--single-array" : "rounds (--rounds)")")
    }
    var stages: [Stage] = []
    var stageOfLayer = Array(repeating: -1, count: network.layers.count)
    var round = 0, cursor = 0
    var used: [Int] = [0]
    // Crossbars layer i and the layers after it take on fresh IMAs (the router policy's check).
    var after = Array(repeating: 0, count: network.layers.count + 1)
    for i in network.layers.indices.reversed() {
      after[i] = after[i + 1] + PlacementPolicy.ima.footprint(factors[i] * (layout.layouts[i]?.crossbars.count ?? 0),
                                                              perIMA: perIMA)
    }
    func start(_ i: Int) -> Int {
      let ima = (cursor + perIMA - 1) / perIMA * perIMA
      switch policy {
      case .crossbar: return cursor
      case .router:
        let group = (cursor + perRouter - 1) / perRouter * perRouter
        return group + after[i] <= capacity ? group : ima
      case .ima, .auto: return ima
      }
    }
    func tiles(_ physical: [Int]) -> [Int] { Array(Set(physical.map { $0 / perTile })).sorted() }
    for (i, layer) in network.layers.enumerated() {
      guard let l = layout.layouts[i] else {
        guard factors[i] == 1 else { throw InputError("layer \(layer.name) has no weights to replicate") }
        let producerStage = layer.inputs.first.map { stageOfLayer[$0] } ?? -1
        let home = producerStage >= 0 ? stages[producerStage].homeTile : 0
        stages.append(Stage(layer: i, crossbars: 0..<0, copies: [Copy(physical: [], homeTile: home, tiles: [home])],
                            round: round,
                            chunk: 0, isFinalChunk: true))
        stageOfLayer[i] = stages.count - 1
        continue
      }
      var n = l.crossbars.count
      guard n > 0 else { throw InputError("layer \(layer.name): the layout has no crossbars") }
      guard factors[i] >= 1 else { throw InputError("layer \(layer.name): replication factor \(factors[i]) must be " +
          ">= 1") }
      if singleArray {
        cursor = (cursor + perIMA - 1) / perIMA * perIMA
        if cursor >= capacity {
          guard allowRounds else {
            throw InputError("layer \(layer.name) needs one crossbar but the chip's \(capacity) are taken by earlier " +
                "layers; allow rounds (--rounds)")
          }
          round += 1; cursor = 0; used.append(0)
        }
        let physical = Array(repeating: cursor, count: n)
        stages.append(Stage(layer: i, crossbars: 0..<n,
                            copies: [Copy(physical: physical, homeTile: cursor / perTile, tiles: [cursor / perTile])],
                            round: round, chunk: 0, isFinalChunk: true))
        used[round] += 1; cursor += 1
        stageOfLayer[i] = stages.count - 1
        continue
      }
      if factors[i] > 1 {
        var copies: [Copy] = []
        cursor = start(i)
        for k in 0..<factors[i] {
          guard cursor + n <= capacity else {
            throw InputError("layer \(layer.name): copy \(k + 1) of \(factors[i]) needs \(n) crossbars but " +
                "only \(max(0, capacity - cursor)) of the chip's \(capacity) remain; replicate less or use a larger " +
                "chip (chip.tiles)")
          }
          let physical = Array(cursor..<(cursor + n))
          let t = tiles(physical)
          copies.append(Copy(physical: physical, homeTile: t[0], tiles: t))
          cursor += n; used[round] += n
        }
        stages.append(Stage(layer: i, crossbars: 0..<n, copies: copies, round: round, chunk: 0, isFinalChunk: true))
        stageOfLayer[i] = stages.count - 1
        continue
      }
      cursor = start(i)
      if cursor + n > capacity {
        guard allowRounds else {
          throw InputError("layer \(layer.name) needs \(n) crossbars but only \(max(0, capacity - cursor)) of the " +
              "chip's \(capacity) remain after earlier layers (the whole network needs \(layout.crossbars), " +
              (policy == .crossbar ? "layers sharing IMAs" : "every layer starting on a fresh IMA of \(perIMA)") +
              "); allow rounds of reprogramming (--rounds) or use a larger " +
              "chip (chip.tiles)")
        }
        if cursor > 0 { round += 1; cursor = 0; used.append(0) }
      }
      var start = 0, chunk = 0
      while n > 0 {
        let take = min(n, capacity - cursor)
        let physical = Array(cursor..<(cursor + take))
        let t = tiles(physical)
        stages.append(Stage(layer: i, crossbars: start..<(start + take),
                            copies: [Copy(physical: physical, homeTile: t[0], tiles: t)],
                            round: round, chunk: chunk, isFinalChunk: take == n))
        used[round] += take
        cursor += take; start += take; n -= take; chunk += 1
        if n > 0 { round += 1; cursor = 0; used.append(0) }
      }
      stageOfLayer[i] = stages.count - 1
    }
    return Placement(stages: stages, rounds: round + 1, crossbarsPerRound: used)
  }
}
