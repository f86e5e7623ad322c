import CrossbarSim
import Foundation

// MARK: - One row of a comparison

/// What one configuration cost and kept, as `compare.csv` lists it.
struct CompareRow: Sendable {
  var label: String
  var mapper: String
  var compressors: String
  /// Weights kept over all matrix layers.
  var params: Int
  var crossbars: Int
  /// Crossbar activations per image, summed over layers (the papers' computing cycles).
  var computingCycles: Int
  var firstImageLatencyNs: Double
  var imagesPerSecond: Double
  var energyPerImagePJ: Double
  /// Energy per image by component class [pJ], in `EnergyClass` order.
  var energyByClassPJ: [(String, Double)]
  var usedAreaMm2: Double
  /// Energy per image x first-image latency [pJ·ns].
  var edp: Double
  /// Weight-weighted RMS of the compressed layers' relative reconstruction errors (0 if none).
  var relativeError: Double
  /// Crossbar-path top-1 on `--data` (nil without it).
  var accuracy: Double?
  /// The budget asked for and how close the row got.
  var budgetTarget: String?
  var budgetNote = ""

  init(label: String, variant: CompareVariant, run: RunOutcome) {
    let r = run.result, images = Double(max(1, r.images))
    self.label = label
    mapper = variant.mapper.text
    compressors = variant.compressorsText
    params = run.bench.keptParameters.values.reduce(0, +)
    crossbars = r.layers.reduce(0) { $0 + $1.crossbars }
    computingCycles = r.layers.reduce(0) { $0 + $1.computingCycles }
    firstImageLatencyNs = r.firstImageLatencyNs
    imagesPerSecond = r.imagesPerSecond
    energyPerImagePJ = r.energyPerImagePJ
    energyByClassPJ = r.energyByClass.map { ($0.0.rawValue, $0.1 / images) }
    usedAreaMm2 = r.areaRows.first { $0.scope == "used" && $0.componentClass == "total" }?.areaMm2 ?? 0
    edp = energyPerImagePJ * firstImageLatencyNs
    relativeError = run.bench.records.weightedRelativeError { $0.parametersBefore }
  }

  /// Numeric columns that get a ratio to the baseline row, with their names.
  static var ratioColumns: [(String, KeyPath<CompareRow, Double>)] { [
    ("params", \.paramsValue), ("crossbars", \.crossbarsValue), ("computingCycles", \.cyclesValue),
    ("firstImageLatencyNs", \.firstImageLatencyNs), ("imagesPerSecond", \.imagesPerSecond),
    ("energyPerImagePJ", \.energyPerImagePJ), ("usedAreaMm2", \.usedAreaMm2), ("edp", \.edp),
  ] }
  var paramsValue: Double { Double(params) }
  var crossbarsValue: Double { Double(crossbars) }
  var cyclesValue: Double { Double(computingCycles) }
}

// MARK: - Tables

/// `compare.csv`, `compare.json` and the terminal table of a set of rows.
struct CompareTable {
  var rows: [CompareRow]
  var baseline: Int

  var classes: [String] { rows.first?.energyByClassPJ.map(\.0) ?? [] }

  func ratio(_ row: CompareRow, _ key: KeyPath<CompareRow, Double>) -> Double? {
    let b = rows[baseline][keyPath: key]
    return b != 0 ? row[keyPath: key] / b : nil
  }

  /// Column names and values, in CSV order.
  func fields(_ r: CompareRow) -> [(String, String)] {
    func n(_ v: Double) -> String { StatNode.number(v) }
    var f: [(String, String)] = [
      ("label", r.label), ("mapper", r.mapper), ("compressors", r.compressors), ("params", "\(r.params)"),
      ("crossbars", "\(r.crossbars)"), ("computingCycles", "\(r.computingCycles)"),
      ("firstImageLatencyNs", n(r.firstImageLatencyNs)), ("imagesPerSecond", n(r.imagesPerSecond)),
      ("energyPerImagePJ", n(r.energyPerImagePJ)),
    ]
    f += r.energyByClassPJ.map { ("energy.\($0.0)PJ", n($0.1)) }
    f += [("usedAreaMm2", n(r.usedAreaMm2)), ("edpPJNs", n(r.edp)), ("relativeError", n(r.relativeError)),
          ("top1", r.accuracy.map(n) ?? ""), ("budget", r.budgetTarget ?? ""), ("budgetNote", r.budgetNote)]
    f += CompareRow.ratioColumns.map { name, key in ("\(name)VsBaseline", ratio(r, key).map(n) ?? "") }
    return f
  }

  var csv: String {
    guard let first = rows.first else { return "" }
    var t = CSVTable(header: fields(first).map(\.0))
    for r in rows { t.append(fields(r).map(\.1)) }
    return t.text
  }

  /// Columns written as text in JSON; every other column is a number (or null when empty).
  static let textColumns: Set<String> = ["label", "mapper", "compressors", "budgetNote"]

  /// An array of objects with the CSV's columns (numbers as numbers).
  var json: String {
    JSONValue.array(rows.map { r in
      .object(fields(r).map { k, v in
        .init(k, v.isEmpty ? .null : Self.textColumns.contains(k) ? .string(v) : .number(Double(v) ?? .nan))
      })
    }).document
  }

  /// The terminal table (Markdown).
  var markdown: String {
    let b = rows[baseline].label
    let hasAccuracy = rows.contains { $0.accuracy != nil }
    var header = ["label", "mapper", "compressors", "params", "crossbars", "cycles", "latency [µs]", "images/s",
                  "energy/img [µJ]", "area [mm²]", "EDP vs \(b)", "rel. error"]
    if hasAccuracy { header.append("top-1") }
    header.append("budget")
    var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
    for r in rows {
      var cells = [r.label, "`\(r.mapper)`", r.compressors == "-" ? "-" : "`\(r.compressors)`", "\(r.params)", "\(r.crossbars)",
                   "\(r.computingCycles)", String(format: "%.2f", r.firstImageLatencyNs / 1e3), String(format: "%.0f", r.imagesPerSecond),
                   String(format: "%.3f", r.energyPerImagePJ / 1e6), String(format: "%.3f", r.usedAreaMm2),
                   ratio(r, \.edp).map { String(format: "%.2fx", $0) } ?? "-", String(format: "%.4f", r.relativeError)]
      if hasAccuracy { cells.append(r.accuracy.map { String(format: "%.2f %%", 100 * $0) } ?? "-") }
      cells.append(r.budgetNote.isEmpty ? "-" : r.budgetNote)
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
