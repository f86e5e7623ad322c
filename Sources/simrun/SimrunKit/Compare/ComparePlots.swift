import CrossbarSim
import Foundation

/// SVG figures of a comparison.
enum ComparePlots {
  /// Energy per image by component class, one stacked bar per configuration [µJ]; classes no
  /// configuration spends anything on are left out.
  static func energyBreakdown(_ table: CompareTable) -> String {
    let classes = Metric.all.enumerated().filter { $0.element.name.hasPrefix("energy.") }.filter { i, _ in
      table.rows.contains { ($0.metrics[i] ?? 0) > 0 }
    }
    let bars = table.rows.map { r in (r.label, classes.map { i, m in (r.metrics[i] ?? 0) / m.axisDivisor }) }
    return SVGChart.stackedBars(title: "Energy per image by component class", yLabel: "energy per image [µJ]",
                                bars: bars, series: classes.map { String($0.1.name.dropFirst("energy.".count)) })
  }
}
