import CrossbarSim

// MARK: - Compressors that work one layer at a time, and the pipeline that streams weights through them

/// A compressor whose result on each layer depends only on that layer's weights and state, and
/// which leaves the network unchanged (the quantizers). Its whole-model `compress` is derived from
/// the per-layer one, and `CompressionPipeline.stream` can run it with one layer's weights in
/// memory at a time.
public protocol LayerCompressor: Compressor {
  /// The layers the step changes, in order; option errors (unknown layer, too many bits) are thrown here.
  func targets(in network: Network, context: CompressionContext) throws -> [Int]
  /// Compresses layer `i` of `network` in place and reports what it did.
  func compress(layer i: Int, of network: Network, weights: inout LayerWeights, state: inout LayerCompression,
                context: CompressionContext) throws -> CompressionRecord
}

extension LayerCompressor {
  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel, [CompressionRecord]) {
    var m = model
    var records: [CompressionRecord] = []
    for i in try targets(in: model.network, context: context) {
      var w = m.weights.layers[i]!, state = m.layers[i]
      m.weights.layers[i] = nil   // `w` is then the only reference when `model` is not shared
      records.append(try compress(layer: i, of: m.network, weights: &w, state: &state, context: context))
      m.set(i, weights: w, state: state)
    }
    return (m, records)
  }
}

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
    return StreamedCompression(records: perStep.flatMap { $0 }, layout: NetworkLayout(network: network, layouts: layouts),
                               keptParameters: kept)
  }
}
