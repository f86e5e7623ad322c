// MARK: - Plain-text tables for the console

/// Aligned console tables: the first `leftColumns` columns left-aligned, the rest right-aligned.
public struct TextTable: Sendable {
  /// Column headers.
  public var header: [String]
  /// Rows of cells.
  public var rows: [[String]] = []
  /// Rows printed after a rule at the bottom (totals).
  public var footer: [[String]] = []
  /// How many leading columns are text (left-aligned).
  public var leftColumns: Int
  /// Further left-aligned columns (e.g. a trailing note).
  public var leftAlignedColumns: Set<Int> = []

  /// Creates a table with `header`.
  public init(header: [String], leftColumns: Int = 1) { self.header = header; self.leftColumns = leftColumns }

  /// The rendered table, ending in a newline.
  public func render() -> String {
    var widths = header.map(\.count)
    for r in rows + footer {
      for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
    }
    func line(_ r: [String]) -> String {
      var cells: [String] = []
      for (i, w) in widths.enumerated() {
        let c = i < r.count ? r[i] : ""
        let pad = String(repeating: " ", count: w - c.count)
        cells.append(i < leftColumns || leftAlignedColumns.contains(i) ? c + pad : pad + c)
      }
      var s = cells.joined(separator: "  ")
      while s.hasSuffix(" ") { s.removeLast() }
      return s
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    var out = [line(header), rule] + rows.map(line)
    if !footer.isEmpty { out += [rule] + footer.map(line) }
    return out.joined(separator: "\n") + "\n"
  }
}
