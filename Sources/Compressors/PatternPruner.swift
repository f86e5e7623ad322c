import CrossbarSim

/// Pattern pruning with row skipping (PAIRS / KERNTROL / GAROS): every K x K kernel keeps
/// `taps=k` of its K^2 taps (or `ratio=r`: `k = K^2 - floor(r K^2)`), and all kernels of one
/// input channel share the pattern (the taps with the largest summed squared magnitude over
/// output channels). A crossbar row (channel c, window pixel p) whose every landing tap is pruned
/// for all its columns then holds only zeros and is skipped: rows are compacted and an input
/// selection table picks the inputs (`AR_cycle = ceil((IC PW^2 - skipped) / AR)`). Under SDK
/// the duplicated kernels cover most window pixels, so fewer rows skip than under im2col.
/// A budget `params=N` / `crossbars=N` takes the smallest ratio that meets it.
/// Targets: `layers=a|b`, default every conv with K > 1.
public struct PatternPruner: ConfigurableCompressor {
  public static let kind = "prune-pattern"
  public static let options: [PluginOption] = [
    .integer("taps", "K", in: 1...4096, role: .size,
             help: "taps kept per kernel"), SharedOptions.ratio("taps per kernel"),
  ] + SharedOptions.budget(knob: "smallest ratio") + [SharedOptions.layers(byDefault: "every conv with K > 1")]
  public static let budgetNotes = BudgetNotes(below: "whole taps per kernel")
  public let description: String
  let options: PluginOptions
  /// Taps kept per kernel, or how much goes (ratio or budget), parsed once.
  let taps: Int?
  let setting: PruneSetting?

  /// Creates the pruner from options.
  public init(options: [String: String]) throws {
    self.options = try PluginOptions(kind: Self.kind, options, declared: Self.options)
    description = self.options.description
    try self.options.requireOneSizeOption()
    taps = self.options.int("taps")
    setting = taps == nil ? try PruneSetting(self.options) : nil
  }

  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel,
      [CompressionRecord]) {
    let net = model.network
    let targets = try LayerTargets(options).select(in: net, kind: Self.kind, eligible: { _, l in
      guard case .conv(let c) = l.operation else { return "not a convolution" }
      return c.kernelHeight * c.kernelWidth > 1 ? nil : "a 1x1 kernel has no pattern"
    }, byDefault: { _, _ in true })
    switch setting {
    case let .budget(budget, nearest)?:
      let (m, r, _) = try budget.search(kind: Self.kind, from: model, nearest: nearest, low: 0, high: 1 - 1e-9,
                                        context: context) { ratio in
        try apply(model, targets, taps: nil, ratio: ratio)
      }
      return (m, r)
    case .ratio(let ratio)?: return try apply(model, targets, taps: nil, ratio: ratio)
    case .threshold?, nil: return try apply(model, targets, taps: taps, ratio: nil)
    }
  }

  /// Prunes each target to `taps` taps per kernel, or to `K^2 - floor(ratio K^2)`.
  func apply(_ model: CompressedModel, _ targets: [Int], taps fixedTaps: Int?,
             ratio: Double?) throws -> (CompressedModel, [CompressionRecord]) {
    let net = model.network
    var m = model
    var records: [CompressionRecord] = []
    for i in targets {
      guard case .conv(let c) = net.layers[i].operation else { continue }
      let taps = c.kernelHeight * c.kernelWidth
      let keepTaps: Int
      if let t = fixedTaps {
        guard t <= taps else { throw InputError("\(Self.kind): taps=\(t) exceeds the \(taps) taps of " +
            "layer \(net.layers[i].name)") }
        keepTaps = t
      } else {
        keepTaps = max(1, taps - Int((ratio! * Double(taps)).rounded(.down)))
      }
      var w = model.weights.layers[i]!
      let before = w.values
      var state = model.layers[i]
      var keep = state.keep ?? Array(repeating: true, count: w.values.count)
      let channels = w.inputs / taps
      for ch in 0..<channels {
        var energy = [Double](repeating: 0, count: taps)
        for o in 0..<w.outputs {
          for t in 0..<taps { let v = Double(w.values[o * w.inputs + ch * taps + t]); energy[t] += v * v }
        }
        let kept = Set(energy.indices.sorted { (-energy[$0], $0) < (-energy[$1], $1) }.prefix(keepTaps))
        for o in 0..<w.outputs {
          for t in 0..<taps where !kept.contains(t) {
            keep[o * w.inputs + ch * taps + t] = false
            w.values[o * w.inputs + ch * taps + t] = 0
          }
        }
      }
      state.keep = keep
      state.structure = .rows
      state.quantized = nil
      m.set(i, weights: w, state: state)
      records.append(CompressionRecord(step: description, layer: net.layers[i].name,
                                       keptRatio: Double(keepTaps) / Double(taps),
                                       relativeError: relativeError(before, w.values),
                                       note: "\(keepTaps) of \(taps) taps per kernel, one pattern per input channel"))
    }
    return (m, records)
  }
}
