// MARK: - Real-valued weights of a network

/// Weights of one matrix layer as its im2col weight matrix: `outputs` rows of `inputs` values,
/// i.e. PyTorch's `[OC][IC/g][K_h][K_w]` (or `[out][in]` for FC) flattened row-major.
public struct LayerWeights: Sendable, Equatable {
  /// Values, row-major `outputs x inputs`.
  public var values: [Float]
  /// Output channels (matrix rows).
  public var outputs: Int
  /// Inputs per output: `IC/g * K_h * K_w` (matrix columns).
  public var inputs: Int
  /// One bias per output, added digitally after the crossbars (nil: no bias).
  public var bias: [Float]?
  /// Creates weights; `values.count` must be `outputs * inputs`, `bias` one per output.
  public init(values: [Float], outputs: Int, inputs: Int, bias: [Float]? = nil) {
    precondition(values.count == outputs * inputs, "weights \(values.count) != \(outputs) x \(inputs)")
    precondition(bias.map { $0.count == outputs } ?? true, "bias \(bias?.count ?? 0) != \(outputs) outputs")
    self.values = values; self.outputs = outputs; self.inputs = inputs; self.bias = bias
  }
  /// Zeros of the shape of `layer`.
  public init(zerosFor layer: Layer) {
    self.init(values: Array(repeating: 0, count: layer.parameters), outputs: layer.weightColumns,
              inputs: layer.weightRows)
  }
  /// Frobenius norm.
  public var norm: Double { (values.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot() }
  /// Nonzero values.
  public var nonzeros: Int { values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// Weights of every matrix layer of a network (nil for pooling and additions).
public struct NetworkWeights: Sendable, Equatable {
  /// One entry per network layer.
  public var layers: [LayerWeights?]
  /// Creates network weights.
  public init(layers: [LayerWeights?]) { self.layers = layers }

  /// Checks shapes against `network` and that every value is finite; errors name the layer.
  public func validate(for network: Network, source: String) throws {
    guard layers.count == network.layers.count else {
      throw InputError("\(source): weights for \(layers.count) layers, the network has \(network.layers.count)")
    }
    for (l, w) in zip(network.layers, layers) {
      guard l.operation.isMatrix else { continue }
      guard let w else { throw InputError("\(source): no weights for layer \(l.name)") }
      guard w.outputs == l.weightColumns, w.inputs == l.weightRows else {
        throw InputError("\(source): layer \(l.name) weights are \(w.outputs)x\(w.inputs), " +
            "expected \(l.weightColumns)x\(l.weightRows)")
      }
      if let bad = w.values.firstIndex(where: { !$0.isFinite }) {
        throw InputError("\(source): layer \(l.name) weight \(bad) is \(w.values[bad]); weights must be finite")
      }
      if let b = w.bias, let bad = b.firstIndex(where: { !$0.isFinite }) {
        throw InputError("\(source): layer \(l.name) bias \(bad) is \(b[bad]); biases must be finite")
      }
    }
  }
}
