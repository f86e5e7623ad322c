import ArgumentParser
import Compressors
import CrossbarSim
import Foundation
import Mappers

/// `simrun sweep SPEC.yaml`: every design point of a grid or a random sample, in parallel, resumable.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run every design point of a sweep spec (grid or seeded random sample) in parallel; write results.csv with every input and result and the Pareto front.",
    discussion: """
      Spec (YAML): version: 1; base: any run-file field; grid: PARAMETER: [values] (arch.PATH as --set takes it, mapper, \
      mapper.OPTION, compress, compress.KIND.OPTION, workload, arch, seed, images, replicate, schedule, factorize, weights, \
      rounds, singleArray); random: {points: N, seed: S} samples the grid instead (ranges {min, max, scale: log, integer: true} \
      allowed); objectives: [energyPerImage, imagesPerSecond, ...]. Finished points are journaled: a killed sweep continues \
      with --resume. --shard I/N runs every N-th point; `simrun merge` joins the shards' folders.
      """)

  @Argument(help: "Sweep spec (YAML/JSON).")
  var spec: String

  @Option(help: "Output folder. [default: runs/sweep-SPECNAME]")
  var out: String?

  @Option(parsing: .unconditional, help: "Design points run at once (threads; OpenBLAS runs single-threaded in each). [default: all cores]")
  var jobs: Int?

  @Option(help: "Run only points I, I+N, I+2N, ... (0 <= I < N), e.g. one Slurm array task.")
  var shard: String?

  @Flag(help: "Continue an unfinished sweep in --out: run only the points its journal lacks.")
  var resume = false

  @Option(help: "Progress on stderr: auto (a bar on a terminal, periodic lines otherwise), bar, lines or none.")
  var progress = "auto"

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let spec = try SweepSpec.load(self.spec)
    let shard = try shard.map(SweepShard.init(parsing:)) ?? .whole
    let jobs = try jobs.map { n -> Int in
      guard n >= 1 else { throw InputError("--jobs \(n): give 1 or more") }
      return n
    } ?? ProcessInfo.processInfo.activeProcessorCount
    guard let style = SweepProgress.Style(rawValue: progress) else {
      throw InputError("--progress \(progress): expected auto, bar, lines or none")
    }
    let points = Array(shard.points(of: spec.pointCount))
    let setups = try Self.validate(spec, points: points)
    let name = URL(fileURLWithPath: self.spec).deletingPathExtension().lastPathComponent
    let dir = out ?? "runs/sweep-\(name)"
    let journal = try SweepJournal(dir: dir, spec: spec, shard: shard, resume: resume)
    defer { journal.close() }
    let done = Set(journal.done.map(\.point))
    let todo = zip(points, setups).filter { !done.contains($0.0) }
    let results = "\(dir)/results.csv"
    if todo.isEmpty && !journal.done.isEmpty && FileManager.default.fileExists(atPath: results) {
      print("sweep: all \(points.count) points of \(dir) are done; nothing to run")
      return
    }
    let start = Date()
    let meter = SweepProgress(total: points.count, done: done.count, style: style)
    let state = SweepQueue(todo)
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, todo.count))) { _ in
      while let (point, setup) = state.next() {
        let row = Self.run(point: point, setup: setup, spec: spec)
        do { try journal.append(row); state.finished(row) } catch { state.fail("\(dir)/\(SweepJournal.name): \(error)") }
        meter.finished(ok: row.ok)
      }
    }
    meter.end()
    if let failure = state.failure { throw InputError(failure) }
    let rows = journal.done + state.rows
    let table = SweepTable(spec: spec, rows: rows)
    try Self.write(table, to: dir)
    let failed = rows.filter { !$0.ok }.count
    print(String(format: "sweep: %d points (%d run now in %.1f s, %d jobs), %d failed, %d on the Pareto front of %@; wrote %@/{results.csv,pareto.svg}",
                 rows.count, todo.count, Date().timeIntervalSince(start), jobs, failed, table.front.count,
                 spec.objectives.map(\.metric).joined(separator: " x "), dir))
  }

  /// Every point's run, checked before any runs: an unknown kind, option or arch path is an error
  /// naming the grid values of the first points that have it.
  static func validate(_ spec: SweepSpec, points: [Int]) throws -> [RunSetup] {
    var archs: [String: ArchSpec] = [:], checked = Set<String>(), problems: [String] = [], setups: [RunSetup] = []
    for p in points {
      do {
        let s = try spec.setup(of: p)
        setups.append(s)
        let archKey = ([s.arch] + s.sets).joined(separator: "\u{0}")
        let arch = try archs[archKey] ?? ArchSpec.load(s.arch, overrides: s.sets)
        archs[archKey] = arch
        let key = [archKey, s.workload, s.mapper.text, s.replicate] + s.compress.map(\.text)
        guard checked.insert(key.joined(separator: "\u{1}")).inserted else { continue }
        _ = try MapperRegistry.mapper(kind: s.mapper.kind, options: s.mapper.options)
        for step in s.compress { _ = try CompressorRegistry.compressor(kind: step.kind, options: step.options) }
        _ = try ReplicationPlan.parse(s.replicate, spec: arch)
        _ = try BuiltinWorkloads.load(s.workload)
      } catch {
        let values = zip(spec.parameters, spec.values(of: p)).map { "\($0.name)=\($1.text)" }.joined(separator: ", ")
        problems.append("\(spec.source): point \(p) (\(values)): \(error)")
        if problems.count == 10 { break }
      }
    }
    if !problems.isEmpty {
      throw InputError(problems: problems + (problems.count == 10 ? ["(stopped after 10 points with errors)"] : []))
    }
    return setups
  }

  /// One design point: its results, or its error.
  static func run(point: Int, setup: RunSetup, spec: SweepSpec) -> SweepRow {
    let values = spec.values(of: point).map(\.text)
    do {
      let outcome = try setup.execute()
      return SweepRow(point: point, values: values, ok: true, metrics: SweepMetrics.values(outcome), error: "")
    } catch {
      return SweepRow(point: point, values: values, ok: false, metrics: SweepMetrics.names.map { _ in "" }, error: "\(error)")
    }
  }

  static func write(_ table: SweepTable, to dir: String) throws {
    try OutputFolder.write([("results.csv", table.csv), ("pareto.svg", SweepPlots.pareto(table))], to: dir)
  }
}

/// The points left to run, handed out one at a time.
final class SweepQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [(Int, RunSetup)], cursor = 0
  private(set) var failure: String?
  /// Points finished by this process (journaled).
  private(set) var rows: [SweepRow] = []

  init(_ items: [(Int, RunSetup)]) { self.items = items }

  func next() -> (Int, RunSetup)? {
    lock.lock(); defer { lock.unlock() }
    guard failure == nil, cursor < items.count else { return nil }
    cursor += 1
    return items[cursor - 1]
  }

  func finished(_ row: SweepRow) {
    lock.lock(); defer { lock.unlock() }
    rows.append(row)
  }

  func fail(_ message: String) {
    lock.lock(); defer { lock.unlock() }
    if failure == nil { failure = message }
  }
}
