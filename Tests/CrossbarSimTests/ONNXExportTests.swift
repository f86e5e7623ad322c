import Foundation
import Testing
@testable import CrossbarSim

/// The exporter writes what the importer reads back: the same layers, the same weights, the same
/// outputs. (onnxruntime on the exported fine-tuned digits models gives the same top-1 as the float
/// path: checked by hand, see the README.)
@Suite("ONNX export")
struct ONNXExportTests {
  static func roundTrip(_ net: Network, _ w: NetworkWeights) throws -> (Network, NetworkWeights) {
    try ONNXImporter.load(data: ONNXExporter.data(network: net, weights: w), name: net.name, source: "exported")
  }

  @Test("the digits model comes back with the same layers and weights (BN already folded)")
  func digits() throws {
    let (net, w) = try ONNXImporter.load(path: "\(digitsFolder)/digits-cnn.onnx")
    let (back, wb) = try Self.roundTrip(net, w)
    #expect(back.layers.map(\.operation) == net.layers.map(\.operation))
    #expect(back.layers.map(\.outputShape) == net.layers.map(\.outputShape))
    #expect(back.layers.map(\.activation) == net.layers.map(\.activation))
    #expect(back.layers.map(\.inputs) == net.layers.map(\.inputs))
    #expect(wb == w)
  }

  @Test("grouped and strided convs, padded average pooling, concat, add and an FC: the same outputs")
  func shapes() throws {
    var b = NetworkBuilder(name: "mix", input: TensorShape(4, 6, 6))
    let a = try b.conv("a", Convolution(outChannels: 4, kernel: 3, stride: 1, padding: 1, groups: 2))
    b.activate(.relu)
    let c = try b.conv("c", Convolution(outChannels: 4, kernel: 1), from: a)
    try b.add("sum", a, c)
    let s = b.last!
    let d = try b.pool("avg", Pooling(.average, kernel: 3, stride: 2, padding: 1), from: s)
    let e = try b.pool("max", Pooling(.max, kernel: 2, stride: 2, padding: 0), from: s)
    try b.concat("cat", [d, e])
    try b.conv("down", Convolution(outChannels: 3, kernel: 3, stride: 2, padding: 1))
    try b.fc("fc", 5)
    let w = NetworkWeights.heNormal(for: b.network, seed: 4)
    let (back, wb) = try Self.roundTrip(b.network, w)
    var rng = SeededGenerator(seed: 1)
    let x = (0..<(2 * 144)).map { _ in Float(rng.uniform()) }
    let y0 = try FloatInference(network: b.network, weights: w).run(x, images: 2).last!
    let y1 = try FloatInference(network: back, weights: wb).run(x, images: 2).last!
    #expect(y0 == y1)
  }

  @Test("a network with two outputs is refused with its name")
  func twoOutputs() throws {
    var b = NetworkBuilder(name: "two", input: TensorShape(1, 2, 2))
    try b.conv("a", Convolution(outChannels: 1, kernel: 1))
    try b.conv("b", Convolution(outChannels: 1, kernel: 1), reading: nil)
    #expect { try ONNXExporter.data(network: b.network, weights: .heNormal(for: b.network, seed: 1)) } throws: {
      "\($0)".contains("two: 2 outputs")
    }
  }
}
