import Foundation

// MARK: - MSE-optimal clipping of an activation format from a histogram of its magnitudes

/// A tensor's nonzero magnitudes in equal bins from 0 (exact zeros left out: every format holds
/// them without error), and the clip of a `qmax`-code format that errs least on them.
///
/// A format clipping at `C` has the step `s = C / qmax`. Its expected squared error, with each bin's
/// values at its centre `v`: `(v - C)^2` above the clip (saturation), `s^2 / 12` inside it (uniform
/// rounding), and `v^2` below `s / 2` (values that round to 0). Prefix sums of the counts, `v` and
/// `v^2` give each candidate's error in constant time.
struct ActivationClip {
  let binWidth: Double
  /// Prefix sums over bins: counts, `sum v`, `sum v^2` (index `b`: bins `0..<b`).
  let n: [Double], s1: [Double], s2: [Double]

  init(counts: [Int], binWidth: Double) {
    self.binWidth = binWidth
    var n = [0.0], s1 = [0.0], s2 = [0.0]
    for (b, c) in counts.enumerated() {
      let v = (Double(b) + 0.5) * binWidth, k = Double(c)
      n.append(n[b] + k); s1.append(s1[b] + k * v); s2.append(s2[b] + k * v * v)
    }
    self.n = n; self.s1 = s1; self.s2 = s2
  }

  /// Bins whose centre lies below `x`: the prefix length `0...bins`.
  func below(_ x: Double) -> Int { min(n.count - 1, max(0, Int((x / binWidth - 0.5).rounded(.up)))) }

  /// Expected squared error (summed over the values) of the format clipping at `clip` with `qmax` codes.
  func error(clip: Double, qmax: Int) -> Double {
    let step = clip / Double(qmax), bins = n.count - 1
    let zero = below(step / 2), top = max(zero, below(clip.nextUp))
    let under = s2[zero]
    let inside = (n[top] - n[zero]) * step * step / 12
    let over = (s2[bins] - s2[top]) - 2 * clip * (s1[bins] - s1[top]) + clip * clip * (n[bins] - n[top])
    return under + inside + over
  }

  /// The clip at most `limit` with the least error: with power-of-two scales `2^e * qmax` for the
  /// scales from the one covering `limit` down 16 halvings (the first returned as `limit`, whose
  /// format it is); otherwise every bin edge up to `limit`. Ties keep the larger clip.
  func mse(upTo limit: Double, qmax: Int, powerOfTwo: Bool) -> Double {
    guard limit > 0 else { return limit }
    var candidates: [Double] = []
    if powerOfTwo {
      let top = Int(log2(limit / Double(qmax)).rounded(.up))
      candidates = (0...16).map { pow(2, Double(top - $0)) * Double(qmax) }
    } else {
      let edges = max(1, Int((limit / binWidth).rounded(.down)))
      candidates = [limit] + (1..<edges).reversed().map { Double($0) * binWidth }
    }
    var best = candidates[0], least = error(clip: best, qmax: qmax)
    for c in candidates.dropFirst() {
      let e = error(clip: c, qmax: qmax)
      if e < least { best = c; least = e }
    }
    return min(best, limit)
  }
}
