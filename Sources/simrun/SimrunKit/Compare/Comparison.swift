import CrossbarSim
import Foundation

// MARK: - A comparison: several configurations of one run, in parallel, at one budget

/// The configurations `simrun compare` runs: a common run, the variants that change it, and the
/// budget every compressed one is put at.
public struct Comparison {
  /// The common run (flags and run file of the command).
  public var common: RunTree
  /// The configurations, in row order.
  public var variants: [CompareVariant]
  /// The budget.
  public var budget: CompareBudget
  /// Label of the row the ratios divide by (nil: the first).
  public var baseline: String?
  /// The mappers and compressors the configurations may name.
  public var plugins = PluginCatalog.builtIn
  /// Fine-tuning of every configuration: the training images and how to train (nil: none).
  public var fineTune: (train: String, options: TrainingOptions)?

  /// A comparison of `variants` on `common`.
  public init(common: RunTree, variants: [CompareVariant], budget: CompareBudget, baseline: String?) throws {
    self.common = common; self.variants = variants; self.budget = budget; self.baseline = baseline
    guard !variants.isEmpty else { throw InputError("--no-defaults needs at least one --variant") }
    if let baseline, !variants.contains(where: { $0.label == baseline }) {
      throw InputError("--baseline \(baseline): no such configuration " +
          "(labels: \(variants.map(\.label).joined(separator: ", ")))")
    }
  }

  /// The default variants with `texts` (`LABEL=--flags ...`) added, or replacing a default of that
  /// label; with `only` (`--only a,b`), just the configurations of those labels, in that order.
  public static func variants(defaults: Bool, adding texts: [String], only: String?) throws -> [CompareVariant] {
    let all = try variants(defaults: defaults, adding: texts)
    guard let only else { return all }
    let labels = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    return try labels.map { label in
      guard let v = all.first(where: { $0.label == label }) else {
        throw InputError("--only \(label): no such configuration (labels: " +
            "\(all.map(\.label).joined(separator: ", ")))")
      }
      return v
    }
  }

  /// The default variants with `texts` (`LABEL=--flags ...`) added, or replacing a default of that label.
  public static func variants(defaults: Bool, adding texts: [String]) throws -> [CompareVariant] {
    var variants = defaults ? CompareVariant.defaults : [], given = Set<String>()
    for text in texts {
      let v = try CompareVariant(parsing: text)
      if given.contains(v.label) {
        throw InputError("--variant \(v.label) is given twice; each configuration needs its own label")
      }
      given.insert(v.label)
      if let i = variants.firstIndex(where: { $0.label == v.label }) { variants[i] = v } else { variants.append(v) }
    }
    return variants
  }

  /// The folder a comparison gets when none is named: `runs/compare-NETWORK-ARCH`.
  public func defaultFolder() throws -> String {
    let base = try common.setup(source: "compare")
    let network = try BuiltinWorkloads.load(base.workload).name, arch = try base.arch.load(overrides: base.set).name
    return "runs/compare-\(network)-\(arch)"
  }

  /// What a comparison leaves: the table of the rows that ran, their run folders' files, and the
  /// configurations that failed.
  public struct Outcome {
    /// The finished rows (nil when every configuration failed).
    public var table: CompareTable?
    /// The files of each finished row's run folder (`RunOutputs`), in row order.
    public var runFiles: [[(String, String)]] = []
    /// `label: error` of each failed configuration.
    public var failures: [String]
  }

  /// The setup record of a comparison whose common run is `base` on `spec`.
  func record(base: RunSetup, network: String, spec: ArchSpec, baseline: String, weights: String) -> CompareSetup {
    let tuning = fineTune.map { f in
      "\(f.options.epochs) epochs of \(f.options.optimizer) at lr \(StatNode.number(f.options.learningRate)), batch " +
          "\(f.options.batch), on \(f.train)"
    }
    return CompareSetup(network: network, workload: base.workload, arch: spec.name, archSource: base.arch.name,
                        archSet: base.set, archBrief: spec.brief, schedule: base.schedule.rawValue,
                        images: base.images, replicate: base.replicate, placement: base.placement.rawValue,
                        weights: weights,
                        data: base.eval, fineTune: tuning, match: budget.text, baseline: baseline,
                        configurations: variants.map { ($0.label, $0.flags) })
  }

  /// Folder names under `runs/` for the labels: letters, digits, `-`, `_` and `.` kept, anything
  /// else `_`; a name two labels share gets `-2`, `-3`, ...
  static func folderNames(_ labels: [String]) -> [String] {
    var used = Set<String>()
    return labels.map { label in
      var base = String(label.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
      if base.hasPrefix(".") || base.isEmpty { base = "_" + base }
      var name = base, k = 2
      while used.contains(name) { name = "\(base)-\(k)"; k += 1 }
      used.insert(name)
      return "runs/" + name
    }
  }

  /// Runs every configuration, `jobs` at a time (each single-threaded), keeping their order;
  /// `finished` hears each as it ends.
  public func run(jobs: Int,
                  finished: @escaping @Sendable (_ label: String, _ ok: Bool) -> Void = { _, _ in }) throws -> Outcome {
    let base = try common.setup(source: "compare"), budget = self.budget
    let net = try BuiltinWorkloads.load(base.workload)
    let denseParams = net.layers.filter(\.operation.isMatrix).reduce(0) { $0 + $1.parameters }
    let plugins = self.plugins
    let setups = try variants.map {
      try $0.setup(on: common, budget: budget, denseParams: denseParams, plugins: plugins)
    }
    // The labelled images are loaded once for every configuration that evaluates the same ones.
    let data = try EvaluationData(for: base, network: net)
    let tuning = try fineTune.map { f -> (Dataset, TrainingOptions) in
      guard data != nil else { throw InputError("--finetune needs labelled test images: give --data FILE.npz") }
      return (try Dataset.load(f.train, shape: net.inputShape, classes: net.classes), f.options)
    }
    if case .accuracy = budget, data == nil {
      throw InputError("--match accuracy=A needs labelled test images: give --data FILE.npz (and --train with " +
          "--finetune for the accuracy after fine-tuning)")
    }
    // Under an accuracy budget each configuration starts from every weight kept (params=1.0).
    var full: [RunSetup] = []
    if case .accuracy = budget {
      full = try variants.map {
        try $0.setup(on: common, budget: .params(1), denseParams: denseParams, plugins: plugins)
      }
    }
    let items = Array(zip(variants.indices, setups))
    let results = ParallelRuns.map(items, jobs: jobs) { [variants, full] item -> (CompareRow, [(String, String)]) in
      let (k, setup) = item
      let v = variants[k]
      let own = EvaluationData.sameImages(setup, base) ? data : nil
      func outcome(_ setup: RunSetup) throws -> RunOutcome {
        var run = try setup.execute(data: own, plugins: plugins)
        if let (train, options) = tuning {
          guard let images = try own ?? EvaluationData(for: setup, network: net) else {
            throw InputError("--finetune needs labelled test images (--data)")
          }
          try run.fineTune(train: train, options: options, data: images)
        }
        return run
      }
      if case .accuracy(let target) = budget,
         setup.compress.contains(where: { plugins.compressorEntry($0.kind)?.takesBudget("params") ?? false }) {
        let (row, run) = try AccuracyMatch(target: target, steps: 6).row(label: v.label) { fraction in
          var s = full[k]
          let count = String(max(1, Int((fraction * Double(denseParams)).rounded())))
          for j in s.compress.indices where s.compress[j].options["params"] != nil {
            s.compress[j].options["params"] = count
          }
          return try outcome(s)
        }
        return (row, try OutputFile.texts(RunOutputs.files, for: RunProducts(outcome: run)))
      }
      let run = try outcome(setup)
      var row = CompareRow(label: v.label, run: run)
      (row.budgetTarget, row.budgetNote) = budget.describe(
        steps: setup.compress, denseParams: denseParams, plugins: plugins, params: Int(row["params"] ?? 0),
        crossbars: Int(row["crossbars"] ?? 0), error: row["relativeError"] ?? 0)
      return (row, try OutputFile.texts(RunOutputs.files, for: RunProducts(outcome: run)))
    } finished: { [variants] i, ok in finished(variants[i].label, ok) }
    var rows: [CompareRow] = [], files: [[(String, String)]] = [], folders: [String] = [], failures: [String] = []
    for ((v, r), folder) in zip(zip(variants, results), Self.folderNames(variants.map(\.label))) {
      switch r {
      case .success(let (row, texts)): rows.append(row); files.append(texts); folders.append(folder)
      case .failure(let e): failures.append("\(v.label): \(e)")
      }
    }
    guard !rows.isEmpty else { return Outcome(table: nil, failures: failures) }
    let b = rows.firstIndex { $0.label == (baseline ?? rows[0].label) } ?? 0
    let spec = try base.arch.load(overrides: base.set)
    var table = CompareTable(rows: rows, baseline: b,
                             setup: record(base: base, network: net.name, spec: spec, baseline: rows[b].label,
                                           weights: rows.map(\.weights).first { !$0.hasPrefix("none") }
                                             ?? "none loaded (dense layouts need only the shapes)"))
    table.runFolders = folders
    return Outcome(table: table, runFiles: files, failures: failures)
  }
}

/// `--match accuracy=A` for one configuration: bisection on the share of the dense weights kept,
/// each step compressed, mapped, simulated (and fine-tuned when the comparison fine-tunes), for the
/// fewest weights whose top-1 through the crossbars is at least `target`. Assumes accuracy does not
/// fall as more weights are kept; the note says how many steps ran and what the bracket was.
struct AccuracyMatch {
  let target: Double
  let steps: Int

  func row(label: String, run: (Double) throws -> RunOutcome) throws -> (CompareRow, RunOutcome) {
    func top1(_ r: RunOutcome) -> Double { r.accuracy?.crossbarTop1 ?? 0 }
    var best = try run(1), lo = 0.0, hi = 1.0
    guard top1(best) >= target else {
      var row = CompareRow(label: label, run: best)
      row.budgetTarget = StatNode.number(target)
      row.budgetNote = String(format: "top-1 %.4f < %.4f with every weight kept: no setting reaches it", top1(best),
                              target)
      return (row, best)
    }
    for _ in 0..<steps {
      let mid = (lo + hi) / 2
      let r = try run(mid)
      if top1(r) >= target { hi = mid; best = r } else { lo = mid }
    }
    var row = CompareRow(label: label, run: best)
    row.budgetTarget = StatNode.number(target)
    row.budgetNote = String(format: "top-1 %.4f >= %.4f at %.1f %% of the dense weights (bisection, %d steps: " +
                              "%.1f %% falls short)", top1(best), target, 100 * hi, steps, 100 * lo)
    return (row, best)
  }
}

/// The files of a comparison's folder.
public enum CompareOutputs {
  /// Every file `simrun compare` writes.
  public static let files: [OutputFile<CompareTable>] = [
    OutputFile("compare.csv", by: ["compare"], about: "one row per configuration: every metric, the budget, ratios " +
        "to the baseline") { $0.csv },
    OutputFile("compare.json", by: ["compare"], about: "the same rows as objects (numbers as numbers)") { $0.json },
    OutputFile("compare-energy.svg", by: ["compare"], about: "energy per image by component class, one bar per " +
        "configuration") {
      ComparePlots.energyBreakdown($0)
    },
    OutputFile("report.html", by: ["compare"], about: "the comparison at a glance in one self-contained page: setup, " +
        "verdict, table, plot, links to each configuration's run folder") { CompareReportPage.html($0) },
  ]

  /// Writes `outcome`'s table files and each configuration's run folder (`runs/LABEL/`) into `dir`,
  /// all or nothing (a rerun replaces the earlier comparison's files and run folders); returns the
  /// names written at the top.
  public static func write(_ outcome: Comparison.Outcome, to dir: String) throws -> [String] {
    guard let table = outcome.table else { return [] }
    let top = try OutputFile.texts(files, for: table)
    let folder = try RunFolder(dir, files: Set(files.map(\.name) + ["runs"]))
    do {
      try folder.write(top)
      for (sub, texts) in zip(table.runFolders, outcome.runFiles) {
        try folder.write(texts.map { ("\(sub)/\($0.0)", $0.1) })
      }
      try folder.commit()
    } catch {
      folder.discard()
      throw error
    }
    return top.map(\.0) + (table.runFolders.isEmpty ? [] : ["runs/"])
  }
}
