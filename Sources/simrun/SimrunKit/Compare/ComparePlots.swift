import CrossbarSim
import Foundation

/// SVG figures of a comparison.
enum ComparePlots {
  /// One colour per energy class, the same in every plot, no two alike (ADC red, digital near-black,
  /// a light and a dark of one hue only where the classes are far apart in meaning).
  static let classColours: [EnergyClass: String] = [
    .adc: "#e15759", .dac: "#f28e2b", .crossbar: "#4e79a7", .sampleHold: "#76b7b2", .shiftAdd: "#59a14f",
    .registers: "#edc948", .buffer: "#b07aa1", .noc: "#ff9da7", .sparsityTables: "#9c755f", .rescale: "#d9d9d9",
    .digital: "#2b2b2b", .programming: "#a0cbe8", .offChip: "#17becf", .leakage: "#8cd17d",
  ]

  /// Energy per image by component class, one stacked bar per configuration [µJ]; classes no
  /// configuration spends anything on are left out. The title names the workload, the chip and the
  /// budget, the subtitle the rest of the setup.
  static func energyBreakdown(_ table: CompareTable) -> String {
    let classes = EnergyClass.allCases.filter { c in
      table.rows.contains { ($0["energy.\(c.rawValue)"] ?? 0) > 0 }
    }
    let bars = table.rows.map { r in (r.label, classes.map { (r["energy.\($0.rawValue)"] ?? 0) / 1e6 }) }
    var title = "Energy per image by component class"
    var subtitle: String?
    if let s = table.setup {
      title = "\(s.network) on \(s.arch), --match \(s.match): energy per image by component class"
      subtitle = "\(s.archBrief); \(s.schedule), \(s.images) image\(s.images == 1 ? "" : "s"), " +
          "replication \(s.replicate)"
    }
    return SVGChart.stackedBars(title: title, subtitle: subtitle, yLabel: "energy per image [µJ]", bars: bars,
                                series: classes.map(\.rawValue), colours: classes.map { classColours[$0]! })
  }
}
