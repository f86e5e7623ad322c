import CrossbarSim
import Foundation

// MARK: - Results of a sweep: rows, objectives, Pareto front, results.csv

/// A result to optimise: `energyPerImage`, `max:top1`, ... (direction defaults to the result's own).
struct SweepObjective: Sendable, Equatable {
  /// The result's column.
  let metric: String
  let maximise: Bool

  init(parsing text: String, metrics: [Metric], source: String) throws {
    var name = text, direction: Bool?
    if let c = text.firstIndex(of: ":") {
      let d = String(text[..<c])
      guard d == "min" || d == "max" else { throw InputError("\(source): objective '\(text)': expected min:NAME or " +
          "max:NAME") }
      direction = d == "max"
      name = String(text[text.index(after: c)...])
    }
    let figures = metrics.filter { !$0.isNote }
    guard let m = figures.first(where: { $0.column == name }) ?? figures.first(where: { $0.name == name }) else {
      let note = metrics.contains { $0.isNote && $0.name == name } ? " but a note about each run" : ""
      throw InputError("\(source): objective '\(text)' is not a result\(note) " +
          "(results: \(figures.map(\.column).joined(separator: ", ")))")
    }
    metric = m.column
    maximise = direction ?? m.isMaximised
  }
}

/// One finished design point.
public struct SweepRow: Equatable, Sendable {
  /// Point index.
  public var point: Int
  /// Parameter values, as the CSV shows them.
  public var values: [String]
  /// Whether the point ran.
  public var ok: Bool
  /// The spec's `metrics` order; empty strings when the point failed.
  var metrics: [String]
  /// Why the point failed (empty when it ran).
  public internal(set) var error: String

  /// A journal line (the results.csv row without the Pareto flag).
  var line: String {
    CSV.line([String(point)] + values + [ok ? "ok" : "error"] + metrics + [error])
  }

  /// Parses a journal line of a sweep with `parameters` parameters and `metrics` results; nil when
  /// it is not one (a torn write).
  init?(line: String, parameters: Int, metrics count: Int) {
    self.init(fields: CSV.fields(line), parameters: parameters, metrics: count)
  }

  /// The same from a record's fields.
  init?(fields f: [String], parameters: Int, metrics count: Int) {
    guard f.count == 1 + parameters + 1 + count + 1, let p = Int(f[0]), p >= 0,
          f[parameters + 1] == "ok" || f[parameters + 1] == "error" else { return nil }
    point = p
    values = Array(f[1...parameters])
    ok = f[parameters + 1] == "ok"
    metrics = Array(f[(parameters + 2)..<(f.count - 1)])
    error = f[f.count - 1]
  }

  /// Checks that the row is a point of `spec` with the values the spec gives that point: a journal
  /// or results line that contradicts the spec (edited, or from another grid) is never trusted.
  func check(against spec: SweepSpec, source: String) throws {
    guard point < spec.pointCount else {
      throw InputError("\(source): point \(point) does not exist (the sweep has \(spec.pointCount) points, 0 ..< " +
          "\(spec.pointCount))")
    }
    let want = spec.values(of: point).map(\.text)
    guard want == values else {
      let diff = zip(spec.parameters, zip(values, want)).filter { $1.0 != $1.1 }
        .map { "\($0.name) is \($1.0), the spec gives \($1.1)" }.joined(separator: "; ")
      throw InputError("\(source): point \(point)'s values contradict the spec (\(diff))")
    }
  }

  init(point: Int, values: [String], ok: Bool, metrics: [String], error: String) {
    self.point = point; self.values = values; self.ok = ok; self.metrics = metrics
    self.error = error.replacingOccurrences(of: "\n", with: "; ")
  }
}

/// `results.csv`: every point in order, with the Pareto flag.
public struct SweepTable {
  let spec: SweepSpec
  /// Every point, in point order.
  public let rows: [SweepRow]
  /// Points no other point beats on every objective (ties kept); found once, here, for the CSV's
  /// flag, the plot, the report and the summary line.
  public let front: Set<Int>

  init(spec: SweepSpec, rows: [SweepRow]) {
    self.spec = spec
    self.rows = rows.sorted { $0.point < $1.point }
    front = Self.front(of: self.rows, spec: spec)
  }

  /// Each objective's value of a row, as minimised (negated when maximised); nil when the point failed.
  static func objectives(_ r: SweepRow, spec: SweepSpec) -> [Double]? {
    guard r.ok else { return nil }
    var v: [Double] = []
    for o in spec.objectives {
      guard let i = spec.metrics.firstIndex(where: { $0.column == o.metric }), let x = Double(r.metrics[i]),
            x.isFinite else {
        return nil
      }
      v.append(o.maximise ? -x : x)
    }
    return v
  }

  /// The objectives, as `a x b`.
  public var objectiveNames: String { spec.objectives.map(\.metric).joined(separator: " x ") }

  /// Points of `rows` no other point beats on every objective (ties kept).
  static func front(of rows: [SweepRow], spec: SweepSpec) -> Set<Int> {
    let scored = rows.compactMap { r in objectives(r, spec: spec).map { (r.point, $0) } }
    var out = Set<Int>()
    for (p, a) in scored {
      let dominated = scored.contains { _, b in
        zip(b, a).allSatisfy { $0 <= $1 } && zip(b, a).contains { $0 < $1 }
      }
      if !dominated { out.insert(p) }
    }
    return out
  }

  var columns: [String] {
    ["point"] + spec.parameters.map(\.name) + ["status"] + spec.metrics.map(\.column) + ["pareto", "error"]
  }
  var header: String { CSV.line(columns) }

  /// `results.csv`.
  var csv: String {
    let f = front
    var t = CSVTable(header: columns)
    for r in rows {
      t.append([String(r.point)] + r.values + [r.ok ? "ok" : "error"] + r.metrics + [f.contains(r.point) ? "1" : "0",
          r.error])
    }
    return t.text
  }

  /// Reads the rows of a results.csv this spec wrote (the Pareto flag is recomputed on write).
  static func rows(results text: String, spec: SweepSpec, source: String) throws -> [SweepRow] {
    let (records, rest) = CSV.records(text)
    let header = SweepTable(spec: spec, rows: []).header
    guard records.first.map(CSV.line) == header else {
      throw InputError("\(source): not the results.csv of this sweep (its header differs)")
    }
    guard rest.isEmpty else { throw InputError("\(source): its last record is cut short (no line end)") }
    return try records.dropFirst().enumerated().map { i, record in
      var f = record
      let pareto = spec.parameters.count + 2 + spec.metrics.count
      guard f.count == pareto + 2 else { throw InputError("\(source): record \(i + 2) has \(f.count) fields, " +
          "expected \(pareto + 2)") }
      f.remove(at: pareto)
      guard let row = SweepRow(fields: f, parameters: spec.parameters.count, metrics: spec.metrics.count) else {
        throw InputError("\(source): record \(i + 2) is not a design point")
      }
      try row.check(against: spec, source: "\(source): record \(i + 2)")
      return row
    }
  }
}
