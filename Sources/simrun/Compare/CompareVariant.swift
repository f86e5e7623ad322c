import ArgumentParser
import Compressors
import CrossbarSim

// MARK: - The configurations `simrun compare` runs

/// One configuration of a comparison: a label and what it changes on the common run.
struct CompareVariant: Sendable, Equatable {
  var label: String
  var mapper: PluginSpec
  var compress: [PluginSpec] = []
  var factorize: String?
  var sets: [String] = []

  /// What the two papers compare: dense layouts under each mapper, crossbar-aligned pruning [XA],
  /// fine-grained pruning with index tables, low-rank and group low-rank on their own mapper [LR],
  /// and integer-only power-of-two against floating-point-scale quantization [XA].
  static let defaults: [CompareVariant] = {
    func p(_ kind: String, _ options: [String: String] = [:]) -> PluginSpec { PluginSpec(kind: kind, options: options) }
    return [
      CompareVariant(label: "dense-im2col", mapper: p("im2col")),
      CompareVariant(label: "dense-sdk", mapper: p("sdk")),
      CompareVariant(label: "dense-vw-sdk", mapper: p("vw-sdk")),
      CompareVariant(label: "prune-crossbar", mapper: p("im2col"), compress: [p("prune-crossbar")]),
      CompareVariant(label: "prune-kernel-group", mapper: p("im2col"), compress: [p("prune-kernel-group")]),
      CompareVariant(label: "prune-rows", mapper: p("sdk"), compress: [p("prune-rows")]),
      CompareVariant(label: "prune-columns", mapper: p("sdk"), compress: [p("prune-columns")]),
      CompareVariant(label: "prune-pattern", mapper: p("sdk"), compress: [p("prune-pattern")]),
      CompareVariant(label: "lowrank-sdk", mapper: p("lowrank", ["base": "sdk"]), compress: [p("lowrank")]),
      CompareVariant(label: "group-lowrank-sdk", mapper: p("lowrank", ["base": "sdk"]), compress: [p("lowrank", ["groups": "2"])]),
      CompareVariant(label: "quant-pow2", mapper: p("im2col"), compress: [p("quant-pow2")]),
      CompareVariant(label: "quant-fp", mapper: p("im2col"), compress: [p("quant-fp")]),
    ]
  }()

  /// Parses `LABEL=--mapper ... --compress ... [--factorize ...] [--set ...]`.
  init(parsing text: String) throws {
    guard let eq = text.firstIndex(of: "="), !text[..<eq].trimmingCharacters(in: .whitespaces).isEmpty else {
      throw InputError("--variant '\(text)': expected LABEL=OPTIONS, e.g. 'prune-rows-30=--compress prune-rows:ratio=0.3 --mapper sdk'")
    }
    let label = text[..<eq].trimmingCharacters(in: .whitespaces)
    let tokens = text[text.index(after: eq)...].split(whereSeparator: \.isWhitespace).map(String.init)
    let args: Arguments
    do { args = try Arguments.parse(tokens) } catch {
      throw InputError("--variant \(label): \(Arguments.message(for: error).split(separator: "\n").first ?? "")")
    }
    self.label = label
    mapper = try args.mapper.map { try PluginSpec($0, what: "--variant \(label) --mapper") } ?? PluginSpec(kind: "im2col", options: [:])
    compress = try args.compress.map { try PluginSpec($0, what: "--variant \(label) --compress") }
    factorize = args.factorize
    sets = args.overrides
  }

  init(label: String, mapper: PluginSpec, compress: [PluginSpec] = [], factorize: String? = nil, sets: [String] = []) {
    self.label = label; self.mapper = mapper; self.compress = compress; self.factorize = factorize; self.sets = sets
  }

  /// The options a variant may give.
  struct Arguments: ParsableArguments {
    @Option var mapper: String?
    @Option var compress: [String] = []
    @Option var factorize: String?
    @Option(name: .customLong("set")) var overrides: [String] = []
  }

  /// The compressor steps as the table shows them (`-` for none).
  var compressorsText: String { compress.isEmpty ? "-" : compress.map(\.text).joined(separator: " + ") }
}

extension PluginSpec {
  /// `kind:key=value,...` with keys sorted.
  var text: String {
    options.isEmpty ? kind : kind + ":" + options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: ",")
  }
}

// MARK: - Budgets

/// `--match`: the budget every compressed configuration is put at.
enum CompareBudget: Equatable, Sendable {
  case none
  /// Weights kept: a fraction of the dense count (<= 1) or a count.
  case params(Double)
  /// Crossbars in use.
  case crossbars(Int)
  /// Reconstruction error: the strongest setting whose relative error stays within it.
  case error(Double)

  init(parsing text: String) throws {
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    switch (parts.first, parts.count == 2 ? Double(parts[1]) : nil) {
    case ("none", _) where parts.count == 1: self = .none
    case ("params", let v?) where v > 0: self = .params(v)
    case ("crossbars", let v?) where v >= 1 && v == v.rounded(): self = .crossbars(Int(v))
    case ("error", let v?) where v > 0 && v <= 1: self = .error(v)
    default:
      throw InputError("--match \(text): expected params=F (a fraction of the dense weights, or a count above 1), crossbars=N, error=E (0 < E <= 1) or none")
    }
  }


  /// The budget option for a network of `denseParams` weights (nil: no budget).
  func option(denseParams: Int) -> (String, String)? {
    switch self {
    case .none: return nil
    case .params(let f): return ("params", String(f <= 1 ? Int((f * Double(denseParams)).rounded()) : Int(f)))
    case .crossbars(let n): return ("crossbars", String(n))
    case .error(let e): return ("error", String(e))
    }
  }

  /// `steps` with the budget added to every step whose compressor declares the budget option and
  /// that does not fix its size itself.
  func apply(to steps: [PluginSpec], denseParams: Int) -> [PluginSpec] {
    guard let (key, value) = option(denseParams: denseParams) else { return steps }
    return steps.map { s in
      guard let entry = allCompressors.first(where: { $0.kind == s.kind }), entry.takesBudget(key),
            !entry.fixesSize(s.options.keys) else { return s }
      var s = s
      s.options[key] = value
      if s.options["fit"] == nil { s.options["fit"] = "nearest" }   // a row at the nearest setting, and the table says how near
      return s
    }
  }
}
