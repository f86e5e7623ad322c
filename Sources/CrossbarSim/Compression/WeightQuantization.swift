import Foundation

// MARK: - The weight quantization rule (shared by the quant-* compressors and inference)

extension QuantizedWeights {
  /// Asymmetric unsigned `bits`-bit weights with an integer zero point, `W ~ S_W (Q_W - Z_W)`.
  /// The range always includes 0 (pruned weights stay exactly `Q_W = Z_W`); `S_W` is
  /// `(max - min) / (2^bits - 1)`, or with `powerOfTwo` the smallest power of two at least that
  /// ([XA]: every rescale is then a shift).
  ///
  /// `values` are replaced in place by the real values the integers stand for (no copy of a
  /// 100 M-weight layer); the result also gives `||W - W'||_F / ||W||_F` (0 for an all-zero layer).
  public static func quantize(_ values: inout [Float], bits: Int, powerOfTwo: Bool) -> (QuantizedWeights, relativeError: Double) {
    let levels = (1 << bits) - 1
    var lo: Float = 0, hi: Float = 0
    for v in values { lo = min(lo, v); hi = max(hi, v) }
    var scale = (Double(hi) - Double(lo)) / Double(levels)
    var exponent: Int?
    if scale <= 0 { scale = 1 }
    if powerOfTwo {
      let a = Int(log2(scale).rounded(.up))
      exponent = a
      scale = pow(2.0, Double(a))
    }
    let zero = min(levels, max(0, Int((-Double(lo) / scale).rounded())))
    let inverse = 1 / scale
    var error = 0.0, norm = 0.0
    values.withUnsafeMutableBufferPointer { v in
      for k in v.indices {
        let x = Double(v[k])
        // Clamp in Double before converting: a value outside the range maps to the nearest level.
        let q = min(Double(levels), max(0, roundHalfAway(powerOfTwo ? x * inverse : x / scale) + Double(zero)))
        let back = Float(scale * (q - Double(zero)))
        let d = x - Double(back)
        error += d * d; norm += x * x
        v[k] = back
      }
    }
    let q = QuantizedWeights(zeroPoint: zero, bits: bits, scale: scale, scaleExponent: exponent)
    return (q, norm > 0 ? (error / norm).squareRoot() : 0)
  }

  /// `y.rounded()` (half away from zero) for `|y| < 2^62` without a libm call: truncation is one
  /// instruction, and `y - trunc(y)` is exact. Every quantized `y` is within `2^16` of zero.
  @inline(__always)
  static func roundHalfAway(_ y: Double) -> Double {
    let t = Double(Int(y))
    let f = y - t
    let up: Double = f >= 0.5 ? 1 : 0, down: Double = f <= -0.5 ? 1 : 0   // selects, not branches
    return t + up - down
  }

  /// Quantizes a copy of `values`: the quantization and the real values the integers stand for.
  public static func quantized(_ values: [Float], bits: Int, powerOfTwo: Bool) -> (QuantizedWeights, values: [Float]) {
    var v = values
    let (q, _) = quantize(&v, bits: bits, powerOfTwo: powerOfTwo)
    return (q, v)
  }
}
