import Foundation

/// SVG figures of a comparison.
enum ComparePlots {
  /// Energy per image by component class, one stacked bar per configuration [µJ].
  static func energyBreakdown(_ table: CompareTable) -> String {
    let classes = table.classes.filter { c in table.rows.contains { r in (r.energyByClassPJ.first { $0.0 == c }?.1 ?? 0) > 0 } }
    let bars = table.rows.map { r in (r.label, classes.map { c in (r.energyByClassPJ.first { $0.0 == c }?.1 ?? 0) / 1e6 }) }
    return SVGChart.stackedBars(title: "Energy per image by component class", yLabel: "energy per image [µJ]",
                                bars: bars, series: classes)
  }
}
