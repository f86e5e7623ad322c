import ArgumentParser
import Compressors
import CrossbarSim
import Foundation

/// `simrun compare`: the papers' configurations side by side, at one budget, in one table.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Run dense, pruned, low-rank and quantized configurations of one workload at one budget and print one table (compare.csv and compare.json in --out).",
    discussion: """
      Default set: \(CompareVariant.defaults.map(\.label).joined(separator: ", ")). \
      --variant 'LABEL=--compress KIND:OPTIONS --mapper KIND[:OPTIONS] [--factorize ...] [--set PATH=VALUE]' adds a \
      configuration, or replaces the default of that label. Configurations run in parallel.
      """)

  @Option(help: "Built-in workload, NeuroSim CSV or ONNX model. [default: \(RunSetup.defaults.workload)]")
  var workload: String?

  @Option(help: "An ONNX model (same as --workload FILE.onnx): its weights are compressed.")
  var model: String?

  @Option(help: "Arch preset or spec file.")
  var arch = RunSetup.defaults.arch

  @Option(name: .customLong("set"), help: "Override an arch field for every configuration (repeatable).")
  var overrides: [String] = []

  @Option(help: "Add or replace a configuration: 'LABEL=--compress ... --mapper ...' (repeatable).")
  var variant: [String] = []

  @Flag(help: "Run only the --variant configurations, not the default set.")
  var noDefaults = false

  @Option(help: "Budget for every compressed configuration: params=F (fraction of the dense weights, or a count above 1), crossbars=N, or none.")
  var match = "params=0.5"

  @Option(help: "Label of the row the ratios divide by. [default: the first row]")
  var baseline: String?

  @Option(help: "Weights (.npz, .npy or folder) instead of seeded synthetic ones.")
  var weights: String?

  @Option(parsing: .unconditional, help: "Seed of the synthetic weights.", transform: parseSeed)
  var seed: UInt64 = RunSetup.defaults.seed

  @Option(parsing: .unconditional, help: "Images streamed through each configuration (images/s).")
  var images = RunSetup.defaults.images

  @Option(help: "Weight replication for every configuration: none, auto, auto:crossbars=N, auto:tiles=N.")
  var replicate = RunSetup.defaults.replicate

  @Option(help: "Labelled images (.npz): add crossbar-path top-1 (needs --model or --weights).")
  var data: String?

  @Option(help: "Calibration images for --data. [default: the first 128 --data images]")
  var calibration: String?

  @Option(parsing: .unconditional, help: "Configurations run at once. [default: all cores]")
  var jobs: Int?

  @Option(help: "Output folder. [default: runs/compare-WORKLOAD-ARCH]")
  var out: String?

  func run() throws {
    Functional.useSingleThreadedBLAS()
    if model != nil, workload != nil { throw InputError("give --model or --workload, not both") }
    let workload = model ?? self.workload ?? RunSetup.defaults.workload
    let budget = try CompareBudget(parsing: match)
    var variants = noDefaults ? [] : CompareVariant.defaults
    for text in variant {
      let v = try CompareVariant(parsing: text)
      if let i = variants.firstIndex(where: { $0.label == v.label }) { variants[i] = v } else { variants.append(v) }
    }
    guard !variants.isEmpty else { throw InputError("--no-defaults needs at least one --variant") }
    let jobs = try jobs.map { n -> Int in
      guard n >= 1 else { throw InputError("--jobs \(n): give 1 or more") }
      return n
    } ?? ProcessInfo.processInfo.activeProcessorCount
    let net = try BuiltinWorkloads.load(workload)
    let denseParams = net.layers.filter(\.operation.isMatrix).reduce(0) { $0 + $1.parameters }
    let spec = try ArchSpec.load(arch, overrides: overrides)
    if let baseline, !variants.contains(where: { $0.label == baseline }) {
      throw InputError("--baseline \(baseline): no such configuration (labels: \(variants.map(\.label).joined(separator: ", ")))")
    }
    let common = RunSetup(workload: workload, arch: arch, sets: overrides, weights: weights, seed: seed,
                          images: images, replicate: replicate)
    let evaluation = try data.map { try CompareEvaluation(data: $0, calibration: calibration, network: net) }
    let results = Self.runAll(variants, jobs: jobs) { v in
      var setup = common
      setup.mapper = v.mapper
      setup.compress = budget.apply(to: v.compress, denseParams: denseParams)
      setup.factorize = v.factorize
      setup.sets += v.sets
      let run = try setup.execute(keepWeights: evaluation != nil)
      var row = CompareRow(label: v.label, variant: CompareVariant(label: v.label, mapper: v.mapper, compress: setup.compress), run: run)
      Self.describeBudget(&row, budget: budget, denseParams: denseParams, steps: setup.compress)
      row.accuracy = try evaluation?.top1(run)
      return row
    }
    var rows: [CompareRow] = [], failures: [String] = []
    for (v, r) in zip(variants, results) {
      switch r {
      case .success(let row): rows.append(row)
      case .failure(let e): failures.append("\(v.label): \(e)")
      }
    }
    let dir = out ?? "runs/compare-\(net.name)-\(spec.name)"
    if !rows.isEmpty {
      let b = rows.firstIndex { $0.label == (baseline ?? rows[0].label) } ?? 0
      let table = CompareTable(rows: rows, baseline: b)
      try OutputFolder.write([("compare.csv", table.csv), ("compare.json", table.json),
                              ("compare-energy.svg", ComparePlots.energyBreakdown(table))], to: dir)
      print(table.markdown, terminator: "")
      print("wrote \(dir)/{compare.csv,compare.json,compare-energy.svg}")
    }
    if !failures.isEmpty {
      throw InputError("compare: \(failures.count) of \(variants.count) configurations failed:\n  " + failures.joined(separator: "\n  "))
    }
  }

  /// Runs `body` on every variant, `jobs` at a time, keeping the variants' order; progress on stderr.
  static func runAll<T: Sendable>(_ variants: [CompareVariant], jobs: Int,
                                  _ body: @escaping @Sendable (CompareVariant) throws -> T) -> [Result<T, Error>] {
    let state = CompareProgress<T>(count: variants.count)
    DispatchQueue.concurrentPerform(iterations: min(jobs, variants.count)) { _ in
      while let i = state.next() { state.finish(i, Result { try body(variants[i]) }, label: variants[i].label) }
    }
    return state.results
  }

  /// Adds the budget's target and how close the row got.
  static func describeBudget(_ row: inout CompareRow, budget: CompareBudget, denseParams: Int, steps: [PluginSpec]) {
    guard let (key, value) = budget.option(denseParams: denseParams) else { return }
    guard let step = steps.first(where: { $0.options[key] == value }),
          let entry = allCompressors.first(where: { $0.kind == step.kind }), entry.takesBudget(key) else {
      if !steps.isEmpty { row.budgetNote = steps.allSatisfy({ $0.kind.hasPrefix("quant") }) ? "no size budget (quantization)" : "own size options" }
      return
    }
    row.budgetTarget = value
    if key == "error", let bound = Double(value) {
      let e = row.relativeError
      row.budgetNote = String(format: "error %.4f of %.4f", e, bound)
        + (e > bound * 1.02 ? ": no setting stays within it, this is the weakest" : e < bound * 0.98 ? ": the next setting exceeds it (steps are discrete)" : "")
      return
    }
    guard let target = Int(value) else { return }
    let got = key == "params" ? row.params : row.crossbars
    let off = Double(got - target) / Double(target)
    var note = String(format: "%@ %d of %d (%+.1f %%)", key, got, target, 100 * off)
    if off > 0.02 {
      note += ": no setting reaches the budget, this is the fewest any leaves" + (entry.budgetNotes.above.map { " (\($0))" } ?? "")
    } else if off < -0.02 {
      note += ": the nearest setting within the budget" + (entry.budgetNotes.below.map { " (\($0))" } ?? "")
    }
    row.budgetNote = note
  }
}

/// The shared work list and results of `runAll`.
final class CompareProgress<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var nextIndex = 0, done = 0
  let count: Int
  private(set) var results: [Result<T, Error>]

  init(count: Int) {
    self.count = count
    results = Array(repeating: .failure(InputError("not run")), count: count)
  }

  func next() -> Int? {
    lock.lock(); defer { lock.unlock() }
    guard nextIndex < count else { return nil }
    nextIndex += 1
    return nextIndex - 1
  }

  func finish(_ i: Int, _ r: Result<T, Error>, label: String) {
    lock.lock(); defer { lock.unlock() }
    results[i] = r
    done += 1
    FileHandle.standardError.write(Data("compare: \(done)/\(count) \(label)\(r.isFailure ? " failed" : "")\n".utf8))
  }
}

extension Result {
  var isFailure: Bool { if case .failure = self { return true } else { return false } }
}

/// Crossbar-path accuracy of each configuration on one labelled set.
struct CompareEvaluation: Sendable {
  let set: Dataset, calibration: Dataset

  init(data: String, calibration: String?, network net: Network) throws {
    let sink = net.consumers().enumerated().first { $0.element.isEmpty }.map(\.offset) ?? net.layers.count - 1
    set = try Dataset.load(data, shape: net.inputShape, classes: net.layers[sink].outputShape.elements)
    if let calibration {
      self.calibration = try Dataset.load(calibration, shape: net.inputShape, classes: Int.max)
    } else {
      let n = min(128, set.images)
      self.calibration = Dataset(x: Array(set.x[0..<(n * net.inputShape.elements)]), y: Array(set.y[0..<n]))
    }
  }

  func top1(_ run: RunOutcome) throws -> Double {
    guard let original = run.bench.original else {
      throw InputError("--data needs weights: give an .onnx model (--model) or --weights")
    }
    let (rows, _) = try Evaluation.run(original: original, compressed: run.bench.model ?? original, layout: run.bench.layout,
                                       spec: run.spec, data: set, calibration: calibration)
    return rows.first { $0.scope == "crossbar" }?.top1 ?? 0
  }
}
