import Foundation

// MARK: - Random initial weights for training from scratch

extension NetworkWeights {
  /// He-normal weights (`N(0, 2 / fan_in)`, He et al. 2015, PyTorch's `kaiming_normal_`) and zero
  /// biases for every matrix layer of `network`, seeded.
  public static func heNormal(for network: Network, seed: UInt64) -> NetworkWeights {
    var rng = SeededGenerator(seed: seed)
    return NetworkWeights(layers: network.layers.map { l in
      guard l.operation.isMatrix else { return nil }
      let sigma = (2.0 / Double(l.weightRows)).squareRoot()
      let values = (0..<l.parameters).map { _ in Float(sigma * rng.gaussian()) }
      return LayerWeights(values: values, outputs: l.weightColumns, inputs: l.weightRows,
                          bias: [Float](repeating: 0, count: l.weightColumns))
    })
  }
}
