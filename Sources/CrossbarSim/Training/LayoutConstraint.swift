// MARK: - Training exactly the layout the crossbars hold

/// What fine-tuning keeps of one compressed layer: its pruning mask and its quantization grid.
/// The optimizer updates latent weights; the network computes with `effective` ones, so a pruned
/// weight is exactly zero and a quantized weight always sits on its layer's grid (straight-through
/// estimator: the gradient of the snapped weight is applied to the latent one).
public struct LayoutConstraint: Sendable {
  /// Weights that may be nonzero (nil: all).
  public var keep: [Bool]?
  /// The layer's integer grid (scale and zero point fixed, so a power-of-two scale stays one).
  public var quantized: QuantizedWeights?

  /// The constraint of layer state `state`.
  public init(_ state: LayerCompression) { keep = state.keep; quantized = state.quantized }

  /// Whether the constraint changes nothing.
  var isFree: Bool { keep == nil && quantized == nil }

  /// The weights the network computes with.
  func effective<T: TrainScalar>(_ latent: [T]) -> [T] {
    guard !isFree else { return latent }
    var w = latent
    if let q = quantized { for i in w.indices { w[i] = T(q.snap(Double(w[i]))) } }
    if let keep { for i in w.indices where !keep[i] { w[i] = 0 } }
    return w
  }

  /// Zeroes the gradient of pruned weights, so neither it nor momentum moves them.
  func mask<T: TrainScalar>(_ g: inout [T]) {
    guard let keep else { return }
    for i in g.indices where !keep[i] { g[i] = 0 }
  }
}
