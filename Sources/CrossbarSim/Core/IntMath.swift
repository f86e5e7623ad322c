// MARK: - Small integer helpers

extension Int {
  /// `ceil(log2(self))` for `self >= 1`: the bits that index `self` values (0 for one value).
  var ceilLog2: Int {
    var bits = 0
    while (1 << bits) < self { bits += 1 }
    return bits
  }
}
