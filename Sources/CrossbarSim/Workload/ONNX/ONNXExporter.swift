import Foundation
import SwiftProtobuf

// MARK: - A network and its weights written as an ONNX model (opset 13)

/// Writes a network with its weights as an ONNX model that `ONNXImporter` (and onnxruntime) reads:
/// Conv, Flatten + Gemm, MaxPool, AveragePool (padding counted), Add, Concat, Mul, Slice, Pad,
/// channel shuffles as Reshape-Transpose-Reshape, each followed by its activation's nodes. A
/// low-rank pair is written as the two convolutions it is; quantized weights as the real values
/// their integers stand for.
public enum ONNXExporter {
  /// The serialized `ModelProto` of `network` with `weights`.
  public static func data(network: Network, weights: NetworkWeights) throws -> Data {
    try weights.validate(for: network, source: network.name)
    let consumers = network.consumers()
    let sinks = consumers.indices.filter { consumers[$0].isEmpty }
    guard sinks.count == 1 else { throw InputError("\(network.name): \(sinks.count) outputs; ONNX export needs one") }
    var g = Onnx_GraphProto()
    g.name = network.name
    var names: [String] = []   // output tensor of each layer
    func tensorName(_ l: Layer) -> String { l.inputs.isEmpty ? "input" : names[l.inputs[0]] }
    for (i, l) in network.layers.enumerated() {
      var node = Onnx_NodeProto()
      node.name = l.name
      let out = "\(l.name)_out"
      switch l.operation {
      case .conv(let c):
        let w = weights.layers[i]!
        node.opType = "Conv"
        node.input = [tensorName(l), "\(l.name).weight"]
        g.initializer.append(tensor("\(l.name).weight", [c.outChannels, l.inputShape.channels / c.groups,
                                                         c.kernelHeight, c.kernelWidth], w.values))
        if let b = w.bias {
          node.input.append("\(l.name).bias")
          g.initializer.append(tensor("\(l.name).bias", [b.count], b))
        }
        node.attribute = [ints("kernel_shape", [c.kernelHeight, c.kernelWidth]), ints("strides", [c.stride, c.stride]),
                          ints("pads", Array(repeating: c.padding, count: 4)), int("group", c.groups)]
      case .fullyConnected(let f):
        let w = weights.layers[i]!
        var flatten = Onnx_NodeProto()
        flatten.name = "\(l.name)_flatten"; flatten.opType = "Flatten"
        flatten.input = [tensorName(l)]; flatten.output = ["\(l.name)_flat"]; flatten.attribute = [int("axis", 1)]
        g.node.append(flatten)
        node.opType = "Gemm"
        node.input = ["\(l.name)_flat", "\(l.name).weight"]
        g.initializer.append(tensor("\(l.name).weight", [f, w.inputs], w.values))
        if let b = w.bias {
          node.input.append("\(l.name).bias")
          g.initializer.append(tensor("\(l.name).bias", [b.count], b))
        }
        node.attribute = [int("transB", 1)]
      case .pool(let p):
        node.opType = p.kind == .max ? "MaxPool" : "AveragePool"
        node.input = [tensorName(l)]
        node.attribute = [ints("kernel_shape", [p.kernel, p.kernel]), ints("strides", [p.stride, p.stride]),
                          ints("pads", Array(repeating: p.padding, count: 4))]
        if p.kind == .average { node.attribute.append(int("count_include_pad", 1)) }
        if p.ceilMode { node.attribute.append(int("ceil_mode", 1)) }
      case .add:
        node.opType = "Add"
        node.input = l.inputs.map { names[$0] }
      case .concat:
        node.opType = "Concat"
        node.input = l.inputs.map { names[$0] }
        node.attribute = [int("axis", 1)]
      case .activation:
        node.opType = "Identity"
        node.input = [tensorName(l)]
      default:
        node = elementwise(l, inputs: l.inputs.isEmpty ? ["input"] : l.inputs.map { names[$0] },
                           isFlat: l.inputs.map { isFC(network.layers[$0]) }, graph: &g)
      }
      node.output = [out]
      g.node.append(node)
      names.append(activation(l.activation, of: out, name: l.name, graph: &g))
    }
    let s = network.inputShape, last = network.layers[sinks[0]]
    g.input = [valueInfo("input", [nil, s.channels, s.height, s.width])]
    let o = last.outputShape
    g.output = [valueInfo(names[sinks[0]], isFC(last) ? [nil, o.channels] : [nil, o.channels, o.height, o.width])]
    var m = Onnx_ModelProto()
    m.irVersion = 8
    m.producerName = "crossbarsim"
    var opset = Onnx_OperatorSetIdProto()
    opset.domain = ""; opset.version = 13
    m.opsetImport = [opset]
    m.graph = g
    return try m.serializedData()
  }

  /// Writes `path`.
  public static func write(network: Network, weights: NetworkWeights, to path: String) throws {
    let bytes = try data(network: network, weights: weights)
    do { try bytes.write(to: URL(fileURLWithPath: path)) } catch {
      throw InputError("\(path): cannot write the model: \((error as NSError).localizedDescription)")
    }
  }

  static func isFC(_ l: Layer) -> Bool { if case .fullyConnected = l.operation { true } else { false } }

  static func tensor(_ name: String, _ dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name; t.dims = dims.map(Int64.init); t.dataType = 1   // FLOAT
    var raw = Data(capacity: values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
    t.rawData = raw
    return t
  }

  static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name; a.type = .int; a.i = Int64(v)
    return a
  }

  static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name; a.type = .ints; a.ints = v.map(Int64.init)
    return a
  }

  /// A float tensor's name and shape; a nil dimension is the symbolic batch size `N`.
  static func valueInfo(_ name: String, _ dims: [Int?]) -> Onnx_ValueInfoProto {
    var v = Onnx_ValueInfoProto()
    v.name = name
    var t = Onnx_TypeProto.Tensor()
    t.elemType = 1
    var shape = Onnx_TensorShapeProto()
    shape.dim = dims.map { d in
      var dim = Onnx_TensorShapeProto.Dimension()
      if let d { dim.dimValue = Int64(d) } else { dim.dimParam = "N" }
      return dim
    }
    t.shape = shape
    v.type.tensorType = t
    return v
  }
}
