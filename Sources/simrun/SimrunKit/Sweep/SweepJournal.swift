import CrossbarSim
import Foundation

// MARK: - The journal: every finished point, appended as it finishes

/// `DIR/journal.csv`: a header naming the sweep and shard, then one line per finished point,
/// written whole with a trailing newline. A line without its newline was torn by a kill and is
/// dropped on resume, so a killed sweep loses only the points that were running.
final class SweepJournal: @unchecked Sendable {
  static let name = "journal.csv"
  let path: String
  /// Points finished before this process started.
  let done: [SweepRow]
  private let handle: FileHandle
  private let lock = NSLock()

  static func header(_ spec: SweepSpec, shard: SweepShard) -> String {
    "# simrun sweep journal v2 spec=\(spec.fingerprint) points=\(spec.pointCount) shard=\(shard.text)"
  }

  /// Opens the journal in `dir`, creating the folder, `sweep.yaml` and the journal for a new sweep.
  /// A folder of another sweep, or an unfinished one without `resume`, is an error.
  init(dir: String, spec: SweepSpec, shard: SweepShard, resume: Bool) throws {
    path = "\(dir)/\(Self.name)"
    let fm = FileManager.default
    let header = Self.header(spec, shard: shard)
    var rows: [SweepRow] = []
    do {
      try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
      if let data = fm.contents(atPath: path) {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        let torn = lines.removeLast()   // "" when the file ends with a newline
        guard lines.first == header else {
          throw InputError("--out \(dir): holds another sweep or shard (\(lines.first ?? "empty journal")); choose " +
              "another folder or remove it")
        }
        var seen = Set<Int>()
        for line in lines.dropFirst() {
          guard let r = SweepRow(line: line, parameters: spec.parameters.count,
                                 metrics: spec.metrics.count), r.point < spec.pointCount,
                shard.contains(r.point), seen.insert(r.point).inserted else { continue }
          rows.append(r)
        }
        let remaining = shard.count(of: spec.pointCount) - rows.count
        if remaining > 0 && !resume {
          throw InputError("--out \(dir): this sweep is unfinished there (\(rows.count) of \(rows.count + remaining) " +
              "points done); --resume continues it")
        }
        if !torn.isEmpty || rows.count != lines.count - 1 {
          // Rewrite without the torn or foreign lines before appending.
          let clean = ([header] + rows.map(\.line)).joined(separator: "\n") + "\n"
          try clean.write(toFile: path, atomically: true, encoding: .utf8)
        }
      } else {
        try spec.text.write(toFile: "\(dir)/sweep.yaml", atomically: true, encoding: .utf8)
        try (header + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      }
      guard let h = FileHandle(forWritingAtPath: path) else { throw InputError("--out \(dir): cannot " +
          "open \(Self.name) for writing") }
      handle = h
      try handle.seekToEnd()
    } catch let e as InputError {
      throw e
    } catch {
      throw InputError("--out \(dir): cannot write there (\((error as NSError).localizedDescription))")
    }
    done = rows
  }

  /// Appends one finished point (one write of the whole line).
  func append(_ row: SweepRow) throws {
    lock.lock(); defer { lock.unlock() }
    try handle.write(contentsOf: Data((row.line + "\n").utf8))
  }

  func close() { try? handle.close() }
}

/// `--shard I/N`: points whose index is I modulo N.
public struct SweepShard: Sendable, Equatable {
  let index: Int, count: Int

  /// Every point.
  public static let whole = SweepShard(index: 0, count: 1)

  init(index: Int, count: Int) { self.index = index; self.count = count }

  /// Parses `I/N`.
  public init(parsing text: String) throws {
    let p = text.split(separator: "/").map { Int($0) }
    guard p.count == 2, let i = p[0], let n = p[1], n >= 1, (0..<n).contains(i) else {
      throw InputError("--shard \(text): expected I/N with 0 <= I < N, e.g. 0/3 (Slurm: " +
          "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)")
    }
    index = i; count = n
  }

  var text: String { "\(index)/\(count)" }
  func contains(_ point: Int) -> Bool { point % count == index }
  func points(of total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }
  func count(of total: Int) -> Int { total > index ? (total - index + count - 1) / count : 0 }
}
