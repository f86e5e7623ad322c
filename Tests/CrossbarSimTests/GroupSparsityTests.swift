import Foundation
import Testing
@testable import CrossbarSim

/// [XA] Algorithm 1's training-time pruning: when groups are zeroed, how many, and that they stay zero.
@Suite("Training-time group pruning")
struct GroupSparsityTests {
  @Test("groups are zeroed at the even epochs from the start epoch, before the last; one epoch prunes after it")
  func schedule() {
    let s = { (start: Int) in GroupSparsity(layers: [:], penalty: 0, ratio: 0.5, startEpoch: start) }
    #expect(s(6).pruningEpochs(of: 10) == [6, 8])
    #expect(s(1).pruningEpochs(of: 10) == [2, 4, 6, 8])
    #expect(s(4).pruningEpochs(of: 6) == [4])
    #expect(s(6).pruningEpochs(of: 6) == [6])
    #expect(s(1).pruningEpochs(of: 1) == [1])
    // The share ramps evenly to the ratio and every layer keeps a group.
    let g = s(1)
    #expect((1...4).map { g.target(groups: 8, event: $0, of: 4) } == [1, 2, 3, 4])
    #expect(GroupSparsity(layers: [:], penalty: 0, ratio: 0.99, startEpoch: 1).target(groups: 3, event: 1, of: 1) == 2)
  }

  @Test("after training, half of each layer's groups (weights and biases) are exactly zero and the rest are not")
  func zeroedGroupsStayZero() throws {
    var b = NetworkBuilder(name: "two", input: TensorShape(2, 4, 4))
    try b.conv("a", Convolution(outChannels: 4, kernel: 3, padding: 1)); b.activate(.relu)
    try b.pool("gap", Pooling(.average, kernel: 4, stride: 1))
    try b.fc("fc", 3)
    var rng = SeededGenerator(seed: 9)
    let w = NetworkWeights.heNormal(for: b.network, seed: 2)
    let model = try CompressedModel(network: b.network, weights: w)
    // One group per output channel of `a` (weights and bias), and per output of `fc`.
    let groups: [Int: [GroupSparsity.Group]] = [
      0: (0..<4).map { o in GroupSparsity.Group(weights: Array((o * 18)..<((o + 1) * 18)), biases: [o]) },
      2: (0..<3).map { o in GroupSparsity.Group(weights: Array((o * 4)..<((o + 1) * 4))) },
    ]
    var o = TrainingOptions()
    o.epochs = 4; o.batch = 8
    var tuner = try FineTuner(model, options: o,
                              sparsity: GroupSparsity(layers: groups, penalty: 1e-3, ratio: 0.5, startEpoch: 1))
    let set = Dataset(x: (0..<(64 * 32)).map { _ in Float(rng.uniform()) }, y: (0..<64).map { $0 % 3 })
    _ = try tuner.train(on: set, validation: nil)
    let a = tuner.model.weights.layers[0]!, fc = tuner.model.weights.layers[2]!
    let zeroA = (0..<4).filter { o in a.values[(o * 18)..<((o + 1) * 18)].allSatisfy { $0 == 0 } && a.bias![o] == 0 }
    let zeroFC = (0..<3).filter { o in fc.values[(o * 4)..<((o + 1) * 4)].allSatisfy { $0 == 0 } }
    #expect(zeroA.count == 2 && zeroFC.count == 1, "zeroed: a \(zeroA), fc \(zeroFC)")
    #expect(a.nonzeros == 2 * 18 && fc.nonzeros == 2 * 4)
  }

  @Test("groups outside their layer are an error, not a crash")
  func badGroups() throws {
    var b = NetworkBuilder(name: "one", input: TensorShape(1, 1, 1))
    try b.fc("fc", 2)
    let model = try CompressedModel(network: b.network, weights: .heNormal(for: b.network, seed: 1))
    let bad = GroupSparsity(layers: [0: [GroupSparsity.Group(weights: [5])]], penalty: 0, ratio: 0.5, startEpoch: 1)
    #expect(throws: InputError.self) { try FineTuner(model, options: TrainingOptions(), sparsity: bad) }
  }
}

/// The update rules and schedules, worked by hand on one parameter.
@Suite("Optimizers and schedules")
struct OptimizerTests {
  static func run(_ kind: OptimizerKind, momentum: Double = 0.9, decay: Double = 0, lr: Float = 0.1,
                  gradients: [Float]) -> Float {
    var p = TrainableParameters<Float>(weights: [[1]], biases: [nil])
    var o = Optimizer<Float>(kind: kind, momentum: momentum, weightDecay: decay, shapedLike: p)
    for g in gradients { o.step(&p, TrainableParameters(weights: [[g]], biases: [nil]), lr: lr) }
    return p.weights[0]![0]
  }

  @Test("SGD with momentum: v = 0.9 v + g + decay p, p -= lr v")
  func sgd() {
    // v1 = 1, p = 0.9; v2 = 0.9 + 1 = 1.9, p = 0.9 - 0.19 = 0.71.
    #expect(abs(Self.run(.sgd, gradients: [1, 1]) - 0.71) < 1e-6)
    // Decay 0.5, no gradient, no momentum: p = 1 - 0.1 x 0.5 = 0.95.
    #expect(abs(Self.run(.sgd, momentum: 0, decay: 0.5, gradients: [0]) - 0.95) < 1e-6)
  }

  @Test("Adam's first step moves by the learning rate whatever the gradient's size (bias correction)")
  func adam() {
    #expect(abs(Self.run(.adam, gradients: [0.5]) - 0.9) < 1e-5)
    #expect(abs(Self.run(.adam, gradients: [-1000]) - 1.1) < 1e-5)
  }

  @Test("cosine halves the rate at mid-run; step multiplies it every EVERY epochs")
  func schedules() {
    #expect(LearningRateSchedule.cosine.rate(0.1, epoch: 0, epochs: 10) == 0.1)
    #expect(abs(LearningRateSchedule.cosine.rate(0.1, epoch: 5, epochs: 10) - 0.05) < 1e-12)
    #expect(abs(LearningRateSchedule.step(every: 3, factor: 0.1).rate(1, epoch: 7, epochs: 10) - 0.01) < 1e-12)
    #expect(LearningRateSchedule.constant.rate(0.3, epoch: 9, epochs: 10) == 0.3)
  }

  @Test("pruning zeroes the groups of smallest |scale| first")
  func smallestFirst() {
    let groups = (0..<4).map { GroupSparsity.Group(weights: [$0]) }
    var scales = GroupScales<Float>(GroupSparsity(layers: [0: groups], penalty: 0, ratio: 0.5, startEpoch: 1))
    scales.delta[0] = [0.1, 0.9, -0.5, 0.05]
    scales.prune(event: 1, of: 1)
    #expect(scales.zeroed[0] == [true, false, false, true] && scales.delta[0] == [0, 0.9, -0.5, 0])
  }
}

/// Noise-aware training's perturbation against the cell model worked by hand.
@Suite("Noise-aware training")
struct WeightNoiseTests {
  @Test("a weight whose stored level is 0b1001_0110 moves with sigma S sqrt(64^2 2^2 + 16^2 + 4^2 + 2^2) on 2-bit cells")
  func cellModel() {
    // 8-bit grid, scale 1/16, zero point 100: level 150 = 0b10_01_01_10 is the weight (150 - 100) / 16.
    let grid = QuantizedWeights(zeroPoint: 100, bits: 8, scale: 1.0 / 16, scaleExponent: -4)
    let noise = WeightNoise(sigma: 0.1, bitsPerCell: 2, weightBits: 8, seed: 3)
    let n = 40_000
    var p = TrainableParameters<Float>(weights: [[Float](repeating: 50.0 / 16, count: n)], biases: [nil])
    var rng = SeededGenerator(seed: 5)
    noise.perturb(&p, grids: [grid], rng: &rng)
    let d = p.weights[0]!.map { Double($0) - 50.0 / 16 }
    let mean = d.reduce(0, +) / Double(n)
    let variance = d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
    let sd = variance.squareRoot()
    let squares: Double = 128 * 128 + 16 * 16 + 4 * 4 + 2 * 2   // digits 2, 1, 1, 2 at 64, 16, 4, 1
    let expected = 0.1 / 16 * squares.squareRoot()
    #expect(abs(mean) < 3 * expected / Double(n).squareRoot() + 1e-6)
    #expect(abs(sd / expected - 1) < 0.02, "sd \(sd), expected \(expected)")
    var q = TrainableParameters<Float>(weights: [[1, 2]], biases: [nil])
    WeightNoise(sigma: 0, bitsPerCell: 2, weightBits: 8, seed: 1).perturb(&q, grids: [grid], rng: &rng)
    #expect(q.weights[0]! == [1, 2])
  }
}

/// What a layout constraint lets the network compute with.
@Suite("Layout constraints")
struct LayoutConstraintTests {
  @Test("a mask zeroes every weight it drops, even where the given weights are not zero")
  func maskZeroes() {
    var state = LayerCompression()
    state.keep = [true, false, true, false, false]
    #expect(LayoutConstraint(state).effective([1.0, 2, 3, 4, 5] as [Double]) == [1, 0, 3, 0, 0])
  }

  @Test("a grid snaps every weight to its level, masked weights to zero")
  func gridAndMask() {
    var state = LayerCompression()
    state.keep = [true, true, false]
    state.quantized = QuantizedWeights(zeroPoint: 2, bits: 2, scale: 0.5, scaleExponent: -1)   // levels -1 ... 0.5
    #expect(LayoutConstraint(state).effective([0.3, -7, 0.4] as [Double]) == [0.5, -1, 0])
  }
}
