import CrossbarSim

/// Kernel-group pruning ([XA], Huai et al. ASP-DAC 2023): removes groups of output channels that
/// fill whole crossbar column blocks (`floor(AC / cells per weight)` filters, 32 for 8-bit weights
/// on 2-bit cells), and with them the next layers' matching input rows, so the layout is simply
/// smaller and needs no sparsity table.
///
/// Importance is the L2 norm of the group's filters. `ratio=r` removes exactly `floor(r x groups)`
/// per layer (`scope=layer`) or `round(r x all groups)` by norm relative to the layer RMS
/// (`scope=global`); `threshold=t` removes groups whose RMS is below t; `params=N` /
/// `crossbars=N` choose the ratio for a budget; every layer keeps one group. Only layers whose
/// outputs reach nothing but convolutions or FC layers (through pooling) are eligible: a channel
/// feeding a residual addition or the network output cannot disappear on one side.
public struct KernelGroupPruner: ConfigurableCompressor {
  public static let kind = "prune-kernel-group"
  public static let options: [PluginOption] = [SharedOptions.ratio("filter groups"),
                                               SharedOptions.threshold("filter groups")]
    + SharedOptions.budget(knob: "ratio") + [SharedOptions.scope, SharedOptions.layers(byDefault: "every eligible " +
        "layer")]
  public static let budgetNotes = BudgetNotes(above: "only filters whose channels no residual add fixes can go",
                                              below: "whole filter groups go at once")
  enum Scope: String, CaseIterable { case layer, global }
  public let description: String
  let options: PluginOptions
  /// How much goes, parsed once.
  let setting: PruneSetting
  let scope: Scope

  /// Creates the pruner from options.
  public init(options: [String: String]) throws {
    self.options = try PluginOptions(kind: Self.kind, options, declared: Self.options)
    description = self.options.description
    try self.options.requireOneSizeOption()
    setting = try PruneSetting(self.options)
    scope = self.options.choice("scope")
  }

  /// Why layer `i` cannot lose filter groups, or nil when it can.
  static func ineligibility(of i: Int, in net: Network, consumers: [[Int]]) -> String? {
    let l = net.layers[i]
    guard l.operation.isMatrix else { return "no weights" }
    if case .conv(let c) = l.operation, c.groups != 1 { return "grouped convolution" }
    if l.factor?.part == .r { return "a low-rank R factor (its channels are the rank)" }
    return Self.matrixConsumers(of: i, in: net, consumers: consumers) == nil
      ? "its outputs reach a residual addition or the network output" : nil
  }

  /// Filter groups (`geometry.weightsPerRow` output channels each) of every layer that can lose
  /// them, as training groups: the channels' weights and biases.
  public static func trainingGroups(_ model: CompressedModel, geometry: ArrayGeometry) -> [Int: [GroupSparsity.Group]] {
    let net = model.network, consumers = net.consumers()
    var out: [Int: [GroupSparsity.Group]] = [:]
    for i in net.layers.indices where ineligibility(of: i, in: net, consumers: consumers) == nil {
      guard let w = model.weights.layers[i] else { continue }
      let size = geometry.weightsPerRow
      out[i] = stride(from: 0, to: w.outputs, by: size).map { first in
        let channels = first..<min(w.outputs, first + size)
        return GroupSparsity.Group(weights: channels.flatMap { ($0 * w.inputs)..<(($0 + 1) * w.inputs) },
                                   biases: w.bias == nil ? [] : Array(channels))
      }
    }
    return out
  }

  /// Matrix layers fed by layer `i`, following pooling layers; nil if a channel reaches anything else.
  static func matrixConsumers(of i: Int, in net: Network, consumers: [[Int]]) -> [Int]? {
    var out: [Int] = [], frontier = consumers[i]
    if frontier.isEmpty { return nil }
    while let c = frontier.popLast() {
      switch net.layers[c].operation {
      case .pool: frontier += consumers[c]; if consumers[c].isEmpty { return nil }
      case .conv(let conv): if conv.groups != 1 { return nil }; out.append(c)
      case .fullyConnected: out.append(c)
      default: return nil   // additions, concatenations, products, channel moves: channels are not independent
      }
    }
    return out.sorted()
  }

  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel,
      [CompressionRecord]) {
    let net = model.network
    let consumers = net.consumers()
    let size = context.geometry.weightsPerRow
    let targets = try LayerTargets(options).select(in: net, kind: Self.kind, eligible: { i, _ in
      Self.ineligibility(of: i, in: net, consumers: consumers)
    }, byDefault: { _, _ in true })
    var scores: [[Double]] = [], relative: [[Double]] = [], groupsOf: [[[Int]]] = []
    for i in targets {
      let w = model.weights.layers[i]!
      let groups = stride(from: 0, to: w.outputs, by: size).map { Array($0..<min(w.outputs, $0 + size)) }
      let layerRMS = max(1e-30, w.norm / Double(w.values.count).squareRoot())
      var sc: [Double] = [], rel: [Double] = []
      for g in groups {
        var a = 0.0
        for o in g { for c in 0..<w.inputs { let v = Double(w.values[o * w.inputs + c]); a += v * v } }
        sc.append(a.squareRoot()); rel.append((a / Double(g.count * w.inputs)).squareRoot() / layerRMS)
      }
      scores.append(sc); relative.append(rel); groupsOf.append(groups)
    }
    func removal(_ ratio: Double) throws -> [Set<Int>] {
      switch scope {
      case .layer:
        return scores.map { sc in
          let n = max(0, min(sc.count - 1, Int((ratio * Double(sc.count)).rounded(.down))))
          return Set(sc.indices.sorted { (sc[$0], $0) < (sc[$1], $1) }.prefix(n))
        }
      case .global:
        var want = Int((ratio * Double(relative.reduce(0) { $0 + $1.count })).rounded())
        let all = relative.enumerated().flatMap { l, rel in rel.enumerated().map { ($0.element, l, $0.offset) } }
          .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var out = relative.map { _ in Set<Int>() }
        for (_, l, k) in all where want > 0 && out[l].count + 1 < relative[l].count { out[l].insert(k); want -= 1 }
        return out
      }
    }
    switch setting {
    case let .budget(budget, nearest):
      let (m, r, _) = try budget.search(kind: Self.kind, from: model, nearest: nearest, low: 0, high: 1 - 1e-9,
                                        context: context) { ratio in
        try apply(model, targets, groupsOf, removal: removal(ratio))
      }
      return (m, r)
    case .threshold(let t):
      let rem = relative.enumerated().map { k, rel -> Set<Int> in
        let w = model.weights.layers[targets[k]]!
        let rms = w.norm / Double(w.values.count).squareRoot()
        var r = Set(rel.indices.filter { rel[$0] * rms < t })
        if r.count == rel.count, let best = rel.indices.max(by: { rel[$0] < rel[$1] }) { r.remove(best) }
        return r
      }
      return try apply(model, targets, groupsOf, removal: rem)
    case .ratio(let ratio):
      return try apply(model, targets, groupsOf, removal: removal(ratio))
    }
  }

  func apply(_ model: CompressedModel, _ targets: [Int], _ groupsOf: [[[Int]]],
             removal: [Set<Int>]) throws -> (CompressedModel, [CompressionRecord]) {
    var m = model
    var records: [CompressionRecord] = []
    for (k, i) in targets.enumerated() where !removal[k].isEmpty {
      let removed = Set(removal[k].flatMap { groupsOf[k][$0] })
      let layer = m.network.layers[i]
      let keepChannels = (0..<layer.weightColumns).filter { !removed.contains($0) }
      let before = m.weights.layers[i]!
      // The layer: fewer filters.
      var w = before
      w.values = keepChannels.flatMap { o in before.values[(o * before.inputs)..<((o + 1) * before.inputs)] }
      w.outputs = keepChannels.count
      w.bias = before.bias.map { b in keepChannels.map { b[$0] } }
      var state = m.layers[i]
      state.keep = state.keep.map { keep in
        keepChannels.flatMap { o in keep[(o * before.inputs)..<((o + 1) * before.inputs)] }
      }
      state.quantized = nil
      var l = layer
      switch l.operation {
      case .conv(var c): c.outChannels = keepChannels.count; l.operation = .conv(c)
      default: l.operation = .fullyConnected(outFeatures: keepChannels.count)
      }
      l.outputShape.channels = keepChannels.count
      m.network.layers[i] = l
      m.set(i, weights: w, state: state)
      var removedEnergy = 0.0
      // In channel order: a Set's order changes from process to process, and so would the sum's last digit.
      for o in removed.sorted() {
        for c in 0..<before.inputs { let v = Double(before.values[o * before.inputs + c]); removedEnergy += v * v }
      }
      let total = before.norm * before.norm
      records.append(CompressionRecord(step: description, layer: layer.name,
                                       keptRatio: Double(keepChannels.count) / Double(layer.weightColumns),
                                       relativeError: total > 0 ? (removedEnergy / total).squareRoot() : 0,
                                       note: "\(removal[k].count) of \(groupsOf[k].count) filter groups removed"))
      // Downstream: pools carry fewer channels; consumers lose the matching input rows.
      let consumers = m.network.consumers()
      var frontier = consumers[i]
      while let c = frontier.popLast() {
        var cl = m.network.layers[c]
        let oldIn = cl.inputShape
        cl.inputShape.channels = keepChannels.count
        switch cl.operation {
        case .pool:
          cl.outputShape.channels = keepChannels.count
          m.network.layers[c] = cl
          frontier += consumers[c]
          continue
        case .conv, .fullyConnected:
          let cw = m.weights.layers[c]!
          let perChannel: Int
          if case .conv(let conv) = cl.operation {
            perChannel = conv.kernelHeight * conv.kernelWidth
          } else {
            perChannel = oldIn.pixels
          }
          let cols = keepChannels.flatMap { ch in (ch * perChannel)..<((ch + 1) * perChannel) }
          let nw = LayerWeights(values: (0..<cw.outputs).flatMap { o in cols.map { cw.values[o * cw.inputs + $0] } },
                            outputs: cw.outputs, inputs: cols.count, bias: cw.bias)
          var cs = m.layers[c]
          cs.keep = cs.keep.map { keep in (0..<cw.outputs).flatMap { o in cols.map { keep[o * cw.inputs + $0] } } }
          cs.quantized = nil
          m.network.layers[c] = cl
          m.set(c, weights: nw, state: cs)
          records.append(CompressionRecord(step: description, layer: cl.name,
                                           keptRatio: Double(cols.count) / Double(cw.inputs),
                                           relativeError: relativeErrorOfColumns(cw, keeping: cols),
                                           note: "input rows of \(layer.name)'s removed filters removed"))
        default:
          preconditionFailure("eligibility admits matrix layers and pools only")
        }
      }
    }
    return (m, records)
  }

  func relativeErrorOfColumns(_ w: LayerWeights, keeping cols: [Int]) -> Double {
    let kept = Set(cols)
    var removed = 0.0
    for o in 0..<w.outputs {
      for c in 0..<w.inputs where !kept.contains(c) { let v = Double(w.values[o * w.inputs + c]); removed += v * v }
    }
    return w.norm > 0 ? removed.squareRoot() / w.norm : 0
  }
}
