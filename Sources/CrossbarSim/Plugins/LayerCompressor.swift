// MARK: - Compressors that work one layer at a time

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
  /// The whole-model step, derived from the per-layer one.
  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel,
      [CompressionRecord]) {
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
