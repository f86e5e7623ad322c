import Foundation
import Mappers
import Testing
@testable import CrossbarSim

let pytorchFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Fixtures/pytorch").path

/// Networks PyTorch 2.13 exported (Tests/Fixtures/pytorch/export.py): seeded torchvision models at
/// reduced width and input, through the TorchScript (`ts`, opset 13) and dynamo (opset 18) exporters,
/// with onnxruntime's logits.
@Suite("PyTorch exports")
struct PyTorchExportTests {
  static let fixtures = ["resnet20a-ts", "resnet20a-dynamo", "mobilenetv2-dynamo", "mobilenetv3small-ts",
                         "mobilenetv3small-dynamo", "shufflenetv2-dynamo", "densenet-ts", "densenet-dynamo"]

  @Test("the float path matches onnxruntime's logits (1e-4 relative) and its top-1 on every image",
        arguments: fixtures)
  func floatMatchesOnnxruntime(_ name: String) throws {
    let (net, w) = try ONNXImporter.load(path: "\(pytorchFolder)/\(name).onnx")
    let arrays = try WeightFile.arrays(at: "\(pytorchFolder)/\(name)-data.npz")
    let x = arrays.first { $0.name == "x" }!.array, ref = arrays.first { $0.name == "logits" }!.array
    let images = x.shape[0], classes = ref.shape[1]
    let logits = try FloatInference(network: net, weights: w).run(x.values, images: images).last!
    #expect(logits.count == images * classes)
    var agree = 0
    for n in 0..<images {
      let r = Array(ref.values[(n * classes)..<((n + 1) * classes)]), g = Array(logits[(n * classes)..<((n + 1) *
          classes)])
      let norm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let err = zip(r, g).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      #expect(err <= 1e-4 * norm, "\(name) image \(n): relative error \(err / norm)")
      if r.indices.max(by: { r[$0] < r[$1] }) == g.indices.max(by: { g[$0] < g[$1] }) { agree += 1 }
    }
    #expect(agree == images)
  }

  @Test("each export imports as the operators it holds: option-A pads and subsampling, shuffles, squeeze-excite")
  func layerKinds() throws {
    func kinds(_ name: String) throws -> [String: Int] {
      let net = try ONNXImporter.load(path: "\(pytorchFolder)/\(name).onnx").network
      return net.layers.reduce(into: [:]) { $0[$1.operation.kind, default: 0] += 1 }
    }
    for exporter in ["ts", "dynamo"] {
      let a = try kinds("resnet20a-\(exporter)")
      // Two downsampling blocks: x[:, :, ::2, ::2] (a window-1 max-pool) then a zero channel pad.
      #expect(a["pad"] == 2 && a["maxpool"] == 2 && a["add"] == 9 && a["conv"] == 19, "\(exporter): \(a)")
      let d = try kinds("densenet-\(exporter)")
      // BatchNormalization after a concatenation or a pool: 3 dense layers' norm1, 2 transitions, the final norm.
      #expect(d["affine"] != nil && d["affine"]! >= 6, "\(exporter): \(d)")
    }
    let m = try kinds("mobilenetv3small-dynamo")
    #expect(m["multiply"] == 9, "squeeze-excite products: \(m)")
    let s = try kinds("shufflenetv2-dynamo")
    #expect(s["shuffle"] == 16 && s["slice"] != nil, "\(s)")
  }

  @Test("the channel moves are the permutations PyTorch's view-transpose-view, pad and slice give")
  func channelMoves() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(6, 1, 2))
    let x: [Float] = (0..<12).map(Float.init)   // channel c holds 2c, 2c + 1
    let shuffle = try b.channelShuffle("s", groups: 2, reading: nil)
    let pad = try b.channelPad("p", before: 1, after: 2, reading: nil)
    let slice = try b.channelSlice("c", start: 2, count: 3, reading: nil)
    let net = b.network
    // view(2, 3).transpose: output channels are input channels 0, 3, 1, 4, 2, 5.
    #expect(ChannelOps.move(x, images: 1, layer: net.layers[shuffle], zero: 0) == [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11])
    #expect(ChannelOps.move(x, images: 1, layer: net.layers[pad], zero: -1) == [-1, -1] + x + [-1, -1, -1, -1])
    #expect(ChannelOps.move(x, images: 1, layer: net.layers[slice], zero: 0) == [4, 5, 6, 7, 8, 9])
    #expect(throws: InputError.self) { try b.channelShuffle("bad", groups: 4, reading: nil) }
    #expect(throws: InputError.self) { try b.channelSlice("bad", start: 5, count: 2, reading: nil) }
  }

  @Test("activations, products and affines: hand-worked values in float and on codes")
  func elementwiseValues() throws {
    #expect(Activation.hardSwish(1) == 1 * (1.0 / 6 + 0.5))
    #expect(Activation.hardSwish(-3) == 0 && Activation.hardSwish(4) == 4)
    #expect(abs(Activation.hardSigmoid(alpha: 0.2, beta: 0.5)(1) - 0.7) < 1e-7)
    #expect(Activation.sigmoid(0) == 0.5)
    #expect(abs(Activation.leakyRelu(alpha: 0.1)(-2) + 0.2) < 1e-7)
    // On codes of scale 1/4: 6 (1.5) through HardSwish is 1.5 x 0.75 = 1.125, code 4.5 -> 5 (half away).
    var codes = [6, -20, 0]
    Activation.hardSwish.apply(codes: &codes, scale: 0.25)
    #expect(codes == [5, 0, 0])
    var b = NetworkBuilder(name: "t", input: TensorShape(2, 1, 2))
    let conv = try b.conv("c", Convolution(outChannels: 2, kernel: 1))
    let gap = try b.pool("g", Pooling(.average, kernel: 1, stride: 2), from: conv)
    let mul = try b.multiply("m", conv, gap)
    let affine = try b.affine("a", PerChannelAffine(scale: [2, -1], shift: [0.5, 1]), reading: conv)
    #expect(throws: InputError.self) { try b.multiply("bad", conv, try b.fc("f", 3, from: conv)) }
    let net = b.network
    // Channel 0 = [1, 2] scaled by 3, channel 1 = [4, 5] scaled by -1.
    #expect(ChannelOps.multiply([1, 2, 4, 5] as [Float], [3, -1], images: 1, layer: net.layers[mul]) == [3, 6, -4, -5])
    let f = FloatInference(unchecked: net, weights: NetworkWeights(layers: Array(repeating: nil, count: 5)))
    #expect(f.layer(net.layers[affine], nil, [[1, 2, 4, 5]], images: 1) == [2.5, 4.5, -3, -4])

    // On codes: the input [1, 2, 4, 5] has codes of 1/32 (5/255 rounds up to a power of two), the
    // affine's output 1/16 (signed, 4.5/127): channel 0 maps code q to 2q x (1/32) x 16 + 0.5 x 16,
    // channel 1 to -q/2 + 16, giving codes 40, 72, -48, -64, exactly [2.5, 4.5, -3, -4]. Its square
    // has codes of 1/8 (20.25/255): q^2 x (1/16)^2 x 8 = q^2 / 32, codes 50, 162, 72, 128.
    var q = NetworkBuilder(name: "q", input: TensorShape(2, 1, 2))
    let a = try q.affine("a", PerChannelAffine(scale: [2, -1], shift: [0.5, 1]), reading: nil)
    _ = try q.multiply("sq", a, a)
    let model = try CompressedModel(network: q.network, weights: NetworkWeights(layers: [nil, nil]))
    let x: [Float] = [1, 2, 4, 5]
    let path = try IntegerInference(model: model, spec: try ArchSpec.preset(named: "isaac-8bit"), calibrationInput: x,
                                    calibration: [[2.5, 4.5, -3, -4], [6.25, 20.25, 9, 16]], products: .exact)
    #expect(path.run(x, images: 1) == [[2.5, 4.5, -3, -4], [6.25, 20.25, 9, 16]])
  }

  @Test("per-channel weight scales: hand-worked levels, and one zero point for every column")
  func channelQuantization() {
    let w = LayerWeights(values: [1, -0.5, 0.01, 0.02], outputs: 2, inputs: 2, bias: nil)
    let c = ChannelQuantization(w, bits: 8, powerOfTwo: false)
    let expected: [Double] = [1.0 / 127, Double(Float(0.02)) / 127]
    #expect(c.scales == expected)
    // -0.5 x 127 = -63.5 and 0.01 / (0.02 / 127) = 63.5 round half away from zero.
    #expect(c.levels == [127, -64, 64, 127])
    let p = ChannelQuantization(w, bits: 8, powerOfTwo: true)
    let powers: [Double] = [1.0 / 64, 1.0 / 4096]   // 2^ceil(log2(1/127)), 2^ceil(log2(0.02/127))
    #expect(p.scales == powers)
    #expect(p.levels == [64, -32, 41, 82])
  }

  @Test("standalone activations take the sigmoid unit, products and affines the tile's multipliers")
  func digitalUnits() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(8, 1, 1))
    let conv = try b.conv("c", Convolution(outChannels: 200, kernel: 1))
    try b.activation("s", .sigmoid, reading: conv)
    try b.affine("a", PerChannelAffine(scale: Array(repeating: 2, count: 200), shift: Array(repeating: 0,
                                                                                             count: 200)), reading: 1)
    let spec = ArchSpec.isaac
    let r = try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper())
    // 200 values on 2 sigmoid units of 64 lanes: ceil(200 / 64) = 4 unit-ops, ceil(200 / 128) = 2 cycles;
    // on 3 multipliers: ceil(200 / 3) = 67 cycles, 200 multiplies.
    #expect(r.layers[1].kind == "activation" && r.layers[1].counts[.sigmoidOp] == 4, "\(r.layers[1].counts)")
    #expect(r.layers[2].kind == "affine" && r.layers[2].counts[.rescaleMultiply] == 200)
    let busy = { (p: String) in r.resources.filter { $0.path.hasSuffix(p) }.map(\.server.busy.count).reduce(0, +) }
    #expect(busy(".sigmoid") == 2 && busy(".multiplier") == 67)
    var none = spec
    none.tile.rescale.multipliersPerTile = 0
    #expect(throws: InputError.self) { try Simulation.run(network: b.network, spec: none, mapper: Im2colMapper()) }
  }

  @Test("percentile calibration clips each range at the bin holding that share of the magnitudes (by hand)")
  func percentileRanges() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(1000, 1, 1))
    try b.pool("copy", Pooling(.max, kernel: 1, stride: 1))
    let f = FloatInference(unchecked: b.network, weights: NetworkWeights(layers: [nil]))
    let x: [Float] = (1...1000).map { Float($0) * ($0 % 2 == 0 ? 1 : -1) }   // magnitudes 1 ... 1000
    #expect(try f.ranges(x, images: 1, batch: 1) == [LayerRange(lo: -999, hi: 1000)])
    // 990 of 1,000 magnitudes lie at or below 990, in bin floor(990 x 4096 / 1000) = 4055 of [0, 1000]:
    // the range is clipped to that bin's top, 1000 x 4056 / 4096.
    let clip = Float(1000) * 4056 / 4096
    #expect(try f.ranges(x, images: 1, batch: 1, percentile: 99) == [LayerRange(lo: -clip, hi: clip)])
  }

  @Test("a network of the new operators written as ONNX reads back to the same outputs")
  func exportRoundTrip() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(4, 4, 4))
    let conv = try b.conv("c", Convolution(outChannels: 8, kernel: 3, padding: 1))
    try b.activation("hs", .hardSwish, reading: conv)
    let gap = try b.pool("gap", Pooling(.average, kernel: 4, stride: 4))
    let fc = try b.conv("se", Convolution(outChannels: 8, kernel: 1), from: gap)
    b.activate(.hardSigmoid(alpha: 1 / 6, beta: 0.5))
    let mul = try b.multiply("scale", 1, fc)
    let aff = try b.affine("bn", PerChannelAffine(scale: (0..<8).map { 0.5 + Float($0) / 8 },
                                                  shift: (0..<8).map { Float($0) / 10 - 0.3 }), reading: mul)
    let shuffled = try b.channelShuffle("shuffle", groups: 2, reading: aff)
    let half = try b.channelSlice("half", start: 2, count: 4, reading: shuffled)
    try b.channelPad("pad", before: 1, after: 3, reading: half)
    b.activate(.leakyRelu(alpha: 0.1))
    let net = b.network
    var rng = SeededGenerator(seed: 5)
    func layer(_ i: Int) -> LayerWeights? {
      let l = net.layers[i]
      guard l.operation.isMatrix else { return nil }
      return LayerWeights(values: (0..<l.parameters).map { _ in Float.random(in: -0.5...0.5, using: &rng) },
                          outputs: l.weightColumns, inputs: l.weightRows, bias: Array(repeating: 0.1,
                                                                                       count: l.weightColumns))
    }
    let w = NetworkWeights(layers: net.layers.indices.map(layer))
    let x = (0..<64).map { _ in Float.random(in: -1...1, using: &rng) }
    let direct = try FloatInference(network: net, weights: w).run(x, images: 1).last!
    let (back, bw) = try ONNXImporter.load(data: ONNXExporter.data(network: net, weights: w), name: "t", source: "t")
    let read = try FloatInference(network: back, weights: bw).run(x, images: 1).last!
    #expect(direct.count == 8 * 16 && read.count == direct.count)
    #expect(zip(direct, read).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(zip(direct, read).map { $0 - $1 })")
  }

  @Test("a constant multiplies per channel only when it broadcasts over channels, as ONNX reads its shape")
  func perChannelConstants() throws {
    func mul(_ dims: [Int64]) throws -> (Network, NetworkWeights) {
      var m = TinyONNX(input: [1, 2, 1, 2])
      m.constant("k", dims, [2, 3])
      m.node("Mul", ["input", "k"], "y")
      return try ONNXImporter.load(data: m.data(output: "y"), name: "m", source: "m.onnx")
    }
    let (net, w) = try mul([1, 2, 1, 1])
    #expect(try FloatInference(network: net, weights: w).run([1, 1, 1, 1], images: 1).last! == [2, 2, 3, 3])
    // [2] broadcasts over the width in ONNX (x[..., j] * k[j]): not a per-channel scale, so refused.
    let e = #expect(throws: InputError.self) { try mul([2]) }
    #expect(e?.description.contains("does not broadcast per channel") == true)
  }
}
