import CrossbarSim

// MARK: - The configurations `simrun compare` runs

/// One configuration of a comparison: a label and the settings it overrides on the common run,
/// written as flags (`--compress prune-rows:ratio=0.3 --mapper sdk`); any run setting may appear.
public struct CompareVariant: Sendable, Equatable {
  /// Row label.
  public var label: String
  /// Its settings, as flags.
  public var flags: [String]

  /// A variant with `flags`.
  public init(label: String, flags: [String]) { self.label = label; self.flags = flags }

  /// What the two papers compare: dense layouts under each mapper, crossbar-aligned pruning [XA],
  /// fine-grained pruning with index tables, low-rank and group low-rank on their own mapper [LR],
  /// and integer-only power-of-two against floating-point-scale quantization [XA].
  public static let defaults: [CompareVariant] = [
    CompareVariant(label: "dense-im2col", flags: ["--mapper", "im2col"]),
    CompareVariant(label: "dense-sdk", flags: ["--mapper", "sdk"]),
    CompareVariant(label: "dense-vw-sdk", flags: ["--mapper", "vw-sdk"]),
    CompareVariant(label: "prune-crossbar", flags: ["--mapper", "im2col", "--compress", "prune-crossbar"]),
    CompareVariant(label: "prune-kernel-group", flags: ["--mapper", "im2col", "--compress", "prune-kernel-group"]),
    CompareVariant(label: "prune-rows", flags: ["--mapper", "sdk", "--compress", "prune-rows"]),
    CompareVariant(label: "prune-columns", flags: ["--mapper", "sdk", "--compress", "prune-columns"]),
    CompareVariant(label: "prune-pattern", flags: ["--mapper", "sdk", "--compress", "prune-pattern"]),
    CompareVariant(label: "lowrank-sdk", flags: ["--mapper", "lowrank:base=sdk", "--compress", "lowrank"]),
    CompareVariant(label: "group-lowrank-sdk",
                   flags: ["--mapper", "lowrank:base=sdk", "--compress", "lowrank:groups=2"]),
    CompareVariant(label: "quant-pow2", flags: ["--mapper", "im2col", "--compress", "quant-pow2"]),
    CompareVariant(label: "quant-fp", flags: ["--mapper", "im2col", "--compress", "quant-fp"]),
  ]

  /// Parses `LABEL=--compress ... --mapper ... [--set ...]` (any run setting).
  public init(parsing text: String) throws {
    guard let eq = text.firstIndex(of: "="), !text[..<eq].trimmingCharacters(in: .whitespaces).isEmpty else {
      throw InputError("--variant '\(text)': expected LABEL=OPTIONS, e.g. 'prune-rows-30=--compress " +
          "prune-rows:ratio=0.3 --mapper sdk'")
    }
    label = text[..<eq].trimmingCharacters(in: .whitespaces)
    flags = text[text.index(after: eq)...].split(whereSeparator: \.isWhitespace).map(String.init)
    var check = RunTree()
    try check.apply(flags: flags, source: "--variant \(label)")
  }

  /// The common run with this variant's settings and `budget` applied.
  func setup(on common: RunTree, budget: CompareBudget, denseParams: Int, plugins: PluginCatalog) throws -> RunSetup {
    var tree = common
    try tree.apply(flags: flags, source: "--variant \(label)")
    var s = try tree.setup(source: "--variant \(label)")
    s.compress = budget.apply(to: s.compress, denseParams: denseParams, plugins: plugins)
    return s
  }
}

// MARK: - Budgets

/// `--match`: the budget every compressed configuration is put at.
public enum CompareBudget: Equatable, Sendable {
  case none
  /// Weights kept: a fraction of the dense count (<= 1) or a count.
  case params(Double)
  /// Crossbars in use.
  case crossbars(Int)
  /// Reconstruction error: the strongest setting whose relative error stays within it.
  case error(Double)
  /// Top-1 through the crossbars (after fine-tuning when the comparison fine-tunes): the fewest
  /// weights, found by bisection on `params`, whose accuracy is at least this fraction.
  case accuracy(Double)

  /// The budget as `--match` takes it (`params=0.4`).
  public var text: String {
    switch self {
    case .none: "none"
    case .params(let f): "params=\(StatNode.number(f))"
    case .crossbars(let n): "crossbars=\(n)"
    case .error(let e): "error=\(StatNode.number(e))"
    case .accuracy(let a): "accuracy=\(StatNode.number(a))"
    }
  }

  /// Parses `params=F`, `crossbars=N`, `error=E` or `none`.
  public init(parsing text: String) throws {
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    switch (parts.first, parts.count == 2 ? Double(parts[1]) : nil) {
    case ("none", _) where parts.count == 1: self = .none
    case ("params", let v?) where v > 0 && v <= 1: self = .params(v)
    case ("params", let v?) where v > 1: self = .params(Double(try Int(checked: v, "--match params", rounding: .down)))
    case ("crossbars", let v?) where v >= 1 && v == v.rounded():
      self = .crossbars(try Int(checked: v, "--match crossbars"))
    case ("error", let v?) where v > 0 && v <= 1: self = .error(v)
    case ("accuracy", let v?) where v > 0 && v <= 1: self = .accuracy(v)
    default:
      throw InputError("--match \(text): expected params=F (a fraction of the dense weights, or a count above 1), " +
          "crossbars=N, error=E (0 < E <= 1), accuracy=A (top-1 as a fraction, 0 < A <= 1) or none")
    }
  }

  /// The budget option for a network of `denseParams` weights (nil: no budget).
  func option(denseParams: Int) -> (String, String)? {
    switch self {
    case .none, .accuracy: return nil
    case .params(let f): return ("params", String(f <= 1 ? Int((f * Double(denseParams)).rounded()) : Int(f)))
    case .crossbars(let n): return ("crossbars", String(n))
    case .error(let e): return ("error", String(e))
    }
  }

  /// `steps` with the budget added to every step whose compressor declares the budget option and
  /// that does not fix its size itself.
  func apply(to steps: [PluginSpec], denseParams: Int, plugins: PluginCatalog) -> [PluginSpec] {
    guard let (key, value) = option(denseParams: denseParams) else { return steps }
    return steps.map { s in
      guard let entry = plugins.compressorEntry(s.kind), entry.takesBudget(key),
            !entry.fixesSize(s.options.keys) else { return s }
      var s = s
      s.options[key] = value
      // A row at the nearest setting, and the table says how near.
      if s.options["fit"] == nil { s.options["fit"] = "nearest" }
      return s
    }
  }

  /// The budget's target and how close a row with `steps` got to it (`error` is its relative
  /// error, `params` and `crossbars` what it kept).
  func describe(steps: [PluginSpec], denseParams: Int, plugins: PluginCatalog, params: Int, crossbars: Int,
                error e: Double)
    -> (target: String?, note: String) {
    guard let (key, value) = option(denseParams: denseParams) else { return (nil, "") }
    guard let step = steps.first(where: { $0.options[key] == value }),
          let entry = plugins.compressorEntry(step.kind), entry.takesBudget(key) else {
      if steps.isEmpty { return (nil, "") }
      let budgeted = steps.contains { plugins.compressorEntry($0.kind)?.takesBudget(key) ?? false }
      return (nil, budgeted ? "own size options" : "no size budget (\(steps.map(\.kind).joined(separator: " + ")))")
    }
    if key == "error", let bound = Double(value) {
      let note = String(format: "error %.4f of %.4f", e, bound)
        + (e > bound * 1.02 ? ": no setting stays within it, this is the weakest" : e < bound * 0.98 ? ": the next " +
            "setting exceeds it (steps are discrete)" : "")
      return (value, note)
    }
    guard let target = Int(value) else { return (value, "") }
    let got = key == "params" ? params : crossbars
    let off = Double(got - target) / Double(target)
    var note = String(format: "%@ %d of %d (%+.1f %%)", key, got, target, 100 * off)
    if off > 0.02 {
      note += ": no setting reaches the budget, this is the fewest any leaves"
        + (entry.budgetNotes.above.map { " (\($0))" } ?? "")
    } else if off < -0.02 {
      note += ": the nearest setting within the budget" + (entry.budgetNotes.below.map { " (\($0))" } ?? "")
    }
    return (value, note)
  }
}
