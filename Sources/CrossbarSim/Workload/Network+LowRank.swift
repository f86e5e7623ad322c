// MARK: - Structural low-rank factorization ([LR] section 4)

/// Which layers to replace by low-rank pairs and with which rank and groups.
public struct FactorizationPlan: Sendable, Equatable {
  /// Rank per input-channel group.
  public var rank: Int
  /// Input-channel groups g (group low-rank when > 1).
  public var groups: Int
  /// Also factor 1x1 convolutions (off by default: they gain nothing from SDK).
  public var includePointwise: Bool
  /// Creates a plan.
  public init(rank: Int, groups: Int = 1, includePointwise: Bool = false) {
    self.rank = rank; self.groups = groups; self.includePointwise = includePointwise
  }

  /// Parses `rank=8,groups=2[,pointwise=true]`.
  public static func parse(_ text: String) throws -> FactorizationPlan {
    let o = try PluginOptions(kind: "--factorize",
                              PluginOptions.parse("factorize:" + text, what: "--factorize").options,
                              declared: options)
    guard let rank = o.int("rank") else { throw InputError("--factorize '\(text)': rank is required") }
    return FactorizationPlan(rank: rank, groups: o.int("groups")!, includePointwise: o.bool("pointwise"))
  }

  /// The options of `--factorize`.
  static let options: [PluginOption] = [
    .integer("rank", "R", in: 1...Int.max, help: "rank per group (required)"),
    .integer("groups", "G", in: 1...Int.max, default: 1, help: "input-channel groups (group low-rank)"),
    .flag("pointwise", default: false, help: "also factor 1x1 convs"),
  ]

}

extension Network {
  /// The network with every dense conv (K > 1 unless `includePointwise`) replaced by its pair:
  /// R, a K x K conv (same stride and padding, `groups` groups) from IC to `rank * groups`
  /// channels, then L, a 1x1 conv to OC. A conv the plan cannot apply to (groups that do not
  /// divide its input channels, or a rank not below `min(OC, IC/g K_h K_w)`, which would not
  /// compress) stays dense and is listed in `skipped` with the reason. Ranks or groups below 1
  /// are errors.
  public func factorized(_ plan: FactorizationPlan) throws -> Network { try factorizedReporting(plan).network }

  /// `factorized(_:)`, also returning the layers left dense and why.
  public func factorizedReporting(_ plan: FactorizationPlan) throws -> (network: Network, skipped: [String]) {
    guard plan.rank >= 1 else { throw InputError("low-rank: rank \(plan.rank) must be >= 1") }
    guard plan.groups >= 1 else { throw InputError("low-rank: groups \(plan.groups) must be >= 1") }
    var decisions: [Int: (rank: Int, groups: Int)] = [:]
    var skipped: [String] = []
    for (i, l) in layers.enumerated() {
      guard case .conv(let c) = l.operation, c.groups == 1, l.factor == nil,
            plan.includePointwise || c.kernelHeight * c.kernelWidth > 1 else { continue }
      let ic = l.inputShape.channels
      let n = ic / plan.groups * c.kernelHeight * c.kernelWidth
      guard ic % plan.groups == 0, plan.rank < min(c.outChannels, n) else {
        skipped.append(ic % plan.groups != 0 ? "\(l.name) (groups \(plan.groups) do not divide its \(ic) input " +
            "channels)"
                       : "\(l.name) (rank \(plan.rank) is not below min(\(c.outChannels), \(n)))")
        continue
      }
      decisions[i] = (plan.rank, plan.groups)
    }
    return (try factorizing(decisions).network, skipped)
  }

  /// The network with each layer in `decisions` (index -> rank per group, groups) replaced by
  /// its R/L pair. Returns the new network and, per old layer, its new index (L for a pair)
  /// and the R index of each pair.
  public func factorizing(_ decisions: [Int: (rank: Int, groups: Int)]) throws
    -> (network: Network, newIndex: [Int], rIndex: [Int: Int]) {
    var out = Network(name: name, inputShape: inputShape, layers: [])
    var newIndex: [Int] = [], rIndex: [Int: Int] = [:]
    let taken = Set(layers.map(\.name))
    for i in decisions.keys.sorted() {
      for part in ["R", "L"] where taken.contains("\(layers[i].name).\(part)") {
        throw InputError("layer \(layers[i].name): its low-rank factor would be named \(layers[i].name).\(part), " +
            "which another layer of \(name) already is; layer names must stay unique")
      }
    }
    for (i, l) in layers.enumerated() {
      let inputs = l.inputs.map { newIndex[$0] }
      guard let d = decisions[i] else {
        var copy = l; copy.inputs = inputs
        out.layers.append(copy); newIndex.append(out.layers.count - 1)
        continue
      }
      if case .fullyConnected(let outFeatures) = l.operation {
        guard d.groups == 1, d.rank >= 1 else {
          throw InputError("layer \(l.name): a fully connected layer factors with one group and rank >= 1")
        }
        out.layers.append(Layer(name: "\(l.name).R", operation: .fullyConnected(outFeatures: d.rank), inputs: inputs,
                                inputShape: l.inputShape, outputShape: TensorShape(d.rank, 1, 1),
                                factor: LowRankFactor(original: l.name, part: .r, rank: d.rank, groups: 1)))
        rIndex[i] = out.layers.count - 1
        out.layers.append(Layer(name: "\(l.name).L", operation: .fullyConnected(outFeatures: outFeatures),
                                inputs: [out.layers.count - 1], inputShape: TensorShape(d.rank, 1,
                                    1), outputShape: l.outputShape,
                                factor: LowRankFactor(original: l.name, part: .l, rank: d.rank, groups: 1)))
        out.layers[out.layers.count - 1].activation = l.activation
        newIndex.append(out.layers.count - 1)
        continue
      }
      guard case .conv(let c) = l.operation, c.groups == 1 else {
        throw InputError("layer \(l.name): only dense (ungrouped) convolutions and fully connected layers can be " +
            "factored")
      }
      guard d.rank >= 1, d.groups >= 1, l.inputShape.channels % d.groups == 0 else {
        throw InputError("layer \(l.name): rank \(d.rank) x \(d.groups) groups does not fit \(l.inputShape.channels) " +
            "input channels")
      }
      let mid = d.rank * d.groups
      var r = Convolution(outChannels: mid, kernel: c.kernelHeight, stride: c.stride, padding: c.padding,
                          groups: d.groups)
      r.kernelWidth = c.kernelWidth
      let rShape = TensorShape(mid, l.outputShape.height, l.outputShape.width)
      out.layers.append(Layer(name: "\(l.name).R", operation: .conv(r), inputs: inputs, inputShape: l.inputShape,
                              outputShape: rShape,
                              factor: LowRankFactor(original: l.name, part: .r, rank: d.rank, groups: d.groups)))
      rIndex[i] = out.layers.count - 1
      out.layers.append(Layer(name: "\(l.name).L", operation: .conv(Convolution(outChannels: c.outChannels, kernel: 1)),
                              inputs: [out.layers.count - 1], inputShape: rShape, outputShape: l.outputShape,
                              factor: LowRankFactor(original: l.name, part: .l, rank: d.rank, groups: d.groups)))
      out.layers[out.layers.count - 1].activation = l.activation   // R is linear; L ends as the original did
      newIndex.append(out.layers.count - 1)
    }
    return (out, newIndex, rIndex)
  }
}
