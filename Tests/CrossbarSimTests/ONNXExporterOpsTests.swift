import Foundation
import Testing
@testable import CrossbarSim
import Mappers

/// What PyTorch's exporters write around the layers: global pooling as ReduceMean or ReduceMax
/// (the dynamo exporter, opsets 13 and 18), Constant nodes, and Identity aliases of constants.
@Suite("ONNX import of exporter idioms")
struct ONNXExporterOpsTests {
  /// x: two 2x2 channels, 1...4 and 5...8.
  let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]

  func attribute(_ name: String, int: Int64) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto(); a.name = name; a.type = .int; a.i = int; return a
  }

  @Test("ReduceMean over [2, 3] with keepdims is global average pooling (values by hand)")
  func reduceMeanOpset13() throws {
    var m = TinyONNX(input: [1, 2, 2, 2])
    m.node("ReduceMean", ["input"], "gap", ints: ["axes": [2, 3]])
    m.graph.node[0].attribute.append(attribute("keepdims", int: 1))
    m.node("Flatten", ["gap"], "flat")
    m.constant("B", [2, 1], [1, 1]); m.node("Gemm", ["flat", "B"], "sum")
    let (net, w) = try ONNXImporter.load(data: m.data(output: "sum"), name: "r", source: "r.onnx")
    #expect(net.layers[0].operation == .pool(Pooling(.average, kernel: 2, stride: 2)))
    let out = try FloatInference(network: net, weights: w).run(x, images: 1)
    #expect(out[0] == [2.5, 6.5] && out[1] == [9])
    let spec = ArchSpec.isaac8bit
    let layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    #expect(try Engine(spec: spec, layout: layout).simulate().latencyNs > 0)
  }

  @Test("ReduceMax with axes from a Constant node (opset 18) and keepdims=0 is global max pooling to a vector")
  func reduceMaxOpset18() throws {
    var m = TinyONNX(input: [1, 2, 2, 2])
    var axes = Onnx_NodeProto(); axes.opType = "Constant"; axes.name = "axes"; axes.output = ["axes"]
    var v = Onnx_AttributeProto(); v.name = "value"; v.type = .tensor
    v.t.dims = [2]; v.t.dataType = 7; v.t.int64Data = [-2, -1]
    axes.attribute = [v]
    m.graph.node.append(axes)
    m.node("ReduceMax", ["input", "axes"], "gmp")
    m.graph.node[1].attribute.append(attribute("keepdims", int: 0))
    m.constant("B", [2, 1], [1, -1]); m.node("Gemm", ["gmp", "B"], "diff")
    let (net, w) = try ONNXImporter.load(data: m.data(output: "diff"), name: "r", source: "r.onnx")
    #expect(net.layers[0].operation == .pool(Pooling(.max, kernel: 2, stride: 2)))
    let out = try FloatInference(network: net, weights: w).run(x, images: 1)
    #expect(out[0] == [4, 8] && out[1] == [-4])
  }

  @Test("an Identity of an initializer is that constant (an exporter shares identical biases this way)")
  func identityOfConstant() throws {
    var m = TinyONNX(input: [1, 1, 2, 2])
    m.constant("w", [1, 1, 1, 1], [2]); m.constant("b0", [1], [1])
    m.node("Identity", ["b0"], "b")
    m.node("Conv", ["input", "w", "b"], "y")
    let (net, wts) = try ONNXImporter.load(data: m.data(output: "y"), name: "i", source: "i.onnx")
    #expect(try FloatInference(network: net, weights: wts).run([1, 2, 3, 4], images: 1)[0] == [3, 5, 7, 9])
  }

  @Test("a reduction over other axes and a Constant without a value are errors naming the node")
  func badReductions() throws {
    var m = TinyONNX(input: [1, 2, 2, 2])
    m.node("ReduceMean", ["input"], "r", ints: ["axes": [1]])
    let e = #expect(throws: InputError.self) { try ONNXImporter.load(data: m.data(output: "r"), name: "m", source: "m.onnx") }
    #expect(e?.description.contains("node 'r' (ReduceMean): axes [1] are not supported") == true, "\(String(describing: e))")
    var c = TinyONNX(input: [1, 2, 2, 2])
    var k = Onnx_NodeProto(); k.opType = "Constant"; k.name = "k"; k.output = ["k"]
    c.graph.node.append(k)
    c.node("Relu", ["input"], "y")
    let e2 = #expect(throws: InputError.self) { try ONNXImporter.load(data: c.data(output: "y"), name: "c", source: "c.onnx") }
    #expect(e2?.description.contains("node 'k' (Constant): no value") == true, "\(String(describing: e2))")
    // Axes and shapes that are not whole numbers are errors, never an integer conversion's trap.
    for (op, bad) in [("ReduceMean", Float.nan), ("Reshape", Float.infinity), ("ReduceMean", 2.5)] {
      var r = TinyONNX(input: [1, 2, 2, 2])
      r.constant("v", [2], [bad, 3])
      r.node(op, ["input", "v"], "y")
      let e3 = #expect(throws: InputError.self) { try ONNXImporter.load(data: r.data(output: "y"), name: "r", source: "r.onnx") }
      #expect(e3?.description.contains("node 'y' (\(op)):") == true && e3?.description.contains("whole numbers") == true,
              "\(String(describing: e3))")
    }
  }
}

@Suite("ONNX import messages")
struct ONNXMessageTests {
  @Test("a read second output names its node; an unread one is ignored; the input's type and shape are checked")
  func messages() throws {
    var m = TinyONNX(input: [1, 1, 4, 4])
    m.node("MaxPool", ["input"], "p", ints: ["kernel_shape": [2, 2], "strides": [2, 2]])
    m.graph.node[0].output.append("indices")
    let unread = try ONNXImporter.load(data: m.data(output: "p"), name: "m", source: "m.onnx")
    #expect(unread.network.layers.count == 1)
    let read = #expect(throws: InputError.self) {
      try ONNXImporter.load(data: m.data(output: "indices"), name: "m", source: "m.onnx")
    }
    #expect(read?.description.contains("node 'p' (MaxPool): output 'indices' is read") == true, "\(String(describing: read))")
    var t = TinyONNX(input: [1, 1, 4, 4])
    t.graph.input[0].type.tensorType.elemType = 7
    t.node("Relu", ["input"], "y")
    let type = #expect(throws: InputError.self) { try ONNXImporter.load(data: t.data(output: "y"), name: "t", source: "t.onnx") }
    #expect(type?.description.contains("input 'input' has ONNX element type 7") == true)
    var r = TinyONNX(input: [1, 4, 4])
    r.node("Relu", ["input"], "y")
    let shape = #expect(throws: InputError.self) { try ONNXImporter.load(data: r.data(output: "y"), name: "s", source: "s.onnx") }
    #expect(shape?.description.contains("has shape [1, 4, 4]; an N x C x H x W") == true, "\(String(describing: shape))")
  }
}

@Suite("ONNX pooling ceil_mode")
struct ONNXCeilModeTests {
  @Test("MaxPool ceil_mode=1 keeps the overrunning last window (GoogLeNet, SqueezeNet): values by hand")
  func maxPoolCeil() throws {
    // 6x6 input 0...35, 3x3 windows, stride 2: floor gives 2x2, ceil 3x3 (the last row and column
    // of windows cover input rows and columns 4-5 only).
    var m = TinyONNX(input: [1, 1, 6, 6])
    m.node("MaxPool", ["input"], "p", ints: ["kernel_shape": [3, 3], "strides": [2, 2]])
    var c = Onnx_AttributeProto(); c.name = "ceil_mode"; c.type = .int; c.i = 1
    m.graph.node[0].attribute.append(c)
    let (net, w) = try ONNXImporter.load(data: m.data(output: "p"), name: "c", source: "c.onnx")
    #expect(net.layers[0].outputShape == TensorShape(1, 3, 3))
    let out = try FloatInference(network: net, weights: w).run((0..<36).map(Float.init), images: 1)
    #expect(out[0] == [14, 16, 17, 26, 28, 29, 32, 34, 35])
    let spec = ArchSpec.isaac8bit
    let layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    #expect(try Engine(spec: spec, layout: layout).simulate().layers[0].windows == 9)
    // PyTorch's rule: a last window starting past the input and its left padding is dropped.
    #expect(Pooling(.max, kernel: 2, stride: 2, padding: 1, ceilMode: true).outputSize(4) == 3)
    #expect(Pooling(.max, kernel: 3, stride: 2, ceilMode: true).outputSize(7) == 3)
    #expect(Pooling(.max, kernel: 3, stride: 2, ceilMode: true).outputSize(8) == 4)
  }

  @Test("AveragePool ceil_mode=1 is refused where it would change the output size, accepted where it does not")
  func averagePoolCeil() throws {
    for (side, ok) in [(6, false), (7, true)] {
      var m = TinyONNX(input: [1, 1, Int64(side), Int64(side)])
      m.node("AveragePool", ["input"], "p", ints: ["kernel_shape": [3, 3], "strides": [2, 2]])
      var c = Onnx_AttributeProto(); c.name = "ceil_mode"; c.type = .int; c.i = 1
      m.graph.node[0].attribute.append(c)
      if ok {
        #expect(try ONNXImporter.load(data: m.data(output: "p"), name: "a", source: "a.onnx").network.layers[0]
          .outputShape == TensorShape(1, 3, 3))
      } else {
        let e = #expect(throws: InputError.self) { try ONNXImporter.load(data: m.data(output: "p"), name: "a", source: "a.onnx") }
        #expect(e?.description.contains("attribute ceil_mode = 1 is not supported") == true)
      }
    }
  }
}

@Suite("ONNX ReLU6")
struct ONNXReLU6Tests {
  @Test("Clip(0, 6) fuses as ReLU6: float values by hand, both opset forms, other bounds refused, export round trip")
  func relu6() throws {
    for inputs in [true, false] {
      var m = TinyONNX(input: [1, 1, 2, 2])
      m.constant("w", [1, 1, 1, 1], [4])
      m.node("Conv", ["input", "w"], "c")
      if inputs {
        m.constant("lo", [], [0]); m.constant("hi", [], [6])
        m.node("Clip", ["c", "lo", "hi"], "y")
      } else {
        m.node("Clip", ["c"], "y")
        for (k, v) in [("min", Float(0)), ("max", Float(6))] {
          var a = Onnx_AttributeProto(); a.name = k; a.type = .float; a.f = v; m.graph.node[1].attribute.append(a)
        }
      }
      let (net, w) = try ONNXImporter.load(data: m.data(output: "y"), name: "r", source: "r.onnx")
      #expect(net.layers[0].activation == .relu6)
      #expect(try FloatInference(network: net, weights: w).run([-1, 0.5, 1, 2], images: 1)[0] == [0, 2, 4, 6])
      // Written back as Clip and read again: the same network.
      let again = try ONNXImporter.load(data: ONNXExporter.data(network: net, weights: w), name: "r", source: "again")
      #expect(again.network.layers == net.layers)
    }
    var bad = TinyONNX(input: [1, 1, 2, 2])
    bad.constant("w", [1, 1, 1, 1], [4]); bad.constant("lo", [], [-1]); bad.constant("hi", [], [1])
    bad.node("Conv", ["input", "w"], "c"); bad.node("Clip", ["c", "lo", "hi"], "y")
    let e = #expect(throws: InputError.self) { try ONNXImporter.load(data: bad.data(output: "y"), name: "b", source: "b.onnx") }
    #expect(e?.description.contains("node 'y' (Clip): Clip(-1.0, 1.0) is not supported; Clip(0, 6) (ReLU6) is") == true)
  }
}

@Suite("ONNX shape arithmetic")
struct ONNXShapeFoldingTests {
  @Test("the TorchScript flatten (Shape, Gather, Unsqueeze, Concat, Reshape) folds to [1, -1] at import")
  func torchScriptFlatten() throws {
    var m = TinyONNX(input: [1, 2, 2, 2])
    m.node("Shape", ["input"], "shape")
    m.constant("zero", [], [0]); m.node("Gather", ["shape", "zero"], "n")
    m.node("Unsqueeze", ["n"], "n1", ints: ["axes": [0]])
    m.constant("minus1", [1], [-1]); m.node("Concat", ["n1", "minus1"], "target")
    var axis = Onnx_AttributeProto(); axis.name = "axis"; axis.type = .int; axis.i = 0
    m.graph.node[3].attribute = [axis]
    m.node("Reshape", ["input", "target"], "flat")
    m.constant("B", [8, 1], [1, 1, 1, 1, 1, 1, 1, 1]); m.node("Gemm", ["flat", "B"], "sum")
    let (net, w) = try ONNXImporter.load(data: m.data(output: "sum"), name: "f", source: "f.onnx")
    #expect(net.layers.count == 1 && net.layers[0].inputShape.elements == 8)
    #expect(try FloatInference(network: net, weights: w).run((1...8).map(Float.init), images: 1)[0] == [36])
    // Shape with start and end (opset 15): the spatial dimensions.
    var s = TinyONNX(input: [1, 2, 3, 4])
    s.node("Shape", ["input"], "hw")
    for (k, v) in [("start", Int64(2)), ("end", Int64(4))] {
      var a = Onnx_AttributeProto(); a.name = k; a.type = .int; a.i = v; s.graph.node[0].attribute.append(a)
    }
    s.node("Relu", ["input"], "y")
    var g = GraphImport(source: "s", graph: s.graph)
    _ = try? g.run(name: "s")
    #expect(g.constants["hw"]?.values == [3, 4])
    // Gather of a feature map is not shape arithmetic.
    var bad = TinyONNX(input: [1, 2, 2, 2])
    bad.constant("i", [], [0]); bad.node("Gather", ["input", "i"], "x")
    let e = #expect(throws: InputError.self) { try ONNXImporter.load(data: bad.data(output: "x"), name: "b", source: "b.onnx") }
    #expect(e?.description.contains("node 'x' (Gather): Gather is supported only on constants") == true)
  }
}
