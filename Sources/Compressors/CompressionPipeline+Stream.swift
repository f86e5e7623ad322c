import CrossbarSim

// MARK: - The pipeline that streams weights through layer-local compressors (see `LayerCompressor`)

/// What a streamed pipeline leaves: everything a run reports, without the weights.
public struct StreamedCompression: Sendable {
  /// Every step's per-layer records, in the order `CompressionPipeline.run` gives them.
  public var records: [CompressionRecord]
  /// The compressed network's layout.
  public var layout: NetworkLayout
  /// Weights each layer keeps (0 without weights).
  public var keptParameters: [Int]
}

extension CompressionPipeline {
  /// Runs layer-local `steps` one layer at a time: `weights(i)` makes layer i's weights, every step
  /// compresses them in place, the layer is laid out, and its weights are dropped before the next
  /// layer's are made. Records, layout and kept weights equal `runWithLayout`'s on the same
  /// weights; peak memory is the largest layer (VGG-13's fc6, 411 MB) instead of the whole model.
  public static func stream(_ network: Network, weights: (Int) throws -> LayerWeights, steps: [any LayerCompressor],
                            context: CompressionContext) throws -> StreamedCompression {
    let targets = try steps.map { Set(try $0.targets(in: network, context: context)) }
    var perStep = Array(repeating: [CompressionRecord](), count: steps.count)
    var layouts: [LayerLayout?] = [], kept = Array(repeating: 0, count: network.layers.count)
    for (i, layer) in network.layers.enumerated() {
      guard layer.operation.isMatrix else { layouts.append(nil); continue }
      var state = LayerCompression()
      let map = { (s: LayerCompression) in
        try CompressedModel.layout(layer: i, of: network, state: s, mapper: context.mapper, geometry: context.geometry)
      }
      var before = try map(state)
      guard targets.contains(where: { $0.contains(i) }) else {
        layouts.append(before); kept[i] = layer.parameters; continue
      }
      var w = try weights(i)
      var keptBefore = state.kept(of: w)
      for (s, step) in steps.enumerated() where targets[s].contains(i) {
        var r = try step.compress(layer: i, of: network, weights: &w, state: &state, context: context)
        let after = try map(state)
        r.crossbarsBefore = before.crossbars.count
        r.crossbarsAfter = after.crossbars.count
        r.tableEntries = after.crossbars.reduce(0) { $0 + $1.tableEntries }
        r.parametersBefore = keptBefore
        keptBefore = state.kept(of: w)
        r.parametersAfter = keptBefore
        perStep[s].append(r)
        before = after
      }
      layouts.append(before)
      kept[i] = keptBefore
    }
    return StreamedCompression(records: perStep.flatMap { $0 },
                               layout: NetworkLayout(network: network, layouts: layouts),
                               keptParameters: kept)
  }
}
