import Foundation
import Testing
@testable import CrossbarSim

/// Analytic gradients of the training graph against central differences, in double precision on
/// small shapes (the reference outside the code: calculus), and one two-layer case worked by hand.
@Suite("Training gradients")
struct TrainingGradientTests {
  /// Parameters with seeded values in [-0.5, 0.5] (biases included) for `network`.
  static func parameters(_ network: Network, seed: UInt64) -> TrainableParameters<Double> {
    var rng = SeededGenerator(seed: seed)
    let w = NetworkWeights(layers: network.layers.map { l in
      guard l.operation.isMatrix else { return nil }
      return LayerWeights(values: (0..<l.parameters).map { _ in Float(rng.uniform() - 0.5) }, outputs: l.weightColumns,
                          inputs: l.weightRows, bias: (0..<l.weightColumns).map { _ in Float(rng.uniform() - 0.5) })
    })
    return TrainableParameters(w)
  }

  static func loss(_ g: TrainingGraph<Double>, _ x: [Double], _ y: [Int], _ p: TrainableParameters<Double>) -> Double {
    SoftmaxCrossEntropy.evaluate(g.forward(x, images: y.count, p)[g.sink], labels: y, classes: g.classes).loss
  }

  /// Largest relative difference `|a - n| / max(|a|, |n|, 1e-6)` between the analytic gradient of every
  /// parameter and its central difference (step 1e-6).
  /// Both with the columns kept by the forward pass and recomputed by the backward pass.
  static func worstRelativeError(_ network: Network, images: Int = 2, seed: UInt64 = 3,
                                 constrain: ((inout TrainableParameters<Double>) -> Void)? = nil) -> Double {
    max(worstRelativeError(network, images: images, seed: seed, keepColumns: true, constrain: constrain),
        worstRelativeError(network, images: images, seed: seed, keepColumns: false, constrain: constrain))
  }

  static func worstRelativeError(_ network: Network, images: Int, seed: UInt64, keepColumns: Bool,
                                 constrain: ((inout TrainableParameters<Double>) -> Void)?) -> Double {
    let graph = TrainingGraph<Double>(network: network)
    var rng = SeededGenerator(seed: seed &+ 100)
    let x = (0..<(images * network.inputShape.elements)).map { _ in rng.uniform() * 2 - 1 }
    let y = (0..<images).map { _ in Int(rng.next() % UInt64(graph.classes)) }
    var p = parameters(network, seed: seed)
    constrain?(&p)
    let tape = graph.tape(x, images: images, p, keepColumns: keepColumns)
    let dLogits = SoftmaxCrossEntropy.evaluate(tape.outputs[graph.sink], labels: y, classes: graph.classes).gradient
    let g = graph.backward(x, images: images, tape: tape, dLogits: dLogits, p)
    var worst = 0.0
    let h = 1e-6
    func check(_ analytic: Double, _ perturb: (inout TrainableParameters<Double>, Double) -> Void) {
      var plus = p, minus = p
      perturb(&plus, h); perturb(&minus, -h)
      let numeric = (loss(graph, x, y, plus) - loss(graph, x, y, minus)) / (2 * h)
      worst = max(worst, abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-6))
    }
    for i in p.weights.indices where p.weights[i] != nil {
      for j in p.weights[i]!.indices { check(g.weights[i]![j]) { $0.weights[i]![j] += $1 } }
      for j in p.biases[i]!.indices { check(g.biases[i]![j]) { $0.biases[i]![j] += $1 } }
    }
    return worst
  }

  @Test("conv with stride 2, padding 1 and 2 groups, then FC")
  func convStrideGroups() throws {
    var b = NetworkBuilder(name: "conv", input: TensorShape(4, 5, 5))
    try b.conv("c", Convolution(outChannels: 6, kernel: 3, stride: 2, padding: 1, groups: 2))
    b.activate(.relu)
    try b.fc("fc", 3)
    #expect(Self.worstRelativeError(b.network) < 1e-3)
  }

  @Test("strided and narrow convs after another layer: their input gradients reach the layer before")
  func stridedInputGradient() throws {
    var b = NetworkBuilder(name: "deep", input: TensorShape(2, 5, 5))
    try b.conv("first", Convolution(outChannels: 4, kernel: 3, padding: 1))
    try b.conv("strided", Convolution(outChannels: 4, kernel: 3, stride: 2, padding: 1, groups: 2))
    try b.conv("narrow", Convolution(outChannels: 3, kernel: 3, stride: 2, padding: 1))   // 3x3 -> 2x2
    try b.pool("one", Pooling(.max, kernel: 2, stride: 2))
    try b.conv("edge", Convolution(outChannels: 2, kernel: 3, stride: 2, padding: 1))     // on a 1x1 map
    try b.fc("fc", 3)
    #expect(Self.worstRelativeError(b.network) < 1e-3)
  }

  @Test("a 3x3 kernel at stride 2 over a 1x1 map: only the centre tap reads the input")
  func kernelWiderThanMap() throws {
    var b = NetworkBuilder(name: "narrow", input: TensorShape(2, 1, 1))
    try b.conv("c", Convolution(outChannels: 3, kernel: 3, stride: 2, padding: 1))
    try b.fc("fc", 2)
    #expect(Self.worstRelativeError(b.network) < 1e-3)
  }

  @Test("the training forward pass gives onnxruntime's digits logits (the float path's reference)")
  func forwardMatchesOnnxruntime() throws {
    let (net, w) = try ONNXImporter.load(path: "\(digitsFolder)/digits-cnn.onnx")
    let test = try Dataset.load("\(digitsFolder)/digits-test.npz", shape: net.inputShape, classes: 10)
    let reference = try WeightFile.arrays(at: "\(digitsFolder)/digits-reference.npz")[0].array.values
    let graph = TrainingGraph<Float>(network: net)
    let n = 32
    let logits = graph.forward(Array(test.x[0..<(n * 64)]), images: n, TrainableParameters(w))[graph.sink]
    let worst = zip(logits, reference[0..<(n * 10)]).map { abs($0 - $1) }.max()!
    #expect(worst < 1e-4, "max |swift - onnxruntime| = \(worst)")
  }

  @Test("max, average and global average pooling (padding counted by the average)")
  func pools() throws {
    var b = NetworkBuilder(name: "pools", input: TensorShape(2, 6, 6))
    try b.conv("c1", Convolution(outChannels: 3, kernel: 3, padding: 1))
    try b.pool("max", Pooling(.max, kernel: 3, stride: 2, padding: 1))
    try b.conv("c2", Convolution(outChannels: 3, kernel: 1))
    try b.pool("avg", Pooling(.average, kernel: 2, stride: 1, padding: 1))
    try b.pool("gap", Pooling(.average, kernel: 4, stride: 1))
    try b.fc("fc", 4)
    #expect(Self.worstRelativeError(b.network) < 1e-3)
  }

  @Test("a residual add and a channel concat, with ReLU after the add")
  func addConcat() throws {
    var b = NetworkBuilder(name: "dag", input: TensorShape(2, 4, 4))
    let a = try b.conv("a", Convolution(outChannels: 3, kernel: 3, padding: 1))
    b.activate(.relu)
    let c = try b.conv("b", Convolution(outChannels: 3, kernel: 3, padding: 1), from: a)
    try b.add("sum", a, c)
    b.activate(.relu)
    let d = try b.conv("d", Convolution(outChannels: 2, kernel: 1), from: a)
    try b.concat("cat", [b.last! - 1, d])
    try b.fc("fc", 3)
    #expect(Self.worstRelativeError(b.network) < 1e-3)
  }

  @Test("a low-rank pair (grouped R, 1x1 L) trains as the two layers it is")
  func lowRankPair() throws {
    var b = NetworkBuilder(name: "lr", input: TensorShape(4, 4, 4))
    let r = try b.conv("c.R", Convolution(outChannels: 4, kernel: 3, padding: 1, groups: 2))
    let l = try b.conv("c.L", Convolution(outChannels: 5, kernel: 1))
    try b.fc("fc", 3)
    var net = b.network
    net.layers[r].factor = LowRankFactor(original: "c", part: .r, rank: 2, groups: 2)
    net.layers[l].factor = LowRankFactor(original: "c", part: .l, rank: 2, groups: 2)
    #expect(Self.worstRelativeError(net) < 1e-3)
  }

  @Test("a pruning mask: masked weights have zero gradient, kept ones the true one")
  func maskedGradients() throws {
    var b = NetworkBuilder(name: "mask", input: TensorShape(2, 3, 3))
    try b.conv("c", Convolution(outChannels: 3, kernel: 3, padding: 1))
    try b.fc("fc", 3)
    let keep = (0..<b.network.layers[0].parameters).map { $0 % 3 != 0 }
    var state = LayerCompression()
    state.keep = keep
    let constraint = LayoutConstraint(state)
    // The gradient the trainer applies is the masked gradient at the masked weights: the numeric
    // gradient of the loss at those weights, and zero where masked.
    #expect(Self.worstRelativeError(b.network) { p in p.weights[0] = constraint.effective(p.weights[0]!) } < 1e-3)
    var g = [Double](repeating: 1, count: keep.count)
    constraint.mask(&g)
    #expect(zip(g, keep).allSatisfy { $0.1 ? $0.0 == 1 : $0.0 == 0 })
  }

  @Test("[XA]'s group scales: the gradient of each scale and of the weights under it, against central differences")
  func groupScales() throws {
    var b = NetworkBuilder(name: "scales", input: TensorShape(2, 3, 3))
    try b.conv("c", Convolution(outChannels: 4, kernel: 3, padding: 1)); b.activate(.relu)
    try b.fc("fc", 3)
    let graph = TrainingGraph<Double>(network: b.network)
    let latent = Self.parameters(b.network, seed: 8)
    let groups: [Int: [GroupSparsity.Group]] = [
      0: (0..<2).map { g in GroupSparsity.Group(weights: Array((g * 36)..<((g + 1) * 36)), biases: [2 * g, 2 * g + 1]) },
      1: [GroupSparsity.Group(weights: Array(0..<72)), GroupSparsity.Group(weights: Array(72..<108))],
    ]
    var scales = GroupScales<Double>(GroupSparsity(layers: groups, penalty: 0, ratio: 0.5, startEpoch: 1))
    scales.delta = [0: [0.7, 1.3], 1: [1.1, 0.6]]
    var rng = SeededGenerator(seed: 4)
    let x = (0..<36).map { _ in rng.uniform() - 0.5 }, y = [1, 2]
    func loss(_ s: GroupScales<Double>, _ w: TrainableParameters<Double>) -> Double {
      var p = w
      s.scale(&p)
      return Self.loss(graph, x, y, p)
    }
    var p = latent
    scales.scale(&p)
    let tape = graph.tape(x, images: 2, p)
    let d = SoftmaxCrossEntropy.evaluate(tape.outputs[graph.sink], labels: y, classes: 3).gradient
    var grads = graph.backward(x, images: 2, tape: tape, dLogits: d, p)
    var stepped = scales
    stepped.step(&grads, latent: latent, lr: 1)   // no penalty: delta moves by exactly its gradient
    var worst = 0.0
    let h = 1e-6
    for (i, ds) in scales.delta {
      for g in ds.indices {
        var plus = scales, minus = scales
        plus.delta[i]![g] += h; minus.delta[i]![g] -= h
        let numeric = (loss(plus, latent) - loss(minus, latent)) / (2 * h)
        let analytic = scales.delta[i]![g] - stepped.delta[i]![g]
        worst = max(worst, abs(analytic - numeric) / max(abs(numeric), 1e-6))
      }
    }
    // The latent weights' gradients are the scaled ones.
    for j in [0, 40, 70] {
      var plus = latent, minus = latent
      plus.weights[0]![j] += h; minus.weights[0]![j] -= h
      let numeric = (loss(scales, plus) - loss(scales, minus)) / (2 * h)
      worst = max(worst, abs(grads.weights[0]![j] - numeric) / max(abs(numeric), 1e-6))
    }
    #expect(worst < 1e-3)
  }

  @Test("worked by hand: FC -> ReLU -> FC, label 0")
  func twoLayersByHand() throws {
    // x = (1, 2); W1 = [[1, 0], [0, -1]], b1 = 0: h = relu(1, -2) = (1, 0); W2 = [[1, 1], [2, -1]],
    // b2 = 0: logits (1, 2). With p1 = e / (1 + e): dlogits = (-p1, p1), dW2 = [[-p1, 0], [p1, 0]],
    // db2 = (-p1, p1); dh = W2^T dlogits = (p1, -2 p1), masked by the ReLU to (p1, 0);
    // dW1 = dh x^T = [[p1, 2 p1], [0, 0]], db1 = (p1, 0).
    var b = NetworkBuilder(name: "hand", input: TensorShape(2, 1, 1))
    try b.fc("h", 2); b.activate(.relu)
    try b.fc("out", 2)
    let graph = TrainingGraph<Double>(network: b.network)
    let p = TrainableParameters<Double>(weights: [[1, 0, 0, -1], [1, 1, 2, -1]], biases: [[0, 0], [0, 0]])
    let tape = graph.tape([1, 2], images: 1, p)
    let outs = tape.outputs
    #expect(outs[0] == [1, 0] && outs[1] == [1, 2])
    let (loss, d, _) = SoftmaxCrossEntropy.evaluate(outs[1], labels: [0], classes: 2)
    let p1 = M_E / (1 + M_E)
    #expect(abs(loss - log(1 + M_E)) < 1e-15)
    let g = graph.backward([1, 2], images: 1, tape: tape, dLogits: d, p)
    let expected: [[Double]] = [[p1, 2 * p1, 0, 0], [p1, 0], [-p1, 0, p1, 0], [-p1, p1]]
    let got = [g.weights[0]!, g.biases[0]!, g.weights[1]!, g.biases[1]!]
    for (e, v) in zip(expected, got) { #expect(zip(e, v).allSatisfy { abs($0 - $1) < 1e-15 }, "\(v) != \(e)") }
  }
}
