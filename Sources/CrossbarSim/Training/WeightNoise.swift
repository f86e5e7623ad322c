import Foundation

// MARK: - Noise-aware training: the cells' programming variation in the forward pass

/// Programming variation injected into the weights during training (hardware-aware training as
/// aihwkit does it), with the cell model `eval` uses: each cell of a weight's stored integer
/// `Q_W = W / S_W + Z_W` (its `bitsPerCell`-bit digits `c_k`) conducts `c_k (1 + sigma n_k)`, so the
/// weight moves by `S_W sigma sqrt(sum_k (2^(k bits) c_k)^2) n`, `n ~ N(0, 1)`, drawn afresh for
/// every batch. The grid is the layer's own when quantized, else the `quant-pow2` grid at
/// `weightBits` that the crossbar path uses. The gradient passes straight through the noise.
public struct WeightNoise: Sendable {
  /// Relative sigma of a cell's conductance.
  public var sigma: Double
  /// Bits per cell.
  public var bitsPerCell: Int
  /// Weight precision for layers without their own grid.
  public var weightBits: Int
  /// Seed of the draws.
  public var seed: UInt64

  /// Noise of `sigma` on cells of `bitsPerCell` bits, weights of `weightBits` bits.
  public init(sigma: Double, bitsPerCell: Int, weightBits: Int, seed: UInt64) {
    self.sigma = sigma; self.bitsPerCell = bitsPerCell; self.weightBits = weightBits; self.seed = seed
  }

  /// Checks the ranges.
  func validate() throws {
    guard sigma >= 0, sigma.isFinite, (1...8).contains(bitsPerCell), (1...16).contains(weightBits) else {
      throw InputError("noise-aware training: sigma >= 0, bitsPerCell in 1...8, weightBits in 1...16 (got sigma " +
          "\(sigma), bitsPerCell \(bitsPerCell), weightBits \(weightBits))")
    }
  }

  /// Each layer's grid: its own, or the crossbar path's default for its starting weights.
  func grids(_ model: CompressedModel) -> [QuantizedWeights?] {
    model.weights.layers.enumerated().map { i, w in
      guard let w else { return nil }
      return model.layers[i].quantized ?? QuantizedWeights.quantized(w.values, bits: weightBits, powerOfTwo: true).0
    }
  }

  /// Adds one draw of the noise to every weight of `p`.
  func perturb(_ p: inout TrainableParameters<Float>, grids: [QuantizedWeights?], rng: inout SeededGenerator) {
    let mask = (1 << bitsPerCell) - 1
    for i in p.weights.indices {
      guard let grid = grids[i], p.weights[i] != nil else { continue }
      let levels = (1 << grid.bits) - 1
      p.weights[i]!.withUnsafeMutableBufferPointer { w in
        for j in w.indices {
          let q = min(levels, max(0, Int((Double(w[j]) / grid.scale).rounded()) + grid.zeroPoint))
          var sum = 0.0, rest = q, weight = 1.0
          while rest > 0 {
            let c = Double(rest & mask) * weight
            sum += c * c
            rest >>= bitsPerCell; weight *= Double(1 << bitsPerCell)
          }
          w[j] += Float(grid.scale * sigma * sum.squareRoot() * rng.gaussian())
        }
      }
    }
  }
}
