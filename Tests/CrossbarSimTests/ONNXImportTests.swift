import Foundation
import Testing
@testable import CrossbarSim
import Mappers

let digitsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Fixtures/digits").path

/// A one-node-at-a-time ONNX graph builder for the bad-input and operator tests.
struct TinyONNX {
  var graph = Onnx_GraphProto()
  init(input: [Int64]) {
    var v = Onnx_ValueInfoProto()
    v.name = "input"
    v.type.tensorType.elemType = 1
    v.type.tensorType.shape.dim = input.map { d in var x = Onnx_TensorShapeProto.Dimension(); x.value = .dimValue(d); return x }
    graph.input = [v]
  }
  mutating func constant(_ name: String, _ dims: [Int64], _ values: [Float]) {
    var t = Onnx_TensorProto()
    t.name = name; t.dims = dims; t.dataType = 1; t.floatData = values
    graph.initializer.append(t)
  }
  mutating func node(_ op: String, _ inputs: [String], _ output: String, ints: [String: [Int64]] = [:]) {
    var n = Onnx_NodeProto()
    n.opType = op; n.name = output; n.input = inputs; n.output = [output]
    for (k, v) in ints.sorted(by: { $0.key < $1.key }) {
      var a = Onnx_AttributeProto(); a.name = k; a.type = .ints; a.ints = v; n.attribute.append(a)
    }
    graph.node.append(n)
  }
  func data(output: String) throws -> Data {
    var g = graph
    var o = Onnx_ValueInfoProto(); o.name = output; g.output = [o]
    var m = Onnx_ModelProto(); m.irVersion = 8; m.graph = g
    return try m.serializedData()
  }
}

@Suite("ONNX import")
struct ONNXImportTests {
  @Test("the digits model imports with BN folded, ReLUs fused and the residual add kept")
  func digitsGraph() throws {
    let (net, w) = try ONNXImporter.load(path: "\(digitsFolder)/digits-cnn.onnx")
    #expect(net.layers.map(\.name) == ["conv1", "conv2", "conv3", "add3", "pool3", "conv4", "gap", "fc"])
    #expect(net.layers.map(\.activation) == [.relu, .relu, .identity, .relu, .identity, .relu, .identity, .identity])
    #expect(net.layers[3].inputs == [2, 0])
    #expect(net.layers[7].outputShape == TensorShape(10, 1, 1))
    #expect(w.layers[0]?.bias?.count == 32 && w.layers[7]?.bias?.count == 10)
    // Same graph as the built-in digits-cnn (names, operations, shapes).
    let builtin = try BuiltinWorkloads.named("digits-cnn")
    #expect(builtin.layers == net.layers)
  }

  @Test("the float path reproduces onnxruntime's logits on the held-out digits to 1e-4 relative")
  func floatMatchesOnnxruntime() throws {
    let (net, w) = try ONNXImporter.load(path: "\(digitsFolder)/digits-cnn.onnx")
    let data = try Dataset.load("\(digitsFolder)/digits-test.npz", shape: net.inputShape, classes: 10)
    let reference = try WeightFile.arrays(at: "\(digitsFolder)/digits-reference.npz").first { $0.name == "logits" }!.array
    #expect(reference.shape == [data.images, 10])
    let logits = try FloatInference(network: net, weights: w).run(data.x, images: data.images).last!
    for n in 0..<data.images {
      let ref = reference.values[(n * 10)..<((n + 1) * 10)], got = logits[(n * 10)..<((n + 1) * 10)]
      let norm = ref.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let err = zip(ref, got).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      #expect(err <= 1e-4 * norm, "image \(n): relative error \(err / norm)")
    }
    // The built-in network with the exported .npz computes the same logits.
    let bw = try WeightFile.load("\(digitsFolder)/digits-cnn-weights.npz", for: BuiltinWorkloads.named("digits-cnn"))
    let b = try FloatInference(network: net, weights: bw).run(data.x, images: data.images).last!
    #expect(zip(b, logits).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
  }

  @Test("truncated and corrupt files, unsupported operators and attributes are errors naming them")
  func badModels() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(digitsFolder)/digits-cnn.onnx"))
    #expect(throws: InputError.self) { try ONNXImporter.load(data: bytes.prefix(bytes.count / 2), name: "t", source: "half.onnx") }
    var rng = SeededGenerator(seed: 3)
    let garbage = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })
    #expect(throws: InputError.self) { try ONNXImporter.load(data: garbage, name: "g", source: "garbage.onnx") }
    #expect(throws: InputError.self) { try ONNXImporter.load(data: Data(), name: "e", source: "empty.onnx") }

    var m = TinyONNX(input: [1, 1, 4, 4])
    m.node("Tanh", ["input"], "s")
    let e1 = #expect(throws: InputError.self) { try ONNXImporter.load(data: m.data(output: "s"), name: "m", source: "m.onnx") }
    #expect(e1?.description.contains("node 's' (Tanh): operator Tanh is not supported") == true)

    var d = TinyONNX(input: [1, 1, 6, 6])
    d.constant("w", [2, 1, 3, 3], Array(repeating: 0.1, count: 18))
    d.node("Conv", ["input", "w"], "c", ints: ["dilations": [2, 2]])
    let e2 = #expect(throws: InputError.self) { try ONNXImporter.load(data: d.data(output: "c"), name: "d", source: "d.onnx") }
    #expect(e2?.description.contains("node 'c' (Conv): attribute dilations = [2, 2] is not supported") == true)

    var s = TinyONNX(input: [1, 1, 6, 6])
    s.constant("w", [2, 1, 3, 3], Array(repeating: 0.1, count: 17))   // one value short
    s.node("Conv", ["input", "w"], "c")
    let e3 = #expect(throws: InputError.self) { try ONNXImporter.load(data: s.data(output: "c"), name: "s", source: "s.onnx") }
    #expect(e3?.description.contains("initializer 'w' holds 17 values") == true)
  }

  @Test("a node's input count and a zero stride are checked before anything is read: errors naming the node")
  func arityAndStrides() throws {
    func load(_ m: TinyONNX, _ out: String) -> String {
      do { _ = try ONNXImporter.load(data: m.data(output: out), name: "a", source: "a.onnx"); return "accepted" } catch {
        return "\(error)"
      }
    }
    var s = TinyONNX(input: [1, 1, 6, 6])
    s.constant("w", [2, 1, 3, 3], Array(repeating: 0.1, count: 18))
    s.node("Conv", ["input", "w"], "c", ints: ["strides": [0, 0]])
    #expect(load(s, "c").contains("node 'c' (Conv): attribute strides = [0, 0] is not supported (two equal positive"))
    var p = TinyONNX(input: [1, 1, 6, 6])
    p.node("MaxPool", ["input"], "p", ints: ["kernel_shape": [2, 2], "strides": [0, 0]])
    #expect(load(p, "p").contains("node 'p' (MaxPool): attribute strides = [0, 0] is not supported"))
    var f = TinyONNX(input: [1, 1, 6, 6])
    f.node("Flatten", [], "f")
    #expect(load(f, "f").contains("node 'f' (Flatten): 0 inputs; Flatten takes 1"))
    var r = TinyONNX(input: [1, 1, 6, 6])
    r.node("Reshape", ["input"], "r")
    #expect(load(r, "r").contains("node 'r' (Reshape): 1 input; Reshape takes 2"))
    var a = TinyONNX(input: [1, 1, 6, 6])
    a.node("Add", ["input"], "a")
    #expect(load(a, "a").contains("node 'a' (Add): 1 input; Add takes 2"))
    var c = TinyONNX(input: [1, 1, 6, 6])
    c.node("Concat", [], "k")
    #expect(load(c, "k").contains("node 'k' (Concat): 0 inputs; Concat takes at least 1"))
  }

  @Test("duplicate names, two producers of a tensor, a repeated attribute and a foreign domain are errors")
  func graphValidation() throws {
    func load(_ m: TinyONNX, _ out: String) -> String {
      do { _ = try ONNXImporter.load(data: m.data(output: out), name: "v", source: "v.onnx"); return "accepted" } catch {
        return "\(error)"
      }
    }
    func conv() -> TinyONNX {
      var m = TinyONNX(input: [1, 1, 4, 4])
      m.constant("w", [2, 1, 1, 1], [1, 2])
      m.node("Conv", ["input", "w"], "c")
      return m
    }
    #expect(load(conv(), "c") == "accepted")
    var twice = conv()
    twice.constant("w", [2, 1, 1, 1], [3, 4])
    #expect(load(twice, "c").contains("v.onnx: initializer 'w' is defined twice"))
    var producers = conv()
    producers.node("Relu", ["input"], "c")
    producers.graph.node[1].name = "r"
    #expect(load(producers, "c").contains("node 'r' (Relu): writes tensor 'c', which node 'c' already produces"))
    var names = conv()
    names.node("Relu", ["c"], "r")
    names.graph.node[1].name = "c"
    #expect(load(names, "r").contains("node 'c' (Relu): another node has the name 'c'"))
    var attribute = TinyONNX(input: [1, 1, 4, 4])
    attribute.node("MaxPool", ["input"], "p", ints: ["kernel_shape": [2, 2]])
    attribute.graph.node[0].attribute.append(attribute.graph.node[0].attribute[0])
    #expect(load(attribute, "p").contains("node 'p' (MaxPool): attribute 'kernel_shape' is given twice"))
    var domain = conv()
    domain.graph.node[0].domain = "com.microsoft"
    #expect(load(domain, "c").contains("node 'c' (Conv): operator from domain 'com.microsoft'"))
  }

  @Test("auto_pad SAME imports as the equal pads ONNX's rule gives; an uneven split is refused naming it")
  func samePadding() throws {
    func conv(stride: Int64, pad: String) throws -> Network {
      var m = TinyONNX(input: [1, 1, 6, 6])
      m.constant("w", [2, 1, 3, 3], Array(repeating: 0.1, count: 18))
      m.node("Conv", ["input", "w"], "c", ints: ["strides": [stride, stride]])
      var a = Onnx_AttributeProto(); a.name = "auto_pad"; a.type = .string; a.s = Data(pad.utf8)
      m.graph.node[0].attribute.append(a)
      return try ONNXImporter.load(data: m.data(output: "c"), name: "p", source: "p.onnx").0
    }
    // Stride 1: ceil(6 / 1) = 6 outputs need (6 - 1) + 3 - 6 = 2 pads in all, one a side.
    #expect(try conv(stride: 1, pad: "SAME_UPPER").layers[0].outputShape == TensorShape(2, 6, 6))
    #expect(try conv(stride: 1, pad: "SAME_LOWER").layers[0].outputShape == TensorShape(2, 6, 6))
    #expect(try conv(stride: 1, pad: "VALID").layers[0].outputShape == TensorShape(2, 4, 4))
    // Stride 2: ceil(6 / 2) = 3 outputs need (3 - 1) 2 + 3 - 6 = 1 pad: not splittable.
    let e = #expect(throws: InputError.self) { try conv(stride: 2, pad: "SAME_UPPER") }
    #expect(e?.description.contains("node 'c' (Conv): attribute auto_pad = SAME_UPPER is not supported") == true)
    #expect(e?.description.contains("1 rows and 1 columns") == true)
  }

  @Test("Concat joins channels: float values by hand, and the engine runs it")
  func concat() throws {
    var m = TinyONNX(input: [1, 1, 2, 2])
    m.constant("a", [1, 1, 1, 1], [2]); m.constant("b", [2, 1, 1, 1], [3, -1])
    m.node("Conv", ["input", "a"], "ca"); m.node("Conv", ["input", "b"], "cb")
    m.node("Concat", ["ca", "cb"], "cat")
    var axis = Onnx_AttributeProto(); axis.name = "axis"; axis.type = .int; axis.i = 1
    m.graph.node[2].attribute = [axis]
    m.constant("f", [1, 3, 1, 1], [1, 1, 1]); m.node("Conv", ["cat", "f"], "sum")
    let (net, w) = try ONNXImporter.load(data: m.data(output: "sum"), name: "cat", source: "cat.onnx")
    #expect(net.layers[2].operation == .concat && net.layers[2].outputShape == TensorShape(3, 2, 2))
    let out = try FloatInference(network: net, weights: w).run([1, 2, 3, 4], images: 1)
    #expect(out[2] == [2, 4, 6, 8, 3, 6, 9, 12, -1, -2, -3, -4])
    #expect(out[3] == [4, 8, 12, 16])   // (2 + 3 - 1) x
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let r = try Engine(spec: spec, layout: layout, options: SimulationOptions()).simulate()
    #expect(r.layers.map(\.name) == ["ca", "cb", "cat", "sum"] && r.latencyNs > 0)
  }

  @Test("Gemm without transB reads B as [in, out]; MatMul + Add(constant) folds the bias (by hand)")
  func gemmLayouts() throws {
    var m = TinyONNX(input: [1, 2, 1, 1])
    m.node("Flatten", ["input"], "flat")
    m.constant("B", [2, 3], [1, 2, 3, 4, 5, 6])          // [in = 2, out = 3]
    m.node("Gemm", ["flat", "B"], "g")
    m.constant("W", [3, 1], [1, -1, 2]); m.constant("c", [1], [0.5])
    m.node("MatMul", ["g", "W"], "mm"); m.node("Add", ["mm", "c"], "out")
    let (net, w) = try ONNXImporter.load(data: m.data(output: "out"), name: "g", source: "g.onnx")
    let y = try FloatInference(network: net, weights: w).run([1, 10], images: 1)
    #expect(y[0] == [41, 52, 63])            // [1, 10] x B
    let expected: Float = 41 - 52 + 126 + 0.5
    #expect(y[1] == [expected])   // then x W + 0.5
  }
}
