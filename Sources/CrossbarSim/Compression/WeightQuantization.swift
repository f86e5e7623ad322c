import Foundation

// MARK: - The weight quantization rule (shared by the quant-* compressors and inference)

extension QuantizedWeights {
  /// Asymmetric unsigned `bits`-bit weights with an integer zero point, `W ~ S_W (Q_W - Z_W)`.
  /// The range always includes 0 (pruned weights stay exactly `Q_W = Z_W`); `S_W` is
  /// `(max - min) / (2^bits - 1)`, or with `powerOfTwo` the smallest power of two at least that
  /// ([XA]: every rescale is then a shift).
  public static func quantize(_ values: [Float], bits: Int, powerOfTwo: Bool) -> QuantizedWeights {
    let levels = (1 << bits) - 1
    let lo = Double(min(0, values.min() ?? 0)), hi = Double(max(0, values.max() ?? 0))
    var scale = (hi - lo) / Double(levels)
    var exponent: Int?
    if scale <= 0 { scale = 1 }
    if powerOfTwo {
      let a = Int(log2(scale).rounded(.up))
      exponent = a
      scale = pow(2.0, Double(a))
    }
    let zero = min(levels, max(0, Int((-lo / scale).rounded())))
    let stored = values.map { min(levels, max(0, Int((Double($0) / scale).rounded()) + zero)) }
    return QuantizedWeights(stored: stored, zeroPoint: zero, bits: bits, scale: scale, scaleExponent: exponent)
  }

  /// The real values the stored integers stand for.
  public var dequantized: [Float] { stored.map { Float(scale * Double($0 - zeroPoint)) } }
}
