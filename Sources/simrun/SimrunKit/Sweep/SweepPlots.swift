import Foundation

/// SVG figures of a sweep.
enum SweepPlots {
  /// Every finished point on the first two objectives, the Pareto front joined in a line; axes
  /// are labelled and scaled as the objectives' metrics say.
  static func pareto(_ table: SweepTable) -> String {
    let o = table.spec.objectives, metrics = table.spec.metrics
    let xi = metrics.firstIndex { $0.column == o[0].metric }!, yi = metrics.firstIndex { $0.column == o[1].metric }!
    let (xm, ym) = (metrics[xi], metrics[yi])
    let front = table.front
    var others: [(Double, Double)] = [], best: [(Double, Double)] = []
    var otherNames: [String] = [], bestNames: [String] = [], bestMarks: [String] = []
    for r in table.rows where r.ok {
      guard let x = Double(r.metrics[xi]), let y = Double(r.metrics[yi]) else { continue }
      let p = (x / xm.axisDivisor, y / ym.axisDivisor)
      // The tooltip names the design by its grid values, as results.csv's row does.
      let name = "point \(r.point) (" + zip(table.spec.parameters, r.values).map { "\($0.name)=\($1)" }
        .joined(separator: ", ") + ")"
      if front.contains(r.point) {
        best.append(p); bestNames.append(name); bestMarks.append("#\(r.point)")
      } else {
        others.append(p); otherNames.append(name)
      }
    }
    func better(_ max: Bool) -> String { max ? "higher is better" : "lower is better" }
    let more = o.count > 2 ? " (front on all \(o.count) objectives)" : ""
    let b = table.spec.base
    let arch = URL(fileURLWithPath: b.arch.name).lastPathComponent
    let compression = b.compress.isEmpty ? "dense" : b.compress.map(\.text).joined(separator: " + ")
    return SVGChart.scatter(
      title: "\(URL(fileURLWithPath: b.workload).lastPathComponent) on \(arch) (\(b.mapper.text), " +
          "\(compression) unless varied): Pareto front, \(best.count) of \(best.count + others.count) design " +
          "points\(more)",
      xLabel: "\(xm.axisLabel), \(better(o[0].maximise))", yLabel: "\(ym.axisLabel), \(better(o[1].maximise))",
      series: [("design point", others, false), ("Pareto front (#point)", best, true)],
      names: [otherNames, bestNames], marks: [[], bestMarks])
  }
}
