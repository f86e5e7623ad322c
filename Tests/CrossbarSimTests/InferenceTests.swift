import Foundation
import Testing
@testable import CrossbarSim
import Mappers

/// The digits model and a slice of its held-out images.
struct Digits {
  let model: CompressedModel
  let data: Dataset
  let calibration: Dataset
  init(images: Int) throws {
    let (net, w) = try ONNXImporter.load(path: "\(digitsFolder)/digits-cnn.onnx")
    model = try CompressedModel(network: net, weights: w)
    let all = try Dataset.load("\(digitsFolder)/digits-test.npz", shape: net.inputShape, classes: 10)
    data = Dataset(x: Array(all.x[0..<(images * 64)]), y: Array(all.y[0..<images]))
    calibration = try Dataset.load("\(digitsFolder)/digits-calib.npz", shape: net.inputShape, classes: 10)
  }
  func path(_ spec: ArchSpec, mapper: any WeightMapper = Im2colMapper(), exact: Bool = false) throws -> IntegerInference {
    let calib = try FloatInference(network: model.network, weights: model.weights).run(calibration.x, images: calibration.images)
    let layout = try NetworkLayout.map(model.network, with: mapper, geometry: ArrayGeometry(spec))
    return try IntegerInference(model: model, spec: spec, calibrationInput: calibration.x, calibration: calib,
                                products: exact ? .exact : .crossbar(layout, spec))
  }
}

@Suite("Functional inference")
struct InferenceTests {
  @Test("[XA]'s integer-only requantization, worked by hand on two FC layers")
  func requantizationByHand() throws {
    var b = NetworkBuilder(name: "two-fc", input: TensorShape(2, 1, 1))
    try b.fc("a", 1); b.activate(.relu)
    try b.fc("b", 1)
    let w = NetworkWeights(layers: [LayerWeights(values: [1.0, -0.5], outputs: 1, inputs: 2, bias: [0.25]),
                                    LayerWeights(values: [1.0], outputs: 1, inputs: 1)])
    let model = try CompressedModel(network: b.network, weights: w)
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let x: [Float] = [0.5, 0.3]
    let calib = try FloatInference(network: b.network, weights: w).run(x, images: 1)
    #expect(abs(calib[0][0] - 0.6) < 1e-6)
    let q = try IntegerInference(model: model, spec: spec, calibrationInput: x, calibration: calib, products: .exact)
    // Input: S_X = 2^-8 (0.5 / 255 rounded up to a power of two), Q_X = [128, 77] (0.3 * 256 = 76.8).
    // a: S_W = 2^-7 (range 1.5 / 255), Z_W = 64, Q_W - Z_W = [128, -64]; acc = 128*128 - 77*64 = 11456 at 2^-15;
    //    Q_B = 0.25 * 2^15 = 8192; output S = 2^-8 (0.6 / 255); Q = round((11456 + 8192) / 2^7) = 154 -> 0.6015625.
    // b: S_W = 2^-7, Z_W = 0, Q_W = 128: the output 154 * 128 at 2^-15 = 0.6015625.
    let out = q.run(x, images: 1)
    #expect(out[0] == [0.6015625])
    #expect(out[1] == [0.6015625])
    #expect(q.formats[0].exponent == -8 && q.inputFormat.exponent == -8)
  }

  @Test("signed activations: 8-bit two's complement codes by hand, and the crossbars' bit-serial MSB agrees")
  func signedInputsByHand() throws {
    // [-1, 0.5] with 8 bits: qmax 127, S = 1/127 rounded up to 2^-6, codes -128...127.
    let f = try TensorFormat.covering(lo: -1, hi: 0.5, bits: 8, powerOfTwo: true, tensor: "t")
    #expect(f.exponent == -6 && f.range == -128...127 && f.isSigned)
    #expect(try TensorFormat.covering(lo: 0, hi: 1, bits: 8, powerOfTwo: true, tensor: "t").range == 0...255)
    var b = NetworkBuilder(name: "fc", input: TensorShape(2, 1, 1))
    try b.fc("fc", 1)
    let w = NetworkWeights(layers: [LayerWeights(values: [1.0, 0.5], outputs: 1, inputs: 2)])
    let model = try CompressedModel(network: b.network, weights: w)
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let x: [Float] = [-1, 0.5]
    let calib = try FloatInference(network: b.network, weights: w).run(x, images: 1)
    let layout = try NetworkLayout.map(b.network, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    // Q_X = [-64, 32] at 2^-6; weights [0, 1] -> S_W = 2^-7 (1/255 rounded up), Z_W = 0, Q_W = [128, 64];
    // acc = -64 * 128 + 32 * 64 = -6144 at 2^-13; output S = 2^-7 (0.75/127 rounded up): -6144 >> 6 = -96,
    // -0.75 exactly. On the crossbars -64 is 0b11000000 with the MSB cycle weighted -128.
    for products in [IntegerInference.Products.exact, .crossbar(layout, spec)] {
      let q = try IntegerInference(model: model, spec: spec, calibrationInput: x, calibration: calib, products: products)
      #expect(q.inputFormat.range == -128...127)
      #expect(q.run(x, images: 1).last! == [-0.75])
    }
  }

  @Test("with lossless ADCs the crossbars compute the quantized network exactly; im2col, SDK and VW-SDK agree")
  func crossbarEqualsQuantized() throws {
    let d = try Digits(images: 24)
    let spec = try ArchSpec.preset(named: "isaac-8bit")   // 8-bit ADC + flip encoding: lossless for 128 rows
    let exact = try d.path(spec, exact: true).run(d.data.x, images: d.data.images)
    for mapper in [Im2colMapper(), SDKMapper(), try SDKMapper(options: ["tiles": "free"]), VWSDKMapper()]
          as [any WeightMapper] {
      let xbar = try d.path(spec, mapper: mapper).run(d.data.x, images: d.data.images)
      #expect(xbar == exact, "\(mapper.kind)")
    }
    // Six-bit ADCs clip the column sums: the logits change.
    var six = spec
    six.ima.adc.bits = .bits(6)
    #expect(try d.path(six).run(d.data.x, images: d.data.images).last! != exact.last!)
  }

  @Test("the floor scope's input is the input codes in float (by hand)")
  func roundedInput() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(3, 1, 1))
    try b.pool("copy", Pooling(.max, kernel: 1, stride: 1))
    let model = try CompressedModel(network: b.network, weights: NetworkWeights(layers: [nil]))
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let x: [Float] = [-1, 0.3, 1]
    let q = try IntegerInference(model: model, spec: spec, calibrationInput: x, calibration: [x], products: .exact)
    // Signed 8 bits over [-1, 1]: 1 / 127 rounds up to the power of two 1 / 64; 0.3 is 19.2 steps.
    #expect(q.roundedInput(x) == [-1, 19.0 / 64, 1])
    var float = spec
    float.data.scales = .float
    let f = try IntegerInference(model: model, spec: float, calibrationInput: x, calibration: [x], products: .exact)
    #expect(f.roundedInput(x) == [-1, Float(38.0 / 127), 1])   // 0.3 is 38.1 steps of 1 / 127
  }

  @Test("8-bit crossbar inference is within 1 pp of float top-1 (a slice of the held-out digits)")
  func accuracyNearFloat() throws {
    let d = try Digits(images: 96)
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let layout = try NetworkLayout.map(d.model.network, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let (rows, layers) = try Evaluation.run(original: d.model, compressed: d.model, layout: layout, spec: spec, data: d.data, calibration: d.calibration)
    #expect(rows.map(\.scope) == ["float", "float+input-codes", "quantized", "crossbar"])
    #expect(rows[3].top1 >= rows[0].top1 - 0.01)
    #expect(layers.count == 24 && layers.allSatisfy { $0.relativeError < 0.05 })
    #expect(layers.filter { $0.scope != "float+input-codes" }.allSatisfy { $0.relativeError > 0 })
    // The input's rounding alone errs less than the whole quantized path, layer by layer.
    let floor = layers.filter { $0.scope == "float+input-codes" }, quantized = layers.filter { $0.scope == "quantized" }
    #expect(zip(floor, quantized).allSatisfy { $0.0.layer == $0.1.layer && $0.0.relativeError < $0.1.relativeError })
  }

  @Test("device cells by hand: the off conductance and stuck-high cells add their current to the column")
  func deviceByHand() throws {
    var b = NetworkBuilder(name: "fc", input: TensorShape(4, 1, 1))
    try b.fc("fc", 1)
    let model = BitSerialModel(inputBits: 1, dacBits: 1, weightBits: 2, cellBits: 2, adcBits: 8, encoding: .offset)
    let layout = try Im2colMapper().map(layer: 0, of: b.network, geometry: ArrayGeometry(rows: 8, columns: 8, slicesPerWeight: 1))
    let w = IntegerWeights([1, 1, -2, 0])   // stored [3, 3, 0, 2] with Z = 2; sum(w x) = 0 for x = 1
    func run(_ d: DeviceSpec) -> Int { CrossbarExecutor(layout: layout, network: b.network, weights: w, model: model, device: d).run([1, 1, 1, 1], images: 1)[0] }
    #expect(run(.ideal) == 0)
    // g_off / g_on = 0.25: g_min = 3 * 0.25 / 0.75 = 1 per cell, 4 rows -> +4 on the column.
    #expect(run(DeviceSpec(offOnRatio: 0.25)) == 4)
    // Every cell stuck high conducts 3: 12 - Z * 4 = 4.
    #expect(run(DeviceSpec(stuckAtHighRate: 1)) == 4)
    #expect(run(DeviceSpec(stuckAtLowRate: 1)) == -8)
  }

  @Test("accuracy falls as programming variation grows (mean over seeds); a fixed seed gives the same outputs")
  func noiseMonotone() throws {
    let d = try Digits(images: 32)
    var mean: [Double] = []
    for sigma in [0.0, 0.3, 0.6] {
      var agree = 0.0
      for seed in 1...3 {
        var spec = try ArchSpec.preset(named: "isaac-8bit")
        spec.device = DeviceSpec(programmingSigma: sigma, seed: seed)
        let out = try d.path(spec).run(d.data.x, images: d.data.images).last!
        agree += Double((0..<d.data.images).filter { n in (0..<10).max { out[n * 10 + $0] < out[n * 10 + $1] }! == d.data.y[n] }.count)
      }
      mean.append(agree / 3)
    }
    #expect(zip(mean, mean.dropFirst()).allSatisfy { $0 >= $1 }, "\(mean)")
    #expect(mean.last! < mean.first! - 6)
    var spec = try ArchSpec.preset(named: "isaac-8bit")
    spec.device = DeviceSpec(programmingSigma: 0.2, readNoiseSigma: 0.1, stuckAtLowRate: 0.01, offOnRatio: 0.01, seed: 7)
    let a = try d.path(spec).run(d.data.x, images: 8), b = try d.path(spec).run(d.data.x, images: 8)
    #expect(a == b)
    spec.device.seed = 8
    #expect(try d.path(spec).run(d.data.x, images: 8) != a)
  }

  @Test("datasets that do not fit the model are errors naming the array, value or label")
  func badDatasets() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    func write(_ x: NumPyArray, _ y: NumPyArray) throws -> String {
      let p = "\(dir)/d\(UUID().uuidString.prefix(6)).npz"
      try WeightFile.writeNPZ([("x", x), ("y", y)], to: p)
      return p
    }
    let shape = TensorShape(1, 8, 8)
    let good = NumPyArray(shape: [2, 1, 8, 8], values: Array(repeating: 0.5, count: 128))
    let wrongShape = try write(NumPyArray(shape: [2, 1, 7, 7], values: Array(repeating: 0, count: 98)), NumPyArray(shape: [2], values: [0, 1]))
    #expect(throws: InputError.self) { try Dataset.load(wrongShape, shape: shape, classes: 10) }
    var nan = good; nan.values[70] = .nan
    let e = #expect(throws: InputError.self) { try Dataset.load(write(nan, NumPyArray(shape: [2], values: [0, 1])), shape: shape, classes: 10) }
    #expect(e?.description.contains("value 70 (image 1) is nan") == true)
    let e2 = #expect(throws: InputError.self) { try Dataset.load(write(good, NumPyArray(shape: [2], values: [0, 10])), shape: shape, classes: 10) }
    #expect(e2?.description.contains("label 1 is 10.0; the model has 10 classes") == true)
    #expect(throws: InputError.self) { try Dataset.load(write(good, NumPyArray(shape: [3], values: [0, 1, 2])), shape: shape, classes: 10) }
  }
}
