import CrossbarSim

/// Low-rank compression ([LR], Jeon et al. DATE 2025): each targeted K x K conv `W (OC x IC K^2)`
/// becomes `L R` by truncated SVD, `L = U_r S_r^(1/2)`, `R = S_r^(1/2) V_r^T`; R is a K x K conv to
/// the rank channels and L a 1x1 conv. With `groups=g` the input channels are split and each
/// `W_j ~ L_j R_j` (group low-rank): R becomes a grouped conv, L concatenates the `L_j`.
///
/// Rank (per group): `rank=r`, or `energy=f` (smallest rank keeping a fraction f of
/// `sum s_i^2`; with groups the largest over groups), or a budget `params=N` / `crossbars=N`
/// (the largest energy fraction whose model fits). Targets: `layers=a|b`, `layers=all` (every
/// K x K conv), default every K x K conv but the first layer; `pointwise=true` adds 1x1 convs.
public struct LowRankCompressor: ConfigurableCompressor {
  public static let kind = "lowrank"
  public static let options: [PluginOption] = [
    .integer("rank", "R", in: 1...Int.max, role: .size, help: "rank per group"),
    PluginOption("energy", .number(low: 0, high: 1, openBelow: true, closedAbove: true), placeholder: "F", role: .size,
                 help: "keep a fraction F of the squared singular values"),
  ] + SharedOptions.budget(knob: "largest energy fraction") + [
    .integer("groups", "G", in: 1...4096, default: 1, help: "group low-rank: input-channel groups"),
    SharedOptions.layers(byDefault: "every K x K conv but the first"),
    .flag("pointwise", default: false, help: "also factor 1x1 convs"),
  ]
  public static let budgetNotes = BudgetNotes(above: "layers not factored keep all their weights",
                                              below: "integer ranks per layer")
  public let description: String
  let options: PluginOptions
  /// The rank per layer: fixed, by energy fraction, or searched for a budget (parsed once).
  enum Setting: Equatable { case rank(Int), energy(Double), budget(Budget, nearest: Bool) }
  let setting: Setting
  let groups: Int
  let pointwise: Bool

  /// Creates the compressor from options.
  public init(options: [String: String]) throws {
    self.options = try PluginOptions(kind: Self.kind, options, declared: Self.options)
    description = self.options.description
    try self.options.requireOneSizeOption()
    if let n = self.options.int("rank") {
      setting = .rank(n)
    } else if let f = self.options.double("energy") {
      setting = .energy(f)
    } else {
      setting = .budget(try Budget.parse(self.options)!, nearest: Budget.nearest(self.options))
    }
    groups = self.options.int("groups")!
    pointwise = self.options.bool("pointwise")
  }

  /// The SVD of every group of one layer.
  struct Decomposition {
    let index: Int
    let groups: Int
    let svds: [SVD]
    let norm: Double
    /// Largest rank any group allows.
    var maxRank: Int { svds.map(\.k).min() ?? 0 }
    /// `eps^2` when every group keeps `r`.
    func residual(_ r: Int) -> Double {
      svds.reduce(0.0) { acc, d in acc + d.s[min(r, d.k)...].reduce(0.0) { $0 + Double($1) * Double($1) } }
    }
    /// Smallest rank keeping a fraction `f` of the energy in every group.
    func rank(energy f: Double) -> Int {
      svds.map { d in
        let total = d.s.reduce(0.0) { $0 + Double($1) * Double($1) }
        var acc = 0.0
        for (i, v) in d.s.enumerated() {
          acc += Double(v) * Double(v)
          if acc >= f * total * (1 - 1e-12) { return i + 1 }
        }
        return d.k
      }.max() ?? 1
    }
  }

  public func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel,
      [CompressionRecord]) {
    let net = model.network
    let firstMatrix = net.layers.firstIndex { $0.operation.isMatrix }
    let targets = try LayerTargets(options).select(in: net, kind: Self.kind, eligible: { _, l in
      if l.factor != nil { return "already a low-rank factor" }
      switch l.operation {
      case .conv(let c): return c.groups != 1 ? "already grouped" : nil
      case .fullyConnected: return groups > 1 ? "a fully connected layer has no channel groups" : nil
      default: return "no weights"
      }
    }, byDefault: { i, l in
      guard case .conv(let c) = l.operation else { return false }
      return i != firstMatrix && (pointwise || c.kernelHeight * c.kernelWidth > 1)
    })
    // Decompose every target once.
    var decompositions: [Decomposition] = []
    for i in targets {
      let l = net.layers[i]
      var ic = l.weightRows
      if case .conv = l.operation { ic = l.inputShape.channels }
      guard ic % groups == 0 else {
        throw InputError("\(Self.kind): groups=\(groups) do not divide the \(ic) input channels of layer \(l.name)")
      }
      let w = model.weights.layers[i]!
      let m = w.outputs, n = w.inputs / groups
      var svds: [SVD] = []
      for j in 0..<groups {
        var block = [Float](repeating: 0, count: m * n)
        for o in 0..<m { for c in 0..<n { block[o * n + c] = w.values[o * w.inputs + j * n + c] } }
        svds.append(try LAPACK.svd(block, m: m, n: n, what: "layer \(l.name) group \(j)"))
      }
      decompositions.append(Decomposition(index: i, groups: groups, svds: svds, norm: w.norm))
    }
    switch setting {
    case .rank(let r):
      for d in decompositions where r > d.maxRank {
        throw InputError("\(Self.kind): rank=\(r) exceeds min(m, n) = \(d.maxRank) of " +
            "layer \(net.layers[d.index].name)")
      }
      return try build(model, decompositions, ranks: decompositions.map { _ in r })
    case .energy(let f):
      return try build(model, decompositions, ranks: decompositions.map { $0.rank(energy: f) })
    case let .budget(budget, nearest):
      let (m, records, _) = try budget.search(kind: Self.kind, from: model, nearest: nearest, low: 0, high: 1,
                                              context: context) { knob in
        // Knob 0 keeps all the energy, 1 keeps the least (rank 1).
        try build(model, decompositions, ranks: decompositions.map { knob >= 1 ? 1 : $0.rank(energy: 1 - knob) })
      }
      return (m, records)
    }
  }

  /// The model with each decomposed layer replaced by its rank-`ranks[k]` pair, except a layer
  /// whose rank is at or above its break-even rank `m n / (m + n)` (per group: `m` outputs, `n`
  /// inputs), where the pair `r (m + n)` would hold at least as many weights as the layer: it stays
  /// dense, with a record that says so (kept ratio 1), as `--factorize` skips such layers.
  func build(_ model: CompressedModel, _ decompositions: [Decomposition], ranks: [Int]) throws -> (CompressedModel,
      [CompressionRecord]) {
    let net = model.network
    var decisions: [Int: (rank: Int, groups: Int)] = [:]
    var records: [CompressionRecord] = []
    var factored: [(Decomposition, Int)] = []
    for (d, r) in zip(decompositions, ranks) {
      let w = model.weights.layers[d.index]!
      let m = w.outputs, n = w.inputs / d.groups
      guard r * (m + n) < m * n else {
        let even = String(format: "%.1f", Double(m * n) / Double(m + n))
        records.append(CompressionRecord(step: description, layer: net.layers[d.index].name, rank: r, keptRatio: 1,
                                         relativeError: 0, note: "left dense: rank \(r) >= break-even \(even)"))
        continue
      }
      decisions[d.index] = (r, d.groups)
      factored.append((d, r))
    }
    let (newNet, newIndex, rIndex) = try net.factorizing(decisions)
    var weights = [LayerWeights?](repeating: nil, count: newNet.layers.count)
    var states = [LayerCompression](repeating: LayerCompression(), count: newNet.layers.count)
    for (i, _) in net.layers.enumerated() where decisions[i] == nil {
      weights[newIndex[i]] = model.weights.layers[i]
      states[newIndex[i]] = model.layers[i]
    }
    for (d, r) in factored {
      let w = model.weights.layers[d.index]!
      let m = w.outputs, g = d.groups, n = w.inputs / g, mid = r * g
      var lw = [Float](repeating: 0, count: m * mid), rw = [Float](repeating: 0, count: mid * n)
      for (j, svd) in d.svds.enumerated() {
        for q in 0..<r {
          let root = Float(Double(svd.s[q]).squareRoot())
          for o in 0..<m { lw[o * mid + j * r + q] = svd.u[o * svd.k + q] * root }
          for c in 0..<n { rw[(j * r + q) * n + c] = svd.vt[q * n + c] * root }
        }
      }
      weights[rIndex[d.index]!] = LayerWeights(values: rw, outputs: mid, inputs: n)
      weights[newIndex[d.index]] = LayerWeights(values: lw, outputs: m, inputs: mid, bias: w.bias)
      let error = d.norm > 0 ? d.residual(r).squareRoot() / d.norm : 0
      records.append(CompressionRecord(step: description, layer: net.layers[d.index].name, rank: r,
                                       keptRatio: Double(mid * (n + m)) / Double(m * n * g), relativeError: error,
                                       note: g > 1 ? "\(g) groups" : ""))
    }
    return (CompressedModel(unchecked: newNet, weights: NetworkWeights(layers: weights), layers: states), records)
  }
}
