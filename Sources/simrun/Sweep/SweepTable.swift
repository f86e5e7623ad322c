import CrossbarSim
import Foundation

// MARK: - Results of a sweep: rows, objectives, Pareto front, results.csv

/// The results every design point reports, in CSV order.
enum SweepMetrics {
  static let names: [String] = ["params", "crossbars", "computingCycles", "firstImageLatencyNs", "imagesPerSecond", "energyPerImagePJ"]
    + EnergyClass.allCases.map { "energy.\($0.rawValue)PJ" } + ["usedAreaMm2", "edpPJNs", "relativeError"]

  /// Results where more is better (every other one is minimised).
  static let maximised: Set<String> = ["imagesPerSecond"]

  /// Units the column names end in, for objectives named without them (`energyPerImage`).
  static let units = ["PJNs", "PJ", "Ns", "Mm2"]

  static func values(_ run: RunOutcome) -> [String] {
    let r = CompareRow(label: "", variant: CompareVariant(label: "", mapper: run.setup.mapper, compress: run.setup.compress), run: run)
    func n(_ v: Double) -> String { StatNode.number(v) }
    let byClass = Dictionary(r.energyByClassPJ, uniquingKeysWith: +)
    return ["\(r.params)", "\(r.crossbars)", "\(r.computingCycles)", n(r.firstImageLatencyNs), n(r.imagesPerSecond), n(r.energyPerImagePJ)]
      + EnergyClass.allCases.map { n(byClass[$0.rawValue] ?? 0) } + [n(r.usedAreaMm2), n(r.edp), n(r.relativeError)]
  }
}

/// A result to optimise: `energyPerImage`, `max:top1`, ... (direction defaults to the result's own).
struct SweepObjective: Sendable, Equatable {
  let metric: String
  let maximise: Bool

  init(parsing text: String, source: String) throws {
    var name = text, direction: Bool?
    if let c = text.firstIndex(of: ":") {
      let d = String(text[..<c])
      guard d == "min" || d == "max" else { throw InputError("\(source): objective '\(text)': expected min:NAME or max:NAME") }
      direction = d == "max"
      name = String(text[text.index(after: c)...])
    }
    guard let m = SweepMetrics.names.first(where: { $0 == name }) ?? SweepMetrics.names.first(where: { m in
      SweepMetrics.units.contains { name + $0 == m } }) else {
      throw InputError("\(source): objective '\(text)' is not a result (results: \(SweepMetrics.names.joined(separator: ", ")))")
    }
    metric = m
    maximise = direction ?? SweepMetrics.maximised.contains(m)
  }
}

/// One finished design point.
struct SweepRow: Equatable, Sendable {
  var point: Int
  var values: [String]
  var ok: Bool
  /// `SweepMetrics.names` order; empty strings when the point failed.
  var metrics: [String]
  var error: String

  /// A journal line (the results.csv row without the Pareto flag).
  var line: String {
    ([String(point)] + values + [ok ? "ok" : "error"] + metrics + [error]).map(CSV.field).joined(separator: ",")
  }

  /// Parses a journal line of a sweep with `parameters` parameters; nil when it is not one (a torn write).
  init?(line: String, parameters: Int) {
    let f = CSV.fields(line)
    guard f.count == 1 + parameters + 1 + SweepMetrics.names.count + 1, let p = Int(f[0]), p >= 0,
          f[parameters + 1] == "ok" || f[parameters + 1] == "error" else { return nil }
    point = p
    values = Array(f[1...parameters])
    ok = f[parameters + 1] == "ok"
    metrics = Array(f[(parameters + 2)..<(f.count - 1)])
    error = f[f.count - 1]
  }

  init(point: Int, values: [String], ok: Bool, metrics: [String], error: String) {
    self.point = point; self.values = values; self.ok = ok; self.metrics = metrics
    self.error = error.replacingOccurrences(of: "\n", with: "; ")
  }
}

/// `results.csv`: every point in order, with the Pareto flag.
struct SweepTable {
  let spec: SweepSpec
  let rows: [SweepRow]

  init(spec: SweepSpec, rows: [SweepRow]) {
    self.spec = spec
    self.rows = rows.sorted { $0.point < $1.point }
  }

  /// Each objective's value of a row, as minimised (negated when maximised); nil when the point failed.
  func objectives(_ r: SweepRow) -> [Double]? {
    guard r.ok else { return nil }
    var v: [Double] = []
    for o in spec.objectives {
      guard let i = SweepMetrics.names.firstIndex(of: o.metric), let x = Double(r.metrics[i]), x.isFinite else { return nil }
      v.append(o.maximise ? -x : x)
    }
    return v
  }

  /// Points no other point beats on every objective (ties kept).
  var front: Set<Int> {
    let scored = rows.compactMap { r in objectives(r).map { (r.point, $0) } }
    var out = Set<Int>()
    for (p, a) in scored {
      let dominated = scored.contains { _, b in
        zip(b, a).allSatisfy { $0 <= $1 } && zip(b, a).contains { $0 < $1 }
      }
      if !dominated { out.insert(p) }
    }
    return out
  }

  var header: String {
    (["point"] + spec.parameters.map(\.name) + ["status"] + SweepMetrics.names + ["pareto", "error"]).map(CSV.field).joined(separator: ",")
  }

  var csv: String {
    let f = front
    var lines = [header]
    for r in rows {
      lines.append(([String(r.point)] + r.values + [r.ok ? "ok" : "error"] + r.metrics + [f.contains(r.point) ? "1" : "0", r.error])
        .map(CSV.field).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Reads the rows of a results.csv this spec wrote (the Pareto flag is recomputed on write).
  static func rows(results text: String, spec: SweepSpec, source: String) throws -> [SweepRow] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    let header = SweepTable(spec: spec, rows: []).header
    guard lines.first == header else { throw InputError("\(source): not the results.csv of this sweep (its header differs)") }
    return try lines.dropFirst().enumerated().map { i, line in
      var f = CSV.fields(line)
      let pareto = spec.parameters.count + 2 + SweepMetrics.names.count
      guard f.count == pareto + 2 else { throw InputError("\(source): line \(i + 2) has \(f.count) fields, expected \(pareto + 2)") }
      f.remove(at: pareto)
      guard let row = SweepRow(line: f.map(CSV.field).joined(separator: ","), parameters: spec.parameters.count) else {
        throw InputError("\(source): line \(i + 2) is not a design point")
      }
      return row
    }
  }
}
