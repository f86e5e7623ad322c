import CrossbarSim
import Foundation
#if canImport(Glibc)
import Glibc
private func closeDescriptor(_ fd: Int32) { _ = Glibc.close(fd) }
#else
import Darwin
private func closeDescriptor(_ fd: Int32) { _ = Darwin.close(fd) }
#endif

// MARK: - The journal: every finished point, appended as it finishes

/// `DIR/journal.csv`: a CSV file (RFC 4180) whose header names the columns of `results.csv` but the
/// Pareto flag, its first naming the sweep and shard (`point (simrun sweep journal v3 spec=HASH
/// points=N shard=I/N)`), then one record per finished point,
/// written whole with its line end by one `write` on a descriptor opened with `O_APPEND`. A last
/// record without its line end was torn by a kill and is dropped on resume, so a killed sweep loses
/// only the points that were running. Records are split at line ends outside quotes, so a value
/// holding a newline is one field. Every record is checked against the spec (its point exists,
/// its values are the spec's for that point); one that contradicts it is an error. Records of
/// another shard's points and repeats are dropped.
///
/// One process at a time: the journal is opened under an exclusive `flock` on `DIR/sweep.lock`,
/// held until the process ends. A second `sweep --resume` into the folder (a Slurm task requeued
/// while the first still runs) waits for the first to finish or die, then resumes what it left.
final class SweepJournal: @unchecked Sendable {
  static let name = "journal.csv"
  static let lockName = "sweep.lock"
  let path: String
  /// Points finished before this process started.
  let done: [SweepRow]
  private let handle: FileHandle
  private let lockFD: Int32
  private let lock = NSLock()

  static func header(_ spec: SweepSpec, shard: SweepShard) -> String {
    CSV.line(["point (simrun sweep journal v3 spec=\(spec.fingerprint) points=\(spec.pointCount) shard=\(shard.text))"]
             + spec.parameters.map(\.name) + ["status"] + spec.metrics.map(\.column) + ["error"])
  }

  /// The one-line header of journals written before v3 (read, and rewritten as v3, on resume).
  static func headerV2(_ spec: SweepSpec, shard: SweepShard) -> String {
    "# simrun sweep journal v2 spec=\(spec.fingerprint) points=\(spec.pointCount) shard=\(shard.text)"
  }

  /// Opens the journal in `dir`, creating the folder, `sweep.yaml` and the journal for a new sweep.
  /// A folder of another sweep, or an unfinished one without `resume`, is an error. `waiting` is
  /// told when another process holds the folder.
  init(dir: String, spec: SweepSpec, shard: SweepShard, resume: Bool, waiting: (String) -> Void = { _ in }) throws {
    path = "\(dir)/\(Self.name)"
    let fm = FileManager.default
    let header = Self.header(spec, shard: shard)
    var rows: [SweepRow] = []
    do {
      try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw InputError("--out \(dir): cannot write there (\((error as NSError).localizedDescription))")
    }
    lockFD = try Self.lockFolder(dir, waiting: waiting)
    do {
      if let data = fm.contents(atPath: path) {
        let (records, torn) = CSV.records(String(decoding: data, as: UTF8.self))
        let first = records.first.map(CSV.line)
        guard first == header || first == Self.headerV2(spec, shard: shard) else {
          throw InputError("--out \(dir): holds another sweep or shard (\(records.first?.first ?? "empty journal")); " +
              "choose another folder or remove it")
        }
        var seen = Set<Int>()
        for (i, record) in records.dropFirst().enumerated() {
          guard let r = SweepRow(fields: record, parameters: spec.parameters.count, metrics: spec.metrics.count) else {
            throw InputError("\(path): record \(i + 2) is not a design point of this sweep")
          }
          try r.check(against: spec, source: "\(path): record \(i + 2)")
          // Another shard's point (a copied line) is dropped with repeats: valid, but not this shard's.
          if shard.contains(r.point), seen.insert(r.point).inserted { rows.append(r) }
        }
        let remaining = shard.count(of: spec.pointCount) - rows.count
        if remaining > 0 && !resume {
          throw InputError("--out \(dir): this sweep is unfinished there (\(rows.count) of \(rows.count + remaining) " +
              "points done); --resume continues it")
        }
        if !torn.isEmpty || rows.count != records.count - 1 || first != header {
          // Rewritten without the torn record or repeats before appending (under the lock, so no
          // other process holds the old file open).
          let clean = ([header] + rows.map(\.line)).joined(separator: "\n") + "\n"
          try clean.write(toFile: path, atomically: true, encoding: .utf8)
        }
      } else {
        try spec.text.write(toFile: "\(dir)/sweep.yaml", atomically: true, encoding: .utf8)
        try (header + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      }
      let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
      guard fd >= 0 else {
        throw InputError("--out \(dir): cannot open \(Self.name) for appending: \(String(cString: strerror(errno)))")
      }
      handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    } catch {
      closeDescriptor(lockFD)
      if let e = error as? InputError { throw e }
      throw InputError("--out \(dir): cannot write there (\((error as NSError).localizedDescription))")
    }
    done = rows
  }

  /// An exclusive lock on `DIR/sweep.lock`, waiting (and saying so) while another process holds it.
  /// The kernel releases it when the holder exits or is killed.
  private static func lockFolder(_ dir: String, waiting: (String) -> Void) throws -> Int32 {
    let lockPath = "\(dir)/\(lockName)"
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw InputError("--out \(dir): cannot create \(lockName): \(String(cString: strerror(errno)))")
    }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK else {
        let reason = String(cString: strerror(errno))
        closeDescriptor(fd)
        throw InputError("--out \(dir): cannot lock \(lockName): \(reason)")
      }
      waiting("another simrun sweep is writing into \(dir); waiting for it to finish")
      while flock(fd, LOCK_EX) != 0 {
        guard errno == EINTR else {
          let reason = String(cString: strerror(errno))
          closeDescriptor(fd)
          throw InputError("--out \(dir): cannot lock \(lockName): \(reason)")
        }
      }
    }
    return fd
  }

  /// Appends one finished point (one write of the whole record and its line end).
  func append(_ row: SweepRow) throws {
    lock.lock(); defer { lock.unlock() }
    try handle.write(contentsOf: Data((row.line + "\n").utf8))
  }

  /// Closes the journal and releases the folder.
  func close() {
    lock.lock(); defer { lock.unlock() }
    guard !closed else { return }
    closed = true
    try? handle.close()
    closeDescriptor(lockFD)
  }
  private var closed = false
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
