import CrossbarSim

/// Magnitude pruning of crossbar-shaped segments of the im2col weight matrix (per channel group:
/// rows = `IC/g K_h K_w` inputs, columns = output channels; blocks of `AR` rows x usable columns):
///
/// - `prune-crossbar` ([XA]): whole crossbar blocks; a removed block is a crossbar fewer and its
///   partial sum is simply absent, so no sparsity table is needed.
/// - `prune-rows` (PIM-Prune / XBA / SNrram row pruning): one input row of one column block;
///   survivors are compacted and an input index table selects each crossbar's inputs.
/// - `prune-columns`: one output column of one row block; survivors are compacted and an output
///   index table aligns their partial sums.
///
/// Importance is the L2 (`norm=l2`, default) or L1 norm. `ratio=r` removes exactly
/// `floor(r x segments)` per layer (`scope=layer`, default) or `round(r x all segments)` over the
/// targeted layers by norm relative to the layer's RMS (`scope=global`); `threshold=t` removes
/// segments whose RMS is below t; `params=N` / `crossbars=N` choose the ratio for a budget.
/// Every layer keeps at least one segment. Targets: `layers=a|b`, default every matrix layer.
public struct SegmentPruner: Compressor {
  /// The segment shape.
  public enum Segment: String, Sendable {
    case block = "prune-crossbar", row = "prune-rows", column = "prune-columns"
    /// The segments in words.
    var noun: String {
      switch self {
      case .block: "blocks"
      case .row: "row segments"
      case .column: "column segments"
      }
    }
  }
  enum Scope: String, CaseIterable { case layer, global }
  enum Norm: String, CaseIterable { case l2, l1 }
  public static let options: [PluginOption] = [SharedOptions.ratio("segments"), SharedOptions.threshold("segments")]
    + SharedOptions.budget(knob: "ratio") + [
      SharedOptions.scope, .choice("norm", Norm.self, default: .l2, help: "the norm that ranks segments"),
      SharedOptions.layers(byDefault: "every matrix layer"),
    ]

  /// The registry entry of the `segment` kind.
  public static func entry(_ segment: Segment) -> CompressorEntry {
    CompressorEntry(kind: segment.rawValue, options: options,
                    budgetNotes: budgetNotes(segment)) { try SegmentPruner(segment, options: $0) }
  }

  /// Why a budget on `segment` can end off target.
  public static func budgetNotes(_ segment: Segment) -> BudgetNotes {
    segment == .block ? BudgetNotes(below: "whole crossbar segments go at once") : BudgetNotes()
  }
  public let description: String
  let segment: Segment
  let options: PluginOptions
  /// How much goes, parsed once: a ratio, a threshold or a budget.
  let setting: PruneSetting
  let scope: Scope
  let norm: Norm

  /// Creates the pruner for `segment` from options.
  public init(_ segment: Segment, options: [String: String]) throws {
    self.segment = segment
    self.options = try PluginOptions(kind: segment.rawValue, options, declared: Self.options)
    description = self.options.description
    try self.options.requireOneSizeOption()
    setting = try PruneSetting(self.options)
    scope = self.options.choice("scope")
    norm = self.options.choice("norm")
  }

  /// The segments of one layer as lists of weight indices.
  func segments(of w: LayerWeights, layer: Layer, geometry g: ArrayGeometry) -> [[Int]] {
    var groups = 1
    if case .conv(let c) = layer.operation { groups = c.groups }
    let ocpg = w.outputs / groups, n = w.inputs   // each output row holds only its group's inputs
    let rowTiles = stride(from: 0, to: n, by: g.rows).map { $0..<min(n, $0 + g.rows) }
    var out: [[Int]] = []
    for gi in 0..<groups {
      let outs = (gi * ocpg)..<((gi + 1) * ocpg)
      let width = g.weightsPerRow
      let colTiles = stride(from: outs.lowerBound, to: outs.upperBound, by: width)
        .map { $0..<min(outs.upperBound, $0 + width) }
      switch segment {
      case .block:
        for rt in rowTiles { for ct in colTiles { out.append(ct.flatMap { o in rt.map { o * n + $0 } }) } }
      case .row:
        for ct in colTiles { for i in 0..<n { out.append(ct.map { $0 * n + i }) } }
      case .column:
        for rt in rowTiles { for o in outs { out.append(rt.map { o * n + $0 }) } }
      }
    }
    return out
  }

  /// The crossbar blocks of every matrix layer, as training groups ([XA] phase 2's masks).
  public static func blockGroups(_ model: CompressedModel, geometry: ArrayGeometry) throws
    -> [Int: [GroupSparsity.Group]] {
    let pruner = try SegmentPruner(.block, options: ["ratio": "0"])
    var out: [Int: [GroupSparsity.Group]] = [:]
    for (i, l) in model.network.layers.enumerated() where l.operation.isMatrix {
      guard let w = model.weights.layers[i] else { continue }
      out[i] = pruner.segments(of: w, layer: l, geometry: geometry).map { GroupSparsity.Group(weights: $0) }
    }
    return out
  }

  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel,
      [CompressionRecord]) {
    let net = model.network
    let targets = try LayerTargets(options).select(in: net, kind: segment.rawValue, eligible: { _, l in
      l.operation.isMatrix ? nil : "no weights"
    }, byDefault: { _, _ in true })
    // Scores per layer: segment magnitude, and RMS relative to the layer's RMS for global ranking.
    var segs: [[[Int]]] = [], scores: [[Double]] = [], relative: [[Double]] = []
    for i in targets {
      let w = model.weights.layers[i]!
      let s = segments(of: w, layer: net.layers[i], geometry: context.geometry)
      let layerRMS = max(1e-30, w.norm / Double(w.values.count).squareRoot())
      var sc: [Double] = [], rel: [Double] = []
      for seg in s {
        var a = 0.0, b = 0.0
        for k in seg { let v = Double(w.values[k]); a += norm == .l2 ? v * v : abs(v); b += v * v }
        sc.append(norm == .l2 ? a.squareRoot() : a)
        rel.append((b / Double(seg.count)).squareRoot() / layerRMS)
      }
      segs.append(s); scores.append(sc); relative.append(rel)
    }
    switch setting {
    case let .budget(budget, nearest):
      let (m, r, _) = try budget.search(kind: segment.rawValue, from: model, nearest: nearest, low: 0, high: 1 - 1e-9,
                                        context: context) { ratio in
        try apply(model, targets, segs, removal: removal(ratio: ratio, scores: scores, relative: relative))
      }
      return (m, r)
    case .threshold(let t):
      let removal = zip(segs, relative).enumerated().map { k, p -> Set<Int> in
        let w = model.weights.layers[targets[k]]!
        let layerRMS = w.norm / Double(w.values.count).squareRoot()
        var remove = Set(p.1.indices.filter { p.1[$0] * layerRMS < t })
        if remove.count == p.0.count, let best = p.1.indices.max(by: { p.1[$0] < p.1[$1] }) { remove.remove(best) }
        return remove
      }
      return try apply(model, targets, segs, removal: removal)
    case .ratio(let ratio):
      return try apply(model, targets, segs, removal: removal(ratio: ratio, scores: scores, relative: relative))
    }
  }

  /// Segments to remove per layer for a ratio: exact counts, lowest scores first, ties by index.
  func removal(ratio: Double, scores: [[Double]], relative: [[Double]]) throws -> [Set<Int>] {
    switch scope {
    case .layer:
      return scores.map { sc in
        let n = min(sc.count - 1, Int((ratio * Double(sc.count)).rounded(.down)))
        return Set(sc.indices.sorted { (sc[$0], $0) < (sc[$1], $1) }.prefix(max(0, n)))
      }
    case .global:
      let total = relative.reduce(0) { $0 + $1.count }
      var want = Int((ratio * Double(total)).rounded())
      var all: [(Double, Int, Int)] = []
      for (l, rel) in relative.enumerated() { for (k, v) in rel.enumerated() { all.append((v, l, k)) } }
      all.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
      var out = relative.map { _ in Set<Int>() }
      for (_, l, k) in all where want > 0 {
        if out[l].count + 1 < relative[l].count { out[l].insert(k); want -= 1 }
      }
      return out
    }
  }

  func apply(_ model: CompressedModel, _ targets: [Int], _ segs: [[[Int]]],
             removal: [Set<Int>]) throws -> (CompressedModel, [CompressionRecord]) {
    var m = model
    var records: [CompressionRecord] = []
    for (k, i) in targets.enumerated() {
      var w = model.weights.layers[i]!
      let before = w.values
      var state = model.layers[i]
      var keep = state.keep ?? Array(repeating: true, count: w.values.count)
      let keptBefore = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
      for s in removal[k] { for idx in segs[k][s] { keep[idx] = false; w.values[idx] = 0 } }
      let kept = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
      state.keep = keep
      state.structure = segment == .block ? .crossbarBlocks : segment == .row ? .rows : .columns
      state.quantized = nil
      m.set(i, weights: w, state: state)
      records.append(CompressionRecord(step: description, layer: model.network.layers[i].name,
                                       keptRatio: keptBefore > 0 ? Double(kept) / Double(keptBefore) : 0,
                                       relativeError: relativeError(before, w.values),
                                       note: "\(removal[k].count) of \(segs[k].count) \(segment.noun) removed"))
    }
    return (m, records)
  }
}
