import CrossbarSim
import Foundation

// MARK: - report.html of a sweep folder

/// The page of a sweep: the base run and the grid in a paragraph, the verdict (the Pareto front as
/// a labelled table: each front point's design and objectives), the Pareto plot, every point, the
/// failures, and links to the files.
enum SweepReportPage {
  static func html(_ table: SweepTable) -> String {
    let spec = table.spec, front = table.front
    let finished = table.rows.filter(\.ok), ok = finished.count
    let arch = URL(fileURLWithPath: spec.base.arch.name).lastPathComponent
    let workload = URL(fileURLWithPath: spec.base.workload).lastPathComponent
    var page = HTMLPage(title: "Sweep: \(workload) on \(arch), \(table.rows.count) design points")
    page.paragraph(setupSentence(spec), cssClass: "setup")
    let objectives = spec.objectives.map { o in
      "\(Metric.named(o.metric)?.label ?? o.metric) (\(o.maximise ? "higher" : "lower") is better)"
    }
    var verdict = ["Pareto front: \(front.count) of \(ok) finished point\(ok == 1 ? "" : "s") on " +
                   objectives.joined(separator: ", ") + "; no other point is at least as good on every objective " +
                   "and better on one."]
    if ok < table.rows.count { verdict.append("\(table.rows.count - ok) points failed (listed below).") }
    let frontRows = table.rows.filter { front.contains($0.point) }
    for o in spec.objectives {
      guard let i = spec.metrics.firstIndex(where: { $0.column == o.metric }) else { continue }
      let scored = frontRows.compactMap { r in Double(r.metrics[i]).map { (r, $0) } }
      guard let best = o.maximise ? scored.max(by: { $0.1 < $1.1 }) : scored.min(by: { $0.1 < $1.1 }) else { continue }
      let m = spec.metrics[i]
      verdict.append("Best \(m.label): #\(best.0.point) (\(design(spec, best.0))) at " +
                     "\(HTMLPage.figure(best.1 / m.axisDivisor)) \(m.axisUnit).")
    }
    if let c = spec.metrics.firstIndex(where: { $0.name == "lossyADCLayers" }) {
      let clipping = frontRows.filter { (Double($0.metrics[c]) ?? 0) > 0 }
      if !clipping.isEmpty {
        verdict.append("Warning: \(clipping.count) of the \(frontRows.count) front points have ADCs that clip column " +
            "sums (" + clipping.prefix(4).map { "#\($0.point): \($0.metrics[c]) layers" }.joined(separator: ", ") +
            "\(clipping.count > 4 ? ", ..." : "")): they save ADC energy by losing bits, so weigh them by accuracy " +
            "(base `eval:`) or add `lossyADCLayers` as an objective.")
      }
    }
    page.verdict(verdict)
    page.heading("Pareto front")
    let shown = shownMetrics(spec)
    page.table(header: ["point"] + spec.parameters.map(\.name) + shown.map(\.1.axisLabel) + ["limited by"],
               rows: frontRows.map { row($0, spec: spec, shown: shown) })
    page.svg(SweepPlots.pareto(table))
    page.heading("Every point")
    // Only the rows the page shows are built: a sweep of millions of points stays one page.
    let listed = finished.prefix(400)
    page.table(header: ["point"] + spec.parameters.map(\.name) + shown.map(\.1.axisLabel) + ["limited by"],
               rows: listed.map { row($0, spec: spec, shown: shown) },
               highlight: Set(listed.enumerated().filter { front.contains($0.element.point) }.map(\.offset)),
               total: ok, caption: "Front points shaded.")
    let failed = table.rows.filter { !$0.ok }
    if !failed.isEmpty {
      page.heading("Failed points")
      page.table(header: ["point"] + spec.parameters.map(\.name) + ["error"],
                 rows: failed.prefix(100).map { [String($0.point)] + $0.values + [$0.error] }, limit: 100,
                 total: failed.count)
    }
    page.heading("Files")
    page.links(SweepOutputs.files.filter { $0.name != "report.html" }.map { ($0.name, $0.about) })
    return page.html
  }

  /// The base run, the grid and the sampling in one paragraph.
  static func setupSentence(_ spec: SweepSpec) -> String {
    let b = spec.base
    let compress = b.compress.isEmpty ? "none" : b.compress.map(\.text).joined(separator: " + ")
    var t = "Base run: workload `\(b.workload)`, mapper `\(b.mapper.text)`, compression `\(compress)`, " +
        "\(b.schedule.rawValue) schedule, \(b.images) image\(b.images == 1 ? "" : "s"), replication `\(b.replicate)`"
    if !b.set.isEmpty { t += ", " + b.set.map { "`--set \($0)`" }.joined(separator: ", ") }
    t += ". Grid: " + spec.parameters.map { p -> String in
      switch p.domain {
      case .list(let v):
        let values = v.map(\.text).joined(separator: ", ")
        if p.target == .tied {
          return "`\(p.name)` ties \(p.members.map { "`\($0.name)`" }.joined(separator: ", ")) in " +
              "\(v.count) designs (\(values))"
        }
        return "`\(p.name)` in {\(values)}"
      case let .range(lo, hi, log, integer):
        return "`\(p.name)` in [\(StatNode.number(lo)), \(StatNode.number(hi))]\(log ? " log" : "")" +
            "\(integer ? " whole numbers" : "")"
      }
    }.joined(separator: "; ")
    if let r = spec.random { t += "; \(r.points) points drawn at random (seed \(r.seed))" }
    if let f = spec.fineTune { t += "; every point fine-tuned \(f.options.epochs) epochs on `\(f.train)`" }
    return t + "."
  }

  /// The objectives first, then the other headline figures.
  static func shownMetrics(_ spec: SweepSpec) -> [(Int, Metric)] {
    let objectives = spec.objectives.compactMap { o in spec.metrics.firstIndex { $0.column == o.metric } }
    let others = ["firstImageLatency", "imagesPerSecond", "energyPerImage", "usedArea", "crossbars", "params",
                  "spilledBytesPerImage",
                  "lossyADCLayers", "top1"].compactMap { n in spec.metrics.firstIndex { $0.name == n } }
      .filter { !objectives.contains($0) }
    return (objectives + others).map { ($0, spec.metrics[$0]) }
  }

  static func row(_ r: SweepRow, spec: SweepSpec, shown: [(Int, Metric)]) -> [String] {
    let limit = spec.metrics.firstIndex { $0.name == "limitedBy" }.map { r.metrics[$0] } ?? ""
    return ["#\(r.point)"] + r.values + shown.map { i, m in
      Double(r.metrics[i]).map { StatNode.number($0 / m.axisDivisor) } ?? r.metrics[i]
    } + [limit]
  }

  /// A point's design: its grid values, `key=value, ...`.
  static func design(_ spec: SweepSpec, _ r: SweepRow) -> String {
    zip(spec.parameters, r.values).map { "\($0.name)=\($1)" }.joined(separator: ", ")
  }
}
