import ArgumentParser
import CrossbarSim
import Foundation
import SimrunKit

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Map a workload, simulate it cycle by cycle, print per-layer results and write the run folder.",
    usage: "simrun run [--config FILE] [run settings] [--out DIR] [--trace] [--baseline DIR] [--quiet]",
    discussion: RunOptions.discussion())

  @OptionGroup var options: RunOptions

  @Option(help: "Output folder. [default: runs/WORKLOAD-ARCH-MAPPER-SCHEDULE]")
  var out: String?

  @Flag(help: ArgumentHelp("Also write trace.json, streamed while the run goes (Chrome trace events: crossbar " +
      "activations, ADC groups, buffer ports, shift-and-add and max-pool units, router ports, off-chip links, " +
      "counters per tile; opens in Perfetto)."))
  var trace = false

  @Option(help: ArgumentHelp("Folder of an earlier run: area.csv gains each value divided by that run's (e.g. a " +
      "dense baseline, as in [XA] Figure 4)."))
  var baseline: String?

  @Flag(help: "Print only the summary line.")
  var quiet = false

  static let ownFlags = ["config", "out", "trace", "baseline", "quiet"]

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let setup = try options.setup(commandFlags: Self.ownFlags)
    try Self.execute(RunJob(setup: setup, out: out, trace: trace, baseline: baseline), quiet: quiet)
  }

  /// Runs the job and prints what it did.
  static func execute(_ job: RunJob, quiet: Bool) throws {
    let meter = PhaseMeter(job.setup.eval != nil ? "eval" : "run", enabled: !quiet) { writeStandardError($0) }
    let done: RunJob.Finished
    do { done = try job.run(meter: meter) } catch { meter.stop(); throw error }
    meter.stop()
    for n in done.outcome.bench.notes { note("note: \(n)") }
    if done.droppedTraceEvents > 0 {
      note("trace.json: kept the first \(done.traceEvents) events, dropped \(done.droppedTraceEvents)")
    }
    let report = done.outcome.report
    if quiet {
      print(report.summary)
    } else {
      if !job.setup.compress.isEmpty { print(done.outcome.bench.compressionTable) }
      print(report.table, terminator: "")
    }
    if let accuracy = done.outcome.accuracy { print(accuracy.table, terminator: "") }
    print("wrote \(done.folder)/{\(done.files.joined(separator: ","))}")
  }
}
