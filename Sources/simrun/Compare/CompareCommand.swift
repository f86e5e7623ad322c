import ArgumentParser
import CrossbarSim
import Foundation
import SimrunKit

/// `simrun compare`: the papers' configurations side by side, at one budget, in one table.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Run dense, pruned, low-rank and quantized configurations of one workload at one budget and print one " +
        "table (compare.csv and compare.json in --out).",
    usage: "simrun compare [--config FILE] [run settings] [--variant 'LABEL=--compress ... --mapper ...'] [--match " +
        "params=0.5] [--out DIR]",
    discussion: RunOptions.discussion("""
      Default set: \(CompareVariant.defaults.map(\.label).joined(separator: ", ")). The run settings apply to every \
      configuration; --variant 'LABEL=--compress KIND:OPTIONS --mapper KIND[:OPTIONS] [any run setting]' adds a \
      configuration, or replaces the default of that label, overriding them. Configurations run in parallel. \
      With --data (labelled images, needs --model or --weights) the table gains crossbar-path top-1. With \
      --train FILE.npz --finetune epochs=N[,lr=X,...] every configuration is also fine-tuned under its layout \
      (pruned weights stay zero, low-rank factors train as two layers, quantized weights stay on their grid) and \
      the table gives top1Before and top1After (top1 is then the accuracy after). Fine-tuning keys: \
      \(TrainingOptions.keys.map { "\($0.key) (\($0.help))" }.joined(separator: ", ")).
      """))

  @OptionGroup var options: RunOptions

  @Option(help: "Add or replace a configuration: 'LABEL=--compress ... --mapper ...' (repeatable).")
  var variant: [String] = []

  @Flag(help: "Run only the --variant configurations, not the default set.")
  var noDefaults = false

  @Option(help: ArgumentHelp("Run only these configurations, in this order: labels of the default set or of " +
      "--variant, comma-separated (e.g. dense-sdk,prune-crossbar,group-lowrank-sdk).", valueName: "LABELS"))
  var only: String?

  @Option(help: ArgumentHelp("Budget for every compressed configuration: params=F (fraction of the dense weights, or " +
      "a count above 1), crossbars=N, error=E, accuracy=A (the fewest weights whose crossbar top-1, after " +
      "fine-tuning with --finetune, is at least A: bisection on params, 7 runs per configuration; needs --data), " +
      "or none."))
  var match = "params=0.5"

  @Option(help: "Training images (.npz with x, y) for --finetune.")
  var train: String?

  @Option(help: ArgumentHelp("Fine-tune every configuration before measuring its accuracy: epochs=N[,lr=X,batch=B," +
      "optimizer=sgd|adam,momentum=M,weightDecay=D,schedule=cosine|constant|step:E:F,seed=S]."))
  var finetune: String?

  @Option(help: "Label of the row the ratios divide by. [default: the first row]")
  var baseline: String?

  @Option(parsing: .unconditional, help: "Configurations run at once. [default: all cores]")
  var jobs: Int?

  @Option(help: "Output folder. [default: runs/compare-WORKLOAD-ARCH]")
  var out: String?

  @Flag(help: "Print only the table's location.")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let common = try options.tree(commandFlags: ["config", "variant", "no-defaults", "only", "match", "baseline",
                                                 "jobs",
                                                 "out", "quiet", "train", "finetune"])
    var comparison = try Comparison(common: common,
                                    variants: Comparison.variants(defaults: !noDefaults, adding: variant, only: only),
                                    budget: CompareBudget(parsing: match), baseline: baseline)
    switch (train, finetune) {
    case (let t?, let f?): comparison.fineTune = (t, try TrainingOptions(parsing: f, source: "--finetune"))
    case (nil, nil): break
    case (nil, _): throw InputError("--finetune needs the training images: give --train FILE.npz")
    case (_, nil): throw InputError("--train is for fine-tuning: also give --finetune epochs=N")
    }
    let jobs = try jobs.map { n -> Int in
      guard n >= 1 else { throw InputError("--jobs \(n): give 1 or more") }
      return n
    } ?? ProcessInfo.processInfo.activeProcessorCount
    let dir = try out ?? comparison.defaultFolder()
    let count = comparison.variants.count
    let progress = Counter()
    let outcome = try comparison.run(jobs: jobs) { label, ok in
      let n = progress.next()
      if !quiet { note("compare: \(n)/\(count) \(label)\(ok ? "" : " failed")") }
    }
    if let table = outcome.table {
      let files = try CompareOutputs.write(outcome, to: dir)
      if !quiet { print(table.markdown, terminator: "") }
      print("wrote \(dir)/{\(files.joined(separator: ","))}")
    }
    if !outcome.failures.isEmpty {
      let list = outcome.failures.joined(separator: "\n  ")
      throw InputError("compare: \(outcome.failures.count) of \(count) configurations failed:\n  " + list)
    }
  }
}

/// A count shared by threads.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}
