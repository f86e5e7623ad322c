import ArgumentParser
import CrossbarSim
import SimrunKit

/// `simrun eval`: accuracy of a layout next to its cost.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Run a model on labelled images in float, quantized and through its crossbar layout (bit-sliced, ADC, " +
        "device model); write accuracy.csv with the run folder.",
    usage: "simrun eval --data FILE.npz [--config FILE] [run settings] [--out DIR] [--quiet]",
    discussion: RunOptions.discussion("A run with --eval: --data (or --eval) names the labelled images."))

  @OptionGroup var options: RunOptions

  @Option(help: "Output folder. [default: runs/WORKLOAD-ARCH-MAPPER-SCHEDULE]")
  var out: String?

  @Flag(help: "Print only the summary line.")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let setup = try options.setup(commandFlags: ["config", "out", "quiet"])
    guard setup.eval != nil else { throw ValidationError("give the labelled images with --data FILE.npz") }
    try RunCommand.execute(RunJob(setup: setup, out: out), quiet: quiet)
  }
}
