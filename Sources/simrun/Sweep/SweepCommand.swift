import ArgumentParser
import CrossbarSim
import Foundation
import SimrunKit

/// `simrun sweep SPEC.yaml`: every design point of a grid or a random sample, in parallel, resumable.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run every design point of a sweep spec (grid or seeded random sample) in parallel; write results.csv " +
        "with every input and result and the Pareto front.",
    discussion: """
      Spec (YAML): version: 1; base: any run-file key; grid: PARAMETER: [values] (arch.PATH as --set takes it, \
      mapper.OPTION, compress.KIND.OPTION, or any run setting: \
      \(RunSetup.settings.map(\.key).joined(separator: ", "))); \
      random: {points: N, seed: S} samples the grid instead (ranges {min, max, scale: log, integer: true} allowed); \
      objectives: [energyPerImage, imagesPerSecond, ...] (results: \
      \(Metric.all.map(\.column).joined(separator: ", ")); \
      top1 when the points have eval; results.csv also notes steadyState and limitedBy). \
      finetune: {train: FILE.npz, epochs: N, lr: X, ...} fine-tunes every \
      point's layout before its accuracy (needs base eval; adds top1Before and top1After, top1 is then the \
      accuracy after). Finished points are journaled: a killed sweep continues with --resume. \
      --shard I/N runs every N-th point; `simrun merge` joins the shards' folders.
      """)

  @Argument(help: "Sweep spec (YAML/JSON).")
  var spec: String

  @Option(help: "Output folder. [default: runs/sweep-SPECNAME]")
  var out: String?

  @Option(parsing: .unconditional, help: ArgumentHelp("Design points run at once (threads; OpenBLAS runs " +
      "single-threaded in each). [default: all cores]"))
  var jobs: Int?

  @Option(help: "Run only points I, I+N, I+2N, ... (0 <= I < N), e.g. one Slurm array task.")
  var shard: String?

  @Flag(help: "Continue an unfinished sweep in --out: run only the points its journal lacks.")
  var resume = false

  @Option(help: "Progress on stderr: auto (a bar on a terminal, periodic lines otherwise), bar, lines or none.")
  var progress = "auto"

  @Flag(help: "No progress (--progress none); print only the summary line.")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let shard = try shard.map(SweepShard.init(parsing:)) ?? .whole
    let jobs = try jobs.map { n -> Int in
      guard n >= 1 else { throw InputError("--jobs \(n): give 1 or more") }
      return n
    } ?? ProcessInfo.processInfo.activeProcessorCount
    guard let style = SweepProgress.Style(rawValue: quiet ? "none" : progress) else {
      throw InputError("--progress \(progress): expected auto, bar, lines or none")
    }
    let runner = try SweepRunner(specPath: spec, shard: shard, out: out, resume: resume) { note("sweep: \($0)") }
    if runner.isComplete {
      // The results are written again from the journal (the same bytes; a newer simrun adds its files).
      _ = try runner.run(jobs: 1)
      print("sweep: all \(runner.pointCount) points of \(runner.dir) are done; nothing to run (rewrote " +
          "\(SweepOutputs.files.map(\.name).joined(separator: ", ")) from the journal)")
      return
    }
    let start = Date()
    let meter = SweepProgress(total: runner.pointCount, done: runner.doneBefore, style: style)
    let table = try runner.run(jobs: jobs) { ok in meter.finished(ok: ok) }
    meter.end()
    let failed = table.rows.filter { !$0.ok }.count
    print(String(format: "sweep: %d points (%d run now in %.1f s, %d jobs), %d failed, %d on the Pareto front of %@; " +
        "wrote %@/{%@}",
                 table.rows.count, runner.todo.count, Date().timeIntervalSince(start), jobs, failed, table.front.count,
                 table.objectiveNames, runner.dir, SweepOutputs.files.map(\.name).joined(separator: ",")))
    // A sweep with no point that ran is a failure (a script must not read its empty front as a result).
    if failed == table.rows.count, let first = table.rows.first {
      throw InputError("sweep: all \(failed) points failed; \(runner.dir)/results.csv gives each one's error " +
          "(point \(first.point): \(first.error))")
    }
  }
}
