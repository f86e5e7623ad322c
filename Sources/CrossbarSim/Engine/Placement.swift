// MARK: - Weight-stationary placement of layouts onto tiles, IMAs and crossbars

/// Where each layer's crossbars sit on the chip, and in which programming round.
///
/// Layers are placed in network order, each starting on a fresh IMA (an IMA's input register and
/// DACs serve one layer). A chip too small for the model is an error, unless rounds are allowed:
/// then the crossbars are reprogrammed between rounds, and a layer larger than the whole chip is
/// split into chunks whose partial sums are accumulated through the tile buffer.
public struct Placement: Sendable {
  /// A unit of execution: a whole layer, or one chunk of a layer's crossbars, in one round.
  public struct Stage: Sendable {
    /// Layer index in the network.
    public var layer: Int
    /// Indices into the layer layout's crossbars held by this stage.
    public var crossbars: Range<Int>
    /// Physical crossbar ids (tile * crossbarsPerTile + ima * crossbarsPerIMA + k), per crossbar.
    public var physical: [Int]
    /// Programming round.
    public var round: Int
    /// Chunk number within the layer (0 for an unsplit layer).
    public var chunk: Int
    /// Whether this is the last (or only) chunk of its layer, the one that produces its outputs.
    public var isFinalChunk: Bool
    /// Tile whose buffer collects the outputs.
    public var homeTile: Int
    /// Tiles holding the stage's crossbars (the home tile for a digital layer), ascending.
    public var tiles: [Int]
  }

  /// Stages in execution order.
  public var stages: [Stage]
  /// Programming rounds (1 when the model fits).
  public var rounds: Int
  /// Crossbars used in each round.
  public var crossbarsPerRound: [Int]

  /// Places `layout` on the chip of `spec`.
  /// With `singleArray`, every tile of a layer is placed on the same physical crossbar.
  public static func place(_ layout: NetworkLayout, spec: ArchSpec, allowRounds: Bool,
                           singleArray: Bool = false) throws -> Placement {
    let perIMA = spec.ima.crossbars, perTile = spec.crossbarsPerTile, capacity = spec.crossbarsPerChip
    let network = layout.network
    var stages: [Stage] = []
    var stageOfLayer = Array(repeating: -1, count: network.layers.count)
    var round = 0, cursor = 0
    var used: [Int] = [0]
    for (i, layer) in network.layers.enumerated() {
      guard let l = layout.layouts[i] else {
        let producerStage = layer.inputs.first.map { stageOfLayer[$0] } ?? -1
        let home = producerStage >= 0 ? stages[producerStage].homeTile : 0
        stages.append(Stage(layer: i, crossbars: 0..<0, physical: [], round: round, chunk: 0, isFinalChunk: true,
                            homeTile: home, tiles: [home]))
        stageOfLayer[i] = stages.count - 1
        continue
      }
      var n = l.crossbars.count
      guard n > 0 else { throw InputError("layer \(layer.name): the layout has no crossbars") }
      if singleArray {
        cursor = (cursor + perIMA - 1) / perIMA * perIMA
        if cursor >= capacity {
          guard allowRounds else {
            throw InputError("layer \(layer.name) needs one crossbar but the chip's \(capacity) are taken by earlier layers; allow rounds (--rounds)")
          }
          round += 1; cursor = 0; used.append(0)
        }
        stages.append(Stage(layer: i, crossbars: 0..<n, physical: Array(repeating: cursor, count: n), round: round, chunk: 0,
                            isFinalChunk: true, homeTile: cursor / perTile, tiles: [cursor / perTile]))
        used[round] += 1; cursor += 1
        stageOfLayer[i] = stages.count - 1
        continue
      }
      cursor = (cursor + perIMA - 1) / perIMA * perIMA
      if cursor + n > capacity {
        guard allowRounds else {
          throw InputError("layer \(layer.name) needs \(n) crossbars but only \(max(0, capacity - cursor)) of the chip's \(capacity) remain after earlier layers (the whole network needs \(layout.crossbars)); allow rounds of reprogramming (--rounds) or use a larger chip (chip.tiles)")
        }
        if cursor > 0 { round += 1; cursor = 0; used.append(0) }
      }
      var start = 0, chunk = 0
      while n > 0 {
        let take = min(n, capacity - cursor)
        let physical = Array(cursor..<(cursor + take))
        let tiles = Array(Set(physical.map { $0 / perTile })).sorted()
        stages.append(Stage(layer: i, crossbars: start..<(start + take), physical: physical, round: round, chunk: chunk,
                            isFinalChunk: take == n, homeTile: tiles[0], tiles: tiles))
        used[round] += take
        cursor += take; start += take; n -= take; chunk += 1
        if n > 0 { round += 1; cursor = 0; used.append(0) }
      }
      stageOfLayer[i] = stages.count - 1
    }
    return Placement(stages: stages, rounds: round + 1, crossbarsPerRound: used)
  }
}
