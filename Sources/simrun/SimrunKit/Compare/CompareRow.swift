import CrossbarSim
import Foundation

// MARK: - One row of a comparison, and the tables of rows

/// What one configuration cost and kept: its label, mapper and compressors, every `Metric`, and
/// how close it got to the budget.
public struct CompareRow: Sendable {
  /// Row label.
  public var label: String
  /// The mapper, as `kind:options`.
  public var mapper: String
  /// The compressor steps, `-` for none.
  public var compressors: String
  /// `Metric.all`'s values, nil where the run lacks one.
  public var metrics: [Double?]
  /// The budget asked for (nil: none applied).
  public var budgetTarget: String?
  /// How close the row got to it.
  public var budgetNote = ""
  /// Images the run streamed (with one, images/s is 1 / latency, not a throughput).
  public var images = 1
  /// Whether images/s is a steady-state throughput (`SimulationResult.isSteadyState`).
  public var isSteadyState = false
  /// The busiest unit and how busy (`layer2.0.conv1 crossbars (71 %)`, `router3.local (97 %)`).
  public var limitedBy = ""
  /// Where the run's weights came from (`Workbench.weightsSource`).
  public var weights = ""

  /// The row of `run`, labelled `label`.
  public init(label: String, run: RunOutcome) {
    self.label = label
    mapper = run.setup.mapper.text
    compressors = run.setup.compress.isEmpty ? "-" : run.setup.compress.map(\.text).joined(separator: " + ")
    metrics = Metric.all.map { $0.value(run) }
    images = run.result.images
    isSteadyState = run.result.isSteadyState
    limitedBy = run.result.limitedByText ?? ""
    weights = run.bench.weightsSource
  }

  /// The value of the metric named `name`.
  public subscript(_ name: String) -> Double? {
    Metric.all.firstIndex { $0.name == name }.flatMap { metrics[$0] }
  }
}

/// `compare.csv`, `compare.json` and the terminal table of a set of rows.
public struct CompareTable: Sendable {
  /// The rows, in the variants' order.
  public var rows: [CompareRow]
  /// The row the ratios divide by.
  public var baseline: Int
  /// What the comparison ran on (nil: not recorded, for a table built by hand).
  public var setup: CompareSetup?
  /// Each row's run folder under the comparison's folder (`runs/LABEL`), in row order; empty when
  /// none was written.
  public var runFolders: [String] = []

  /// A table of `rows`, ratios to row `baseline`.
  public init(rows: [CompareRow], baseline: Int, setup: CompareSetup? = nil) {
    self.rows = rows; self.baseline = baseline; self.setup = setup
  }

  /// Metrics with a ratio column, and their indices in `Metric.all`.
  static var ratios: [(Int, Metric)] {
    Metric.all.enumerated().filter { $0.element.ratio != nil }.map { ($0.offset, $0.element) }
  }

  func ratio(_ row: CompareRow, _ i: Int) -> Double? {
    guard let b = rows[baseline].metrics[i], b != 0, let v = row.metrics[i] else { return nil }
    return v / b
  }

  /// A cell of the CSV and JSON tables.
  enum Cell { case text(String), number(Double?) }

  /// Column names and cells, in CSV order.
  func cells(_ r: CompareRow) -> [(String, Cell)] {
    var f: [(String, Cell)] = [("label", .text(r.label)), ("mapper", .text(r.mapper)),
                               ("compressors", .text(r.compressors))]
    let fineTuned = rows.contains { $0["top1Before"] != nil }
    f += zip(Metric.all, r.metrics).filter { !$0.0.needsFineTune || fineTuned }.map { ($0.column, .number($1)) }
    f += [("budget", .number(r.budgetTarget.flatMap(Double.init))), ("budgetNote", .text(r.budgetNote)),
          ("limitedBy", .text(r.limitedBy))]
    f += Self.ratios.map { i, m in ("\(m.ratio!)VsBaseline", .number(ratio(r, i))) }
    return f
  }

  /// `compare.csv`.
  public var csv: String {
    guard let first = rows.first else { return "" }
    var t = CSVTable(header: cells(first).map(\.0))
    for r in rows {
      t.append(cells(r).map { _, c in
        switch c {
        case .text(let s): s
        case .number(let v): v.map(StatNode.number) ?? ""
        }
      })
    }
    return t.text
  }

  /// `compare.json`: `{"setup": {...}, "rows": [...]}`, the setup as `CompareSetup.json` (null when
  /// not recorded) and the rows as objects with the CSV's columns, numbers as numbers and empty cells
  /// null, each with `runFolder` when the comparison wrote one.
  public var json: String {
    JSONValue.object([
      .init("setup", setup?.json ?? .null),
      .init("rows", .array(rows.indices.map { i in
        var fields: [JSONValue.Member] = cells(rows[i]).map { k, c in
          switch c {
          case .text(let s): .init(k, s.isEmpty ? .null : .string(s))
          case .number(let v): .init(k, .numberOrNull(v))
          }
        }
        if i < runFolders.count { fields.append(.init("runFolder", .string(runFolders[i]))) }
        return .object(fields)
      })),
    ]).document
  }

  /// The terminal table (Markdown).
  public var markdown: String {
    let b = rows[baseline].label
    let hasAccuracy = rows.contains { $0["top1"] != nil }, fineTuned = rows.contains { $0["top1Before"] != nil }
    var header = ["label", "mapper", "compressors", "params", "crossbars", "cycles", "latency [µs]", "images/s",
                  "energy/img [µJ]", "area [mm²]", "EDP vs \(b)", "spill/img [KB]", "clipping ADC layers",
                  "rel. error"]
    if hasAccuracy { header += fineTuned ? ["top-1 before", "top-1 after"] : ["top-1"] }
    header += ["limited by", "budget"]
    let edp = Metric.all.firstIndex { $0.name == "edp" }!
    var lines = ["| " + header.joined(separator: " | ") + " |",
                 "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
    for r in rows {
      func v(_ name: String) -> Double { r[name] ?? 0 }
      var cells = [r.label, "`\(r.mapper)`", r.compressors == "-" ? "-" : "`\(r.compressors)`", "\(Int(v("params")))",
                   "\(Int(v("crossbars")))", "\(Int(v("computingCycles")))", String(format: "%.2f",
                       v("firstImageLatency") / 1e3),
                   String(format: "%.0f", v("imagesPerSecond")) + (r.images == 1 ? "*" : r.isSteadyState ? "" : "†"),
                   String(format: "%.3f", v("energyPerImage") / 1e6),
                   String(format: "%.3f", v("usedArea")), ratio(r, edp).map { String(format: "%.2fx", $0) } ?? "-",
                   String(format: "%.1f", v("spilledBytesPerImage") / 1e3), "\(Int(v("lossyADCLayers")))",
                   String(format: "%.4f", v("relativeError"))]
      let percent = { (name: String) in r[name].map { String(format: "%.2f %%", 100 * $0) } ?? "-" }
      if hasAccuracy { cells += fineTuned ? [percent("top1Before"), percent("top1After")] : [percent("top1")] }
      cells += [r.limitedBy.isEmpty ? "-" : r.limitedBy, r.budgetNote.isEmpty ? "-" : r.budgetNote]
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    if rows.contains(where: { $0.images == 1 }) {
      lines.append("")
      lines.append("\\* one image: images/s is 1 / latency, not a throughput; stream images (`--images 16`) for the " +
          "pipeline's steady state")
    }
    if rows.contains(where: { $0.images > 1 && !$0.isSteadyState }) {
      lines.append("")
      lines.append("† not steady: fewer than twice the images the pipeline holds (first-image latency / " +
          "interval), so " +
          "the interval still includes the fill; stream more images")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
