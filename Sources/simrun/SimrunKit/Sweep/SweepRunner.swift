import Compressors
import CrossbarSim
import Foundation
import Mappers

// MARK: - Running a sweep: check every point, run the unfinished ones in parallel, journal, write

/// A sweep made ready in its folder: its points checked (every point of a shard of at most
/// `eagerPoints`; of a larger one, every grid value once and the first points, the rest as each is
/// reached, so a huge grid starts at once), the journal opened (a resumed sweep keeps its
/// finished points), the points left to run listed.
public final class SweepRunner {
  /// The spec.
  public let spec: SweepSpec
  /// The folder.
  public let dir: String
  /// Points of this shard, finished before this process, and left to run.
  public let points: StrideTo<Int>, doneBefore: Int, todo: [Int]
  /// How many points the shard has.
  public let pointCount: Int
  let journal: SweepJournal

  /// The mappers and compressors the points may name.
  let plugins: PluginCatalog

  /// Checks the spec's points of `shard` and opens the journal in `out` (default `runs/sweep-NAME`).
  public init(specPath: String, shard: SweepShard, out: String?, resume: Bool,
              plugins: PluginCatalog = .builtIn, waiting: (String) -> Void = { _ in }) throws {
    spec = try SweepSpec.load(specPath)
    self.plugins = plugins
    points = shard.points(of: spec.pointCount)
    pointCount = shard.count(of: spec.pointCount)
    try Self.validate(spec, points: Self.pointsToCheck(spec, shard: shard), plugins: plugins)
    dir = out ?? "runs/sweep-\(URL(fileURLWithPath: specPath).deletingPathExtension().lastPathComponent)"
    journal = try SweepJournal(dir: dir, spec: spec, shard: shard, resume: resume, waiting: waiting)
    let done = Set(journal.done.map(\.point))
    doneBefore = done.count
    todo = points.filter { !done.contains($0) }
  }

  /// Shards of at most this many points are checked whole before any runs.
  static let eagerPoints = 10_000

  /// The points checked before any runs: the whole shard when small; else the shard's first
  /// `eagerPoints / 10`, and for a grid, each value of each key once (point 0 with that one key
  /// changed), which costs the grid's keys, not its points.
  static func pointsToCheck(_ spec: SweepSpec, shard: SweepShard) -> [Int] {
    let all = shard.points(of: spec.pointCount)
    guard shard.count(of: spec.pointCount) > eagerPoints else { return Array(all) }
    var picked = Array(all.prefix(eagerPoints / 10))
    if spec.random == nil {
      var stride = 1
      for p in spec.parameters.reversed() {
        picked += (1..<max(1, p.valueCount)).map { $0 * stride }
        stride *= p.valueCount
      }
    }
    var seen = Set<Int>()
    return picked.filter { seen.insert($0).inserted }
  }

  deinit { journal.close() }

  /// Whether an earlier run finished every point and wrote its results.
  public var isComplete: Bool {
    todo.isEmpty && !journal.done.isEmpty && FileManager.default.fileExists(atPath: "\(dir)/results.csv")
  }

  /// Runs the points left, `jobs` at a time, journaling each as it ends (`finished` hears it),
  /// then writes `results.csv` and `pareto.svg`; returns the table.
  public func run(jobs: Int, finished: @escaping @Sendable (_ ok: Bool) -> Void = { _ in }) throws -> SweepTable {
    let spec = self.spec, journal = self.journal, dir = self.dir, plugins = self.plugins
    let failure = FailureBox()
    let queue = WorkQueue<SweepRow>(count: todo.count)
    let todo = self.todo
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, todo.count))) { _ in
      while let i = queue.next() {
        let row = Self.run(point: todo[i], spec: spec, plugins: plugins)
        do { try journal.append(row) } catch {
          failure.set("\(dir)/\(SweepJournal.name): \(error)")
          queue.stop()
        }
        queue.finish(i, row) { finished(row.ok) }
      }
    }
    if let message = failure.message { throw InputError(message) }
    let table = SweepTable(spec: spec, rows: journal.done + queue.results.compactMap { $0 })
    try SweepOutputs.write(table, to: dir)
    return table
  }

  /// The runs of `points`, checked before any runs: an unknown kind, option or arch path is an
  /// error naming the grid values of the first points that have it.
  static func validate(_ spec: SweepSpec, points: [Int], plugins: PluginCatalog) throws {
    var archs: [String: ArchSpec] = [:], checked = Set<String>(), problems: [String] = []
    for p in points {
      do {
        let s = try spec.setup(of: p)
        let archKey = ([try Self.key(s.arch)] + s.set).joined(separator: "\u{0}")
        let arch = try archs[archKey] ?? s.arch.load(overrides: s.set)
        archs[archKey] = arch
        let key = [archKey, s.workload, s.mapper.text, s.replicate] + s.compress.map(\.text)
        guard checked.insert(key.joined(separator: "\u{1}")).inserted else { continue }
        _ = try plugins.mapper(s.mapper)
        for step in s.compress { _ = try plugins.compressor(step) }
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
  }

  /// A cache key of an arch source.
  static func key(_ a: ArchSource) throws -> String {
    if case .named(let s) = a { return s }
    let e = JSONEncoder()
    e.outputFormatting = .sortedKeys
    return String(decoding: try e.encode(a), as: UTF8.self)
  }

  /// One design point: its results, or its error.
  static func run(point: Int, spec: SweepSpec, plugins: PluginCatalog) -> SweepRow {
    let values = spec.values(of: point).map(\.text)
    do {
      let setup = try spec.setup(of: point)
      let outcome: RunOutcome
      if let (train, options) = spec.fineTune {
        // Simulated once, its test images loaded once: evaluated before and after fine-tuning.
        var run = try PreparedRun(setup, keepWeights: true, plugins: plugins).simulate()
        let network = run.networkAsGiven
        guard let data = try EvaluationData(for: setup, network: network) else {
          throw InputError("finetune needs labelled test images (eval)")
        }
        try run.fineTune(train: spec.trainingSets.load(train, for: network), options: options, data: data)
        outcome = run
      } else {
        outcome = try setup.execute(plugins: plugins)
      }
      return SweepRow(point: point, values: values, ok: true, metrics: spec.metrics.map { $0.field(outcome) },
                      error: "")
    } catch {
      return SweepRow(point: point, values: values, ok: false, metrics: spec.metrics.map { _ in "" }, error: "\(error)")
    }
  }
}

/// The first failure of several threads.
final class FailureBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var message: String?
  func set(_ m: String) { lock.lock(); defer { lock.unlock() }; if message == nil { message = m } }
}

/// The files of a sweep's folder (`journal.csv` and `sweep.yaml` are the journal's own).
public enum SweepOutputs {
  /// Every file `simrun sweep` and `simrun merge` write from the table.
  public static let files: [OutputFile<SweepTable>] = [
    OutputFile("results.csv", by: ["sweep", "merge"], about: "every point: its parameter values, status, every " +
        "result, the Pareto flag") {
      $0.csv
    },
    OutputFile("pareto.svg", by: ["sweep", "merge"], about: "every point on the first two objectives, the Pareto " +
        "front joined") {
      SweepPlots.pareto($0)
    },
    OutputFile("report.html", by: ["sweep", "merge"], about: "the sweep at a glance in one self-contained page: " +
        "setup, the Pareto front as a labelled table, plots, every point, failures, links") {
      SweepReportPage.html($0)
    },
  ]

  /// Writes the table's files into `dir`.
  static func write(_ table: SweepTable, to dir: String) throws {
    try OutputFolder.write(OutputFile.texts(files, for: table), to: dir)
  }
}

/// Writes files into a folder (created when missing), for folders that are not run folders.
public enum OutputFolder {
  /// Writes `files` into `dir`.
  public static func write(_ files: [(String, String)], to dir: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for (name, text) in files {
        try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
      }
    } catch {
      throw InputError("--out \(dir): cannot write results: \(error.localizedDescription)")
    }
  }
}
