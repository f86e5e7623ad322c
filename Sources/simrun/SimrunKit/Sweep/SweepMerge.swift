import CrossbarSim
import Foundation

// MARK: - Joining the shards of a sweep

/// The shards of one sweep (`--shard I/N` folders) joined into the `results.csv` (and Pareto
/// front) one unsharded run writes, byte for byte.
public enum SweepMerge {
  /// Merges the shard folders `shards` into `out`; returns the joined table.
  @discardableResult
  public static func merge(_ shards: [String], into out: String) throws -> SweepTable {
    guard !shards.isEmpty else { throw InputError("merge: give the shards' output folders") }
    var spec: SweepSpec?
    var rows: [Int: SweepRow] = [:], from: [Int: String] = [:]
    for dir in shards {
      let specPath = "\(dir)/sweep.yaml", resultsPath = "\(dir)/results.csv"
      guard FileManager.default.fileExists(atPath: specPath) else {
        throw InputError("\(dir): no sweep.yaml (not the output folder of `simrun sweep`)")
      }
      let s = try SweepSpec.load(specPath)
      if let first = spec, first.text != s.text {
        throw InputError("\(specPath): a different sweep from \(shards[0])/sweep.yaml; merge only shards of one spec")
      }
      spec = spec ?? s
      guard FileManager.default.fileExists(atPath: resultsPath) else {
        throw InputError("\(dir): no results.csv, so its shard did not finish; rerun it with `simrun sweep SPEC " +
            "--shard I/N --resume --out \(dir)`")
      }
      let text = try ConfigTree.readText(resultsPath)
      for r in try SweepTable.rows(results: text, spec: s, source: resultsPath) {
        if let other = rows[r.point], other != r {
          throw InputError("\(resultsPath): point \(r.point) differs from its row in \(from[r.point]!)/results.csv")
        }
        rows[r.point] = r
        from[r.point] = dir
      }
    }
    let s = spec!
    let missing = (0..<s.pointCount).filter { rows[$0] == nil }
    guard missing.isEmpty else {
      let list = missing.prefix(10).map(String.init).joined(separator: ", ")
      throw InputError("merge: \(missing.count) of \(s.pointCount) points are in no shard " +
          "(\(list)\(missing.count > 10 ? ", ..." : "")); merge every shard of the sweep")
    }
    let table = SweepTable(spec: s, rows: Array(rows.values))
    let journal = ([SweepJournal.header(s, shard: .whole)] + table.rows.map(\.line)).joined(separator: "\n") + "\n"
    try OutputFolder.write([("sweep.yaml", s.text), (SweepJournal.name, journal)], to: out)
    try SweepOutputs.write(table, to: out)
    return table
  }
}
