// MARK: - [XA] Algorithm 1: learnable group scales, an L1 penalty, gradual zeroing

/// Training-time pruning as [XA]'s Algorithm 1 (Huai et al., ASP-DAC 2023) does it: every group
/// (a kernel group in phase 1, a crossbar block in phase 2) gets a learnable scale `delta`, started
/// at 1, that multiplies its weights (and, for kernel groups, its biases: the scale acts on the
/// channels' outputs); `penalty x |delta|` is added to the loss ("update_with_sparsity"). From
/// epoch `startEpoch` on, at every even epoch and the last, each layer's groups are ranked by
/// `|delta|` and those under the layer's threshold are zeroed for good, the share zeroed growing
/// evenly over those epochs up to `ratio` (the paper's summary gives no schedule: this ramp is our
/// choice; see `pruningEpochs`). At the end the scales are folded into the weights, so a pruned
/// group is exactly zero.
public struct GroupSparsity: Sendable, Equatable {
  /// One group of a layer: indices into its weights (row-major `outputs x inputs`) and biases.
  public struct Group: Sendable, Equatable {
    /// Weight indices.
    public var weights: [Int]
    /// Bias indices (kernel groups: the group's output channels; crossbar blocks: none).
    public var biases: [Int]
    /// Creates a group.
    public init(weights: [Int], biases: [Int] = []) { self.weights = weights; self.biases = biases }
  }
  /// Groups per layer index.
  public var layers: [Int: [Group]]
  /// Weight of the L1 penalty on the scales.
  public var penalty: Double
  /// Share of each layer's groups zeroed by the end, in [0, 1) (each layer keeps one group).
  public var ratio: Double
  /// First epoch (1-based) at which groups may be zeroed (the paper's `s`).
  public var startEpoch: Int

  /// Creates the sparsity training of `layers`.
  public init(layers: [Int: [Group]], penalty: Double, ratio: Double, startEpoch: Int) {
    self.layers = layers; self.penalty = penalty; self.ratio = ratio; self.startEpoch = startEpoch
  }

  /// Checks the ranges, and that every group lies inside its layer's weights and biases.
  func validate(for model: CompressedModel) throws {
    let inside = layers.allSatisfy { i, groups in
      guard model.weights.layers.indices.contains(i), let w = model.weights.layers[i] else { return false }
      return groups.allSatisfy { g in
        g.weights.allSatisfy(w.values.indices.contains) && g.biases.allSatisfy { w.bias?.indices.contains($0) ?? false }
      }
    }
    guard (0..<1).contains(ratio), penalty >= 0, penalty.isFinite, inside else {
      throw InputError("sparsity training: ratio in [0, 1), penalty >= 0, groups inside their layers " +
          "(ratio \(ratio), penalty \(penalty))")
    }
  }

  /// Epochs (1-based, of `epochs`) after which groups are zeroed: from `startEpoch`, the even ones
  /// before the last. [XA] also prunes after the last epoch; a short fine-tuning with few groups per
  /// layer would then remove a whole share with no epoch left to recover, so here the last epoch
  /// only trains (with one epoch, or a start at the last, it prunes after it).
  public func pruningEpochs(of epochs: Int) -> [Int] {
    let first = max(1, startEpoch)
    let events = first < epochs ? (first..<epochs).filter { $0 % 2 == 0 } : []
    return events.isEmpty ? [min(max(first, 1), max(epochs, 1))] : events
  }

  /// Groups of a layer with `count` groups to have zeroed after the `k`-th of `events` pruning epochs.
  func target(groups count: Int, event k: Int, of events: Int) -> Int {
    let share = ratio * Double(k) / Double(max(1, events))
    return max(0, min(count - 1, Int((share * Double(count)).rounded(.down))))
  }
}

/// The scales of the groups under training, and which are zeroed for good.
struct GroupScales<T: TrainScalar> {
  let sparsity: GroupSparsity
  /// Scale per layer and group.
  var delta: [Int: [T]]
  /// Zeroed groups per layer.
  var zeroed: [Int: [Bool]]

  init(_ s: GroupSparsity) {
    sparsity = s
    delta = s.layers.mapValues { [T](repeating: 1, count: $0.count) }
    zeroed = s.layers.mapValues { [Bool](repeating: false, count: $0.count) }
  }

  /// Multiplies every group's weights and biases by its scale.
  func scale(_ p: inout TrainableParameters<T>) {
    for (i, groups) in sparsity.layers {
      for (g, group) in groups.enumerated() {
        let d = delta[i]![g]
        for j in group.weights { p.weights[i]![j] *= d }
        for j in group.biases { p.biases[i]![j] *= d }
      }
    }
  }

  /// Turns gradients at the scaled weights into gradients of the latent ones, and steps the scales
  /// (plain SGD at `lr`, with the L1 penalty's subgradient); zeroed scales stay zero.
  mutating func step(_ grads: inout TrainableParameters<T>, latent: TrainableParameters<T>, lr: T) {
    let penalty = T(sparsity.penalty)
    for (i, groups) in sparsity.layers {
      for (g, group) in groups.enumerated() where !zeroed[i]![g] {
        let d = delta[i]![g]
        var dd: T = 0
        for j in group.weights { dd += grads.weights[i]![j] * latent.weights[i]![j]; grads.weights[i]![j] *= d }
        for j in group.biases { dd += grads.biases[i]![j] * latent.biases[i]![j]; grads.biases[i]![j] *= d }
        delta[i]![g] = d - lr * (dd + penalty * (d > 0 ? 1 : (d < 0 ? -1 : 0)))
      }
    }
  }

  /// Zeroes, in every layer, the groups of smallest `|delta|` up to the target of event `k` of `events`.
  mutating func prune(event k: Int, of events: Int) {
    for (i, groups) in sparsity.layers {
      let want = sparsity.target(groups: groups.count, event: k, of: events)
      var have = zeroed[i]!.filter { $0 }.count
      let order = groups.indices.filter { !zeroed[i]![$0] }
        .sorted { (abs(delta[i]![$0]), $0) < (abs(delta[i]![$1]), $1) }
      for g in order where have < want { zeroed[i]![g] = true; delta[i]![g] = 0; have += 1 }
    }
  }
}
