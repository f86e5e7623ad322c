import CrossbarSim
import Foundation

// MARK: - report.html of a compare folder

/// The page of a comparison: the setup, the verdict (the best configuration on each figure, then
/// each configuration's ratios to the baseline and what limits it), the table, the energy plot,
/// and links to the files and to each configuration's own report.
enum CompareReportPage {
  /// The figures the verdict ranks, with whether more is better.
  static let ranked: [(metric: String, words: String, more: Bool)] = [
    ("edp", "energy-delay product", false), ("energyPerImage", "energy per image", false),
    ("firstImageLatency", "first-image latency", false), ("imagesPerSecond", "throughput", true),
    ("usedArea", "used area", false), ("top1", "top-1", true),
  ]

  static func html(_ table: CompareTable) -> String {
    let setup = table.setup
    let base = table.rows[table.baseline]
    var page = HTMLPage(title: setup.map { "Compare: \($0.network) on \($0.arch) at --match \($0.match)" }
                          ?? "Compare")
    if let setup { page.paragraph(setup.sentence, cssClass: "setup") }
    page.verdict(verdict(table))
    page.heading("Configurations")
    page.table(header: ["label", "mapper", "compressors", "weights kept", "crossbars", "latency [µs]", "images/s",
                        "energy/img [µJ]", "used area [mm²]", "EDP vs \(base.label)", "spilled/img [KB]",
                        "clipping ADC layers", "rel. error", "top-1 [%]", "limited by", "budget"],
               rows: table.rows.map { r in
                 func v(_ name: String, _ d: Double = 1) -> String { r[name].map { StatNode.number($0 / d) } ?? "" }
                 let edp = Metric.all.firstIndex { $0.name == "edp" }!
                 return [r.label, r.mapper, r.compressors, v("params"), v("crossbars"), v("firstImageLatency", 1e3),
                         v("imagesPerSecond"), v("energyPerImage", 1e6), v("usedArea"),
                         table.ratio(r, edp).map { String(format: "%.3f", $0) } ?? "", v("spilledBytesPerImage", 1e3),
                         v("lossyADCLayers"), v("relativeError"), v("top1", 0.01), r.limitedBy, r.budgetNote]
               }, highlight: [table.baseline])
    if table.rows.contains(where: { $0.images == 1 }) {
      page.paragraph("One image: images/s is 1 / latency, not a throughput; stream images (`--images 16`) for the " +
                     "pipeline's steady state.", cssClass: "note")
    }
    page.heading("Energy per image")
    page.svg(ComparePlots.energyBreakdown(table))
    page.heading("Files")
    var links = CompareOutputs.files.filter { $0.name != "report.html" }.map { ($0.name, $0.about) }
    for (r, folder) in zip(table.rows, table.runFolders) {
      links.append(("\(folder)/report.html", "\(r.label): its own run folder and report"))
    }
    page.links(links)
    return page.html
  }

  /// The best configuration on each ranked figure, then one line per configuration.
  static func verdict(_ table: CompareTable) -> [String] {
    let base = table.rows[table.baseline]
    var best: [String] = [], even: [String] = []
    for (metric, words, more) in ranked {
      let rows = table.rows.compactMap { r in r[metric].map { (r, $0) } }
      guard rows.count > 1, let top = (more ? rows.max { $0.1 < $1.1 } : rows.min { $0.1 < $1.1 }) else { continue }
      let ratio = base[metric].flatMap { $0 != 0 ? top.1 / $0 : nil }
      // A best within 1 % of the baseline is no win: say that none beats it.
      if let ratio, abs(ratio - 1) < 0.01 { even.append(words); continue }
      best.append("\(more ? "highest" : "lowest") \(words): `\(top.0.label)`" +
                  (ratio.map { String(format: " (%.2fx)", $0) } ?? ""))
    }
    var first = best.isEmpty ? "" : "Best of \(table.rows.count), ratios to \(base.label): " +
        best.joined(separator: "; ") + "."
    if !even.isEmpty {
      first += (first.isEmpty ? "" : " ") + "None beats \(base.label) by 1 % or more on " +
          even.joined(separator: ", ") + "."
    }
    var lines = [table.rows.count == 1 ? "One configuration." : first]
    for r in table.rows {
      var parts: [String] = []
      if r.label == base.label {
        parts.append("the baseline")
      } else {
        for (metric, words) in [("firstImageLatency", "latency"), ("energyPerImage", "energy"),
                                ("usedArea", "area"), ("edp", "EDP")] {
          if let v = r[metric], let b = base[metric], b != 0 { parts.append(String(format: "%@ %.2fx", words, v / b)) }
        }
      }
      if let p = r["params"] { parts.append("\(Int(p)) weights") }
      if let e = r["relativeError"], e > 0 { parts.append(String(format: "weight error %.3f", e)) }
      if let t = r["top1"] { parts.append(String(format: "top-1 %.2f %%", 100 * t)) }
      if let s = r["spilledBytesPerImage"], s > 0 { parts.append(String(format: "spills %.1f KB/image", s / 1e3)) }
      if let c = r["lossyADCLayers"], c > 0 { parts.append("ADC clips in \(Int(c)) layer\(c == 1 ? "" : "s")") }
      if !r.limitedBy.isEmpty { parts.append("limited by `\(r.limitedBy)`") }
      lines.append("`\(r.label)` (`\(r.mapper)`\(r.compressors == "-" ? "" : ", `\(r.compressors)`")): " +
                   parts.joined(separator: ", ") + (r.budgetNote.isEmpty ? "" : "; \(r.budgetNote)") + ".")
    }
    return lines
  }
}
