import Foundation

/// SVG figures of a sweep.
enum SweepPlots {
  /// How a result is drawn: axis label with unit, and the factor from the CSV's unit.
  static func axis(_ metric: String) -> (label: String, scale: Double) {
    switch metric {
    case "energyPerImagePJ": return ("energy per image [µJ]", 1e-6)
    case "firstImageLatencyNs": return ("first-image latency [µs]", 1e-3)
    case "imagesPerSecond": return ("throughput [images/s]", 1)
    case "usedAreaMm2": return ("used area [mm²]", 1)
    case "edpPJNs": return ("energy-delay product [µJ·µs]", 1e-9)
    case "params": return ("weights kept [count]", 1)
    case "crossbars": return ("crossbars [count]", 1)
    case "computingCycles": return ("computing cycles [count]", 1)
    case "relativeError": return ("relative reconstruction error [1]", 1)
    default:
      if metric.hasPrefix("energy."), metric.hasSuffix("PJ") {
        return ("\(metric.dropFirst(7).dropLast(2)) energy per image [µJ]", 1e-6)
      }
      return (metric, 1)
    }
  }

  /// Every finished point on the first two objectives, the Pareto front joined in a line.
  static func pareto(_ table: SweepTable) -> String {
    let o = table.spec.objectives
    let (xi, yi) = (SweepMetrics.names.firstIndex(of: o[0].metric)!, SweepMetrics.names.firstIndex(of: o[1].metric)!)
    let (xa, ya) = (axis(o[0].metric), axis(o[1].metric))
    let front = table.front
    var others: [(Double, Double)] = [], best: [(Double, Double)] = []
    for r in table.rows where r.ok {
      guard let x = Double(r.metrics[xi]), let y = Double(r.metrics[yi]) else { continue }
      let p = (x * xa.scale, y * ya.scale)
      if front.contains(r.point) { best.append(p) } else { others.append(p) }
    }
    func better(_ max: Bool) -> String { max ? "higher is better" : "lower is better" }
    let more = o.count > 2 ? " (front on all \(o.count) objectives)" : ""
    return SVGChart.scatter(
      title: "Pareto front: \(best.count) of \(best.count + others.count) design points\(more)",
      xLabel: "\(xa.label), \(better(o[0].maximise))", yLabel: "\(ya.label), \(better(o[1].maximise))",
      series: [("design point", others, false), ("Pareto front", best, true)])
  }
}
