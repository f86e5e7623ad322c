import Foundation

// MARK: - The one checked conversion from floating point to an integer

extension Int {
  /// Exactly representable whole numbers in a `Double`: `2^53`. Counts, sizes and codes a user
  /// can reach are converted only below it, so a value never wraps or traps.
  public static let checkedLimit = 9_007_199_254_740_992.0

  /// `v` rounded by `rule`, or an `InputError` naming `what` and `v` when `v` is NaN, infinite or
  /// beyond `limit` in magnitude (at most `2^53`). The one place a value from input (an option, a
  /// grid bound, a tensor, a scale) becomes an integer: Swift's `Int(_:)` traps on all three.
  public init(checked v: Double, _ what: @autoclosure () -> String,
              rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero,
              limit: Double = Int.checkedLimit) throws {
    let r = v.rounded(rule), bound = Swift.min(limit, Int.checkedLimit)
    guard r.isFinite, abs(r) <= bound else {
      throw InputError("\(what()) is \(v.isNaN ? "NaN" : String(v)); expected a finite number of magnitude at most "
                       + "\(bound == Int.checkedLimit ? "2^53" : StatNode.number(bound))")
    }
    self = Int(r)
  }

  /// `v` rounded by `rule` and clamped to `range`; NaN becomes `nan`. For values that a rule
  /// documents as saturating (a code beyond its format's range is the format's end), never input
  /// that must be refused.
  public init(saturating v: Double, to range: ClosedRange<Int>, nan: Int = 0,
              rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
    guard !v.isNaN else { self = nan; return }
    let r = v.rounded(rule)
    if r <= Double(range.lowerBound) { self = range.lowerBound }
    else if r >= Double(range.upperBound) { self = range.upperBound }
    else { self = Int(r) }
  }

  /// The nearest integer to `v`, saturated at +-2^53 (NaN gives 0): a code from a computed value.
  /// Codes stay far from `Int`'s ends, so their sums and shifts cannot overflow.
  init(clampedCode v: Double) {
    self.init(saturating: v, to: -(1 << 53)...(1 << 53))
  }
}
