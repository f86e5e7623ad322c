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
  public static func quantize(_ values: inout [Float], bits: Int, powerOfTwo: Bool) -> (QuantizedWeights,
      relativeError: Double) {
    let levels = (1 << bits) - 1
    let (lo, hi) = range(values)
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
        // |x / scale| <= levels < 2^16: round half away from zero through an integer truncation
        // (`y - trunc(y)` is exact), then clamp as integers.
        let q = level(powerOfTwo ? x * inverse : x / scale, zero: zero, levels: levels)
        let back = Float(scale * Double(q - zero))
        let d = x - Double(back)
        error += d * d; norm += x * x
        v[k] = back
      }
    }
    let q = QuantizedWeights(zeroPoint: zero, bits: bits, scale: scale, scaleExponent: exponent)
    return (q, norm > 0 ? (error / norm).squareRoot() : 0)
  }

  /// The stored level of `y = x / S_W`: rounded half away from zero through an integer truncation
  /// (`y - trunc(y)` is exact for `|y| < 2^16`), offset by the zero point and clamped to `0...levels`.
  @inline(__always)
  static func level(_ y: Double, zero: Int, levels: Int) -> Int {
    let t = Int(y), f = y - Double(t)
    let q = t + (f >= 0.5 ? 1 : 0) - (f <= -0.5 ? 1 : 0) + zero
    return q < 0 ? 0 : (q > levels ? levels : q)
  }

  /// The real value `x` snaps to on this layer's grid (fake quantization in training): the same
  /// rounding and clamping as `quantize`, with this scale and zero point kept.
  public func snap(_ x: Double) -> Float {
    let y = x / scale
    guard y.magnitude < 65_536 else { return Float(scale * Double((y < 0 ? 0 : (1 << bits) - 1) - zeroPoint)) }
    return Float(scale * Double(Self.level(y, zero: zeroPoint, levels: (1 << bits) - 1) - zeroPoint))
  }

  /// The smallest and largest value and 0 (the range always includes 0). Four running extremes
  /// instead of one: the same result (min and max do not depend on order), a quarter of the chain.
  static func range(_ values: [Float]) -> (lo: Float, hi: Float) {
    var lo = SIMD4<Float>(repeating: 0), hi = SIMD4<Float>(repeating: 0)
    values.withUnsafeBufferPointer { v in
      let whole = v.count / 4 * 4
      for k in stride(from: 0, to: whole, by: 4) {
        let x = SIMD4(v[k], v[k + 1], v[k + 2], v[k + 3])
        lo = pointwiseMin(lo, x); hi = pointwiseMax(hi, x)
      }
      for k in whole..<v.count { lo[0] = min(lo[0], v[k]); hi[0] = max(hi[0], v[k]) }
    }
    return (lo.min(), hi.max())
  }

  /// Quantizes a copy of `values`: the quantization and the real values the integers stand for.
  public static func quantized(_ values: [Float], bits: Int, powerOfTwo: Bool) -> (QuantizedWeights, values: [Float]) {
    var v = values
    let (q, _) = quantize(&v, bits: bits, powerOfTwo: powerOfTwo)
    return (q, v)
  }
}

/// Symmetric per-output-channel quantization of a layer's weights (`data.weightScales: channel`):
/// `S[o] = max |W[o, :]| / (2^(b-1) - 1)`, or the smallest power of two at least that, and levels
/// `q = round(W / S[o])` in `-(2^(b-1) - 1) ... 2^(b-1) - 1` (stored with the offset `2^(b-1)`).
public struct ChannelQuantization: Sendable {
  /// Signed levels, row-major like the weights.
  public var levels: [Int]
  /// Scale of each output channel.
  public var scales: [Double]

  /// Quantizes `w` with `bits` bits.
  public init(_ w: LayerWeights, bits: Int, powerOfTwo: Bool) {
    let qmax = (1 << (bits - 1)) - 1
    levels = Array(repeating: 0, count: w.values.count)
    scales = []
    for o in 0..<w.outputs {
      let row = (o * w.inputs)..<((o + 1) * w.inputs)
      let peak = w.values[row].reduce(0.0) { max($0, Double(abs($1))) }
      var s = peak > 0 && peak.isFinite ? peak / Double(qmax) : 1
      if powerOfTwo { s = pow(2, log2(s).rounded(.up)) }
      scales.append(s)
      for k in row {
        levels[k] = max(-qmax, min(qmax, Int(clampedCode: Double(w.values[k]) / s)))
      }
    }
  }
}
