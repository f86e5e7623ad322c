import Testing
@testable import CrossbarSim
import Mappers

@Suite("FunctionalLayer")
struct FunctionalLayerTests {
  static let cases: [(String, TensorShape, Convolution)] = [
    ("3x3 pad 1", TensorShape(3, 6, 5), Convolution(outChannels: 4, kernel: 3, padding: 1)),
    ("3x3 stride 2 pad 1 non-square", TensorShape(5, 7, 9), Convolution(outChannels: 6, kernel: 3, stride: 2, padding: 1)),
    ("1x1 stride 2", TensorShape(8, 6, 6), Convolution(outChannels: 3, kernel: 1, stride: 2)),
    ("grouped 3x3", TensorShape(4, 5, 5), Convolution(outChannels: 6, kernel: 3, padding: 1, groups: 2)),
    ("rows span two arrays", TensorShape(20, 4, 4), Convolution(outChannels: 5, kernel: 3)),
  ]

  @Test("the im2col layout executed bit by bit equals the direct convolution",
        arguments: cases.indices, [WeightEncoding.offset, .differential])
  func conv(index: Int, encoding: WeightEncoding) throws {
    let (_, input, c) = Self.cases[index]
    let net = try convNetwork(input: input, c)
    // Small arrays (64 x 32) force row and column tiling; 4-bit weights on 2-bit cells.
    let geometry = ArrayGeometry(rows: 64, columns: 32, slicesPerWeight: 2, isDifferential: encoding == .differential)
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: geometry)
    let model = BitSerialModel(inputBits: 4, dacBits: 1, weightBits: 4, cellBits: 2,
                               adcBits: BitSerialModel.losslessADCBits(rows: 64, dacBits: 1, cellBits: 2), encoding: encoding)
    var rng = SeededRNG(seed: UInt64(index) + 11)
    let w = IntegerWeights((0..<net.layers[0].parameters).map { _ in Int.random(in: model.weightRange, using: &rng) })
    let x = (0..<input.elements).map { _ in Int.random(in: 0...15, using: &rng) }
    let got = try FunctionalLayer.execute(layout: layout, network: net, weights: w, input: x, model: model)
    #expect(got == FunctionalLayer.reference(layer: net.layers[0], weights: w, input: x))
  }

  @Test("a fully connected layer spanning several arrays equals the matrix-vector product")
  func fullyConnected() throws {
    var b = NetworkBuilder(name: "fc", input: TensorShape(3, 5, 5))
    try b.fc("fc", 7)
    let net = b.network
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: ArrayGeometry(rows: 32, columns: 16, slicesPerWeight: 4))
    #expect(layout.crossbars.count == 3 * 2)
    let model = BitSerialModel(inputBits: 3, dacBits: 1, weightBits: 8, cellBits: 2, adcBits: 8, encoding: .offset)
    var rng = SeededRNG(seed: 5)
    let w = IntegerWeights((0..<net.layers[0].parameters).map { _ in Int.random(in: model.weightRange, using: &rng) })
    let x = (0..<75).map { _ in Int.random(in: 0...7, using: &rng) }
    #expect(try FunctionalLayer.execute(layout: layout, network: net, weights: w, input: x, model: model)
            == FunctionalLayer.reference(layer: net.layers[0], weights: w, input: x))
  }

  @Test("too few ADC bits make the functional result differ, as the hardware would")
  func clippedDiffers() throws {
    let net = try convNetwork(input: TensorShape(16, 4, 4), Convolution(outChannels: 4, kernel: 3))
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: ArrayGeometry(rows: 128, columns: 128, slicesPerWeight: 4))
    let model = BitSerialModel(inputBits: 8, dacBits: 1, weightBits: 8, cellBits: 2, adcBits: 4, encoding: .offset)
    let w = IntegerWeights(Array(repeating: 100, count: net.layers[0].parameters))
    let x = Array(repeating: 255, count: 256)
    #expect(try FunctionalLayer.execute(layout: layout, network: net, weights: w, input: x, model: model)
            != FunctionalLayer.reference(layer: net.layers[0], weights: w, input: x))
  }

  @Test("a saturating ADC: every output equals the scalar bit-serial column reference (offset, differential, flip, 2-bit DACs)",
        arguments: [(WeightEncoding.offset, false, 1), (.offset, true, 1), (.differential, false, 2), (.differential, true, 1), (.offset, true, 2)])
  func clippedEqualsScalarReference(encoding: WeightEncoding, flip: Bool, dacBits: Int) throws {
    // 40 inputs on one 64-row array, 4 outputs, 6-bit weights on 2-bit cells; 300 images span two
    // blocks of window rows. 4-bit ADCs saturate many (cycle, slice) column sums.
    var b = NetworkBuilder(name: "fc", input: TensorShape(40, 1, 1))
    try b.fc("fc", 4)
    let geometry = ArrayGeometry(rows: 64, columns: 64, slicesPerWeight: 3, isDifferential: encoding == .differential)
    let layout = try Im2colMapper().map(layer: 0, of: b.network, geometry: geometry)
    let model = BitSerialModel(inputBits: 6, dacBits: dacBits, weightBits: 6, cellBits: 2, adcBits: 4, encoding: encoding, flipEncoding: flip)
    var rng = SeededRNG(seed: 17)
    let w = (0..<160).map { _ in Int.random(in: model.weightRange, using: &rng) }
    let images = 300
    let x = (0..<(images * 40)).map { _ in Int.random(in: 0...63, using: &rng) }
    let got = CrossbarExecutor(layout: layout, network: b.network, weights: IntegerWeights(w), model: model).run(x, images: images)
    var clipped = 0
    for n in 0..<images {
      let xs = Array(x[(n * 40)..<((n + 1) * 40)])
      for o in 0..<4 {
        let ws = Array(w[(o * 40)..<((o + 1) * 40)])
        #expect(got[n * 4 + o] == model.activate(inputs: xs, weights: ws))
        if model.activate(inputs: xs, weights: ws) != zip(xs, ws).reduce(0) { $0 + $1.0 * $1.1 } { clipped += 1 }
      }
    }
    #expect(clipped > images)   // the ADC acted on most outputs
  }

  @Test("weights outside the weight range and mis-sized inputs are errors naming the layer")
  func badInput() throws {
    let net = try convNetwork(input: TensorShape(1, 3, 3), Convolution(outChannels: 1, kernel: 3))
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: ArrayGeometry(rows: 16, columns: 16, slicesPerWeight: 2))
    let model = BitSerialModel(inputBits: 2, dacBits: 1, weightBits: 4, cellBits: 2, adcBits: 8, encoding: .offset)
    #expect(throws: InputError.self) {
      try FunctionalLayer.execute(layout: layout, network: net, weights: IntegerWeights(Array(repeating: 9, count: 9)),
                                  input: Array(repeating: 1, count: 9), model: model)
    }
    #expect(throws: InputError.self) {
      try FunctionalLayer.execute(layout: layout, network: net, weights: IntegerWeights(Array(repeating: 1, count: 9)),
                                  input: Array(repeating: 1, count: 8), model: model)
    }
  }
}
