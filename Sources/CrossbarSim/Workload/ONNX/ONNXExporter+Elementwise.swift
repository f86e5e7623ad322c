import Foundation

// MARK: - Element-wise and data-movement layers, and activations, as ONNX nodes (opset 13)

extension ONNXExporter {
  /// The node of an element-wise or data-movement layer reading `inputs` (its earlier nodes and
  /// constants are added to `g`); `isFlat` says which inputs are `[N, C]` vectors.
  static func elementwise(_ l: Layer, inputs: [String], isFlat: [Bool], graph g: inout Onnx_GraphProto)
    -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.name = l.name
    let s = l.inputShape
    func constant(_ suffix: String, _ dims: [Int], _ v: [Float]) -> String {
      g.initializer.append(tensor("\(l.name).\(suffix)", dims, v))
      return "\(l.name).\(suffix)"
    }
    func int64s(_ suffix: String, _ v: [Int]) -> String {
      var t = Onnx_TensorProto()
      t.name = "\(l.name).\(suffix)"; t.dims = [Int64(v.count)]; t.dataType = 7; t.int64Data = v.map(Int64.init)
      g.initializer.append(t)
      return t.name
    }
    func step(_ op: String, _ ins: [String], _ suffix: String, _ attrs: [Onnx_AttributeProto] = []) -> String {
      var n = Onnx_NodeProto()
      n.name = "\(l.name)_\(suffix)"; n.opType = op; n.input = ins; n.output = ["\(l.name)_\(suffix)"]
      n.attribute = attrs
      g.node.append(n)
      return n.output[0]
    }
    switch l.operation {
    case .multiply:
      node.opType = "Mul"
      // A [N, C] scale vector (an FC's output) becomes [N, C, 1, 1] to broadcast over the pixels.
      let b = isFlat.count > 1 && isFlat[1] ? step("Unsqueeze", [inputs[1], int64s("axes", [2, 3])], "unsqueeze")
        : inputs[1]
      node.input = [inputs[0], b]
    case .affine(let a):
      let scaled = step("Mul", [inputs[0], constant("scale", [s.channels, 1, 1], a.scale)], "scale")
      node.opType = "Add"
      node.input = [scaled, constant("shift", [s.channels, 1, 1], a.shift)]
    case .channelSlice(let start, let count):
      node.opType = "Slice"
      node.input = [inputs[0], int64s("starts", [start]), int64s("ends", [start + count]), int64s("axes", [1])]
    case .channelPad(let before, let after):
      node.opType = "Pad"
      node.input = [inputs[0], int64s("pads", [0, before, 0, 0, 0, after, 0, 0])]
    case .channelShuffle(let groups):
      let grouped = step("Reshape", [inputs[0], int64s("grouped", [-1, groups, s.channels / groups, s.height,
                                                                   s.width])], "grouped")
      let swapped = step("Transpose", [grouped], "transposed", [ints("perm", [0, 2, 1, 3, 4])])
      node.opType = "Reshape"
      node.input = [swapped, int64s("shape", [-1, s.channels, s.height, s.width])]
    default:
      preconditionFailure("not an element-wise layer")
    }
    return node
  }

  /// Adds the nodes of `f` applied to tensor `x` of layer `name`; returns the result's tensor.
  static func activation(_ f: Activation, of x: String, name: String, graph g: inout Onnx_GraphProto) -> String {
    func node(_ op: String, _ ins: [String], _ suffix: String, _ attrs: [Onnx_AttributeProto] = []) -> String {
      var n = Onnx_NodeProto()
      n.name = "\(name)_\(suffix)"; n.opType = op; n.input = ins; n.output = ["\(name)_\(suffix)"]; n.attribute = attrs
      g.node.append(n)
      return n.output[0]
    }
    switch f {
    case .identity: return x
    case .relu: return node("Relu", [x], "relu")
    case .relu6:
      // Clip with its bounds as inputs (opset 11 and later).
      for (suffix, v) in [("min", Float(0)), ("max", Float(6))] {
        var t = Onnx_TensorProto(); t.name = "\(name)_relu6_\(suffix)"; t.dataType = 1; t.floatData = [v]
        g.initializer.append(t)
      }
      return node("Clip", [x, "\(name)_relu6_min", "\(name)_relu6_max"], "relu6")
    case .leakyRelu(let a): return node("LeakyRelu", [x], "leakyrelu", [float("alpha", a)])
    case .sigmoid: return node("Sigmoid", [x], "sigmoid")
    case .hardSigmoid(let a, let b):
      return node("HardSigmoid", [x], "hardsigmoid", [float("alpha", a), float("beta", b)])
    case .hardSwish:
      // HardSwish is opset 14; at opset 13 it is x * HardSigmoid(x; 1/6, 1/2).
      let h = node("HardSigmoid", [x], "hardsigmoid", [float("alpha", 1 / 6), float("beta", 0.5)])
      return node("Mul", [x, h], "hardswish")
    }
  }

  static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name; a.type = .float; a.f = v
    return a
  }
}
