import Foundation
import SwiftProtobuf

// MARK: - ONNX models as workloads with weights

/// Reads an ONNX model (graph, shapes, initializers) into a `Network` with its weights.
///
/// Operators: Conv (stride, symmetric padding, groups, dilation 1), Gemm and MatMul with constant
/// weights (an Add of a constant after MatMul becomes its bias), activations (fused into the layer
/// that produces their input, else standalone), MaxPool, AveragePool, GlobalAveragePool, ReduceMean
/// and ReduceMax over the spatial axes (global pooling, as PyTorch's dynamo exporter writes it), Add,
/// Concat (channels), BatchNormalization (folded into the preceding Conv or Gemm, else a per-channel
/// affine), Mul/Div/Sub (products and per-channel affines), channel Slice/Split/Pad/shuffles,
/// Flatten/Reshape to `[N, -1]`, Constant nodes and folded index arithmetic, and Identity/Dropout
/// (inference: pass-through; of a constant, an alias of it). Anything else is an error naming the
/// node and operator.
public enum ONNXImporter {
  /// Operators the importer understands.
  public static let supported = ["Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant",
                                 "ConstantOfShape", "Conv", "Div", "Dropout", "Flatten", "Gather", "Gemm",
                                 "GlobalAveragePool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "MatMul",
                                 "MaxPool", "Mul", "Pad", "ReduceMax", "ReduceMean", "Relu", "Reshape", "Shape",
                                 "Sigmoid", "Slice", "Split", "Squeeze", "Sub", "Transpose", "Unsqueeze"]
  /// Largest model file read [bytes].
  public static let maxFileBytes = 1 << 30

  /// Loads `path`.
  public static func load(path: String) throws -> (network: Network, weights: NetworkWeights) {
    let url = URL(fileURLWithPath: path)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    guard let size else { throw InputError("\(path): no such file") }
    guard size <= maxFileBytes else { throw InputError("\(path): \(size) bytes; ONNX models up to \(maxFileBytes) " +
        "bytes are read") }
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw InputError("\(path): cannot read the file") }
    let name = url.deletingPathExtension().lastPathComponent
    return try load(data: data, name: name, source: path)
  }

  /// Reads a serialized `ModelProto`.
  public static func load(data: Data, name: String, source: String) throws -> (network: Network,
                                                                               weights: NetworkWeights) {
    let model: Onnx_ModelProto
    do { model = try Onnx_ModelProto(serializedBytes: data) } catch {
      throw InputError("\(source): not an ONNX model (the protobuf does not decode: truncated or corrupt)")
    }
    guard model.hasGraph, !model.graph.node.isEmpty else { throw InputError("\(source): not an ONNX model (no graph " +
        "nodes)") }
    var g = GraphImport(source: source, graph: model.graph)
    return try g.run(name: name)
  }
}

/// One pass over the graph's nodes (ONNX requires topological order).
struct GraphImport {
  let source: String
  let graph: Onnx_GraphProto
  let reader: ONNXReader
  var constants: [String: ONNXTensor] = [:]
  /// Tensor name -> producing layer (nil: the network input); `flat` after Flatten/Reshape.
  var tensors: [String: (layer: Int?, flat: Bool)] = [:]
  /// The maps each concatenation layer joins, before any of them was an earlier concatenation.
  var concatSources: [Int: [Int]] = [:]
  /// Tensors half way through a channel shuffle or a two-node subsampling.
  var views: [String: PendingView] = [:]
  var uses: [String: Int] = [:]
  var builder: NetworkBuilder!
  var weights: [LayerWeights?] = []

  init(source: String, graph: Onnx_GraphProto) {
    self.source = source; self.graph = graph; reader = ONNXReader(source: source)
  }

  func where_(_ n: Onnx_NodeProto) -> String { "\(source): node '\(n.name.isEmpty ? n.output.first ?? "?" : n.name)' " +
      "(\(n.opType))" }

  mutating func run(name: String) throws -> (network: Network, weights: NetworkWeights) {
    try validate()
    for t in graph.initializer { constants[t.name] = try reader.tensor(t) }
    let inputs = graph.input.filter { constants[$0.name] == nil }
    guard inputs.count == 1, let input = inputs.first else {
      throw InputError("\(source): the graph has \(inputs.count) non-constant inputs " +
          "(\(inputs.map(\.name).joined(separator: ", "))); one image input is supported")
    }
    let dims = input.type.tensorType.shape.dim.map { d -> Int in
      if case .dimValue(let v)? = d.value { return Int(clamping: v) } else { return -1 }
    }
    guard dims.count == 4, dims[1...].allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else {
      let symbolic = dims.contains(-1) ? " (-1: symbolic)" : ""
      throw InputError("\(source): input '\(input.name)' has shape \(dims)\(symbolic); an N x C x H x W image input " +
          "with known C, H, W is needed")
    }
    let type = input.type.tensorType.elemType
    guard type == 1 else {
      throw InputError("\(source): input '\(input.name)' has ONNX element type \(type); a float (1) image is needed")
    }
    builder = NetworkBuilder(name: name, input: TensorShape(dims[1], dims[2], dims[3]))
    tensors[input.name] = (nil, false)
    for n in graph.node { for i in n.input where !i.isEmpty { uses[i, default: 0] += 1 } }
    for o in graph.output { uses[o.name, default: 0] += 1 }
    for n in graph.node { try node(n) }
    for o in graph.output {
      guard let t = tensors[o.name], t.layer != nil else { throw InputError("\(source): graph output '\(o.name)' is " +
          "not produced by a layer") }
    }
    weights += Array(repeating: nil, count: builder.network.layers.count - weights.count)
    let w = NetworkWeights(layers: weights)
    try w.validate(for: builder.network, source: source)
    return (builder.network, w)
  }

  /// The layer (or input) behind a tensor, refusing constants and unknown names.
  func producer(_ name: String, of n: Onnx_NodeProto) throws -> (layer: Int?, flat: Bool) {
    if let t = tensors[name] { return t }
    if views[name] != nil { throw InputError("\(where_(n)): input '\(name)' is half of a channel shuffle or of a " +
        "row-and-column subsampling; only its completing Transpose, Reshape or Slice may read it") }
    if constants[name] != nil { throw InputError("\(where_(n)): input '\(name)' is a constant; a constant operand is " +
        "supported only as weights") }
    throw InputError("\(where_(n)): input '\(name)' is not produced by an earlier node (the graph must be " +
        "topologically sorted)")
  }

  func constant(_ name: String, of n: Onnx_NodeProto, what: String) throws -> ONNXTensor {
    guard let c = constants[name] else { throw InputError("\(where_(n)): \(what) '\(name)' must be an initializer " +
        "(constant)") }
    return c
  }

  mutating func append(_ layerIndex: Int, _ w: LayerWeights?) {
    weights += Array(repeating: nil, count: layerIndex - weights.count)
    weights.append(w)
  }

  mutating func node(_ n: Onnx_NodeProto) throws {
    let here = where_(n)
    guard n.output.count >= 1 else { throw InputError("\(here): no output") }
    try ONNXArity.check(n.opType, inputs: n.input.count, outputs: n.output.count, at: here)
    if n.opType == "Split" {
      do { return try split(n, name: n.name.isEmpty ? n.output[0] : n.name) } catch let e as InputError
        where !e.description.hasPrefix(source) { throw InputError("\(here): \(e.description)") }
    }
    if let extra = n.output.dropFirst().first(where: { !$0.isEmpty && uses[$0, default: 0] > 0 }) {
      // MaxPool's Indices, Dropout's mask, BatchNormalization's running statistics: unread, they are ignored.
      throw InputError("\(here): output '\(extra)' is read, but only a node's first output (its result) is supported")
    }
    let name = n.name.isEmpty ? n.output[0] : n.name
    let out = n.output[0]
    func attrs(_ allowed: Set<String>) throws -> ONNXAttributes {
      try ONNXAttributes(n, allowed: allowed, source: source)
    }
    func arity(_ k: ClosedRange<Int>) throws {
      guard k.contains(n.input.count) else { throw InputError("\(here): \(n.input.count) inputs, " +
          "expected \(k.lowerBound)...\(k.upperBound)") }
    }
    do {
      switch n.opType {
      case let op where ["Add", "Sub", "Mul", "Div", "Slice", "Reshape", "Transpose", "ConstantOfShape"].contains(op)
        && allConstant(n):
        constants[out] = try foldConstant(n)
      case "Conv":
        try arity(2...3)
        let a = try attrs(["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"])
        try a.noDilation()
        let src = try producer(n.input[0], of: n)
        guard !src.flat else { throw InputError("\(here): input '\(n.input[0])' was flattened; a Conv needs a " +
            "feature map") }
        let w = try constant(n.input[1], of: n, what: "weight")
        guard w.dims.count == 4, w.dims[2] == w.dims[3] else { throw InputError("\(here): weight shape \(w.dims); " +
            "[OC, IC/group, K, K] (square) is supported") }
        if let k = a.ints("kernel_shape"), k != [w.dims[2], w.dims[3]] {
          throw a.refuse("kernel_shape", k, "the weight's \(w.dims[2...])")
        }
        let stride = try a.square("strides", default: 1, minimum: 1)
        let side = src.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
        let c = Convolution(outChannels: w.dims[0], kernel: w.dims[2], stride: stride,
                            padding: try a.padding(kernel: w.dims[2], stride: stride, height: side.height,
                                                   width: side.width), groups: a.int("group", default: 1))
        let i = try builder.conv(name, c, reading: src.layer)
        let l = builder.network.layers[i]
        guard w.dims[1] == l.inputShape.channels / max(1, c.groups) else {
          throw InputError("\(here): weight shape \(w.dims) needs \(w.dims[1] * c.groups) input channels, its input " +
              "has \(l.inputShape.channels)")
        }
        append(i, LayerWeights(values: w.values, outputs: l.weightColumns, inputs: l.weightRows,
                               bias: try bias(n, 2, count: c.outChannels)))
        tensors[out] = (i, false)
      case "Gemm", "MatMul":
        try arity(n.opType == "Gemm" ? 2...3 : 2...2)
        let a = try attrs(n.opType == "Gemm" ? ["alpha", "beta", "transA", "transB"] : [])
        guard a.int("transA", default: 0) == 0 else { throw a.refuse("transA", 1, "only 0") }
        let src = try producer(n.input[0], of: n)
        let b = try constant(n.input[1], of: n, what: "weight")
        guard b.dims.count == 2 else { throw InputError("\(here): weight shape \(b.dims); a 2-D matrix is supported") }
        let transB = a.int("transB", default: 0) == 1
        let (outF, inF) = transB ? (b.dims[0], b.dims[1]) : (b.dims[1], b.dims[0])
        let i = try builder.fc(name, outF, reading: src.layer)
        let l = builder.network.layers[i]
        guard inF == l.inputShape.elements else {
          throw InputError("\(here): weight shape \(b.dims) takes \(inF) inputs, its input '\(n.input[0])' " +
              "has \(l.inputShape.elements) (\(l.inputShape))")
        }
        let alpha = a.float("alpha", default: 1), beta = a.float("beta", default: 1)
        var values = b.values
        if !transB { values = (0..<outF).flatMap { o in (0..<inF).map { b.values[$0 * outF + o] } } }
        let bias = try self.bias(n, 2, count: outF).map { $0.map { $0 * beta } }
        append(i, LayerWeights(values: values.map { $0 * alpha }, outputs: outF, inputs: inF, bias: bias))
        tensors[out] = (i, false)
      case "BatchNormalization":
        try arity(5...5)
        let a = try attrs(["epsilon", "momentum", "training_mode", "spatial"])
        guard a.int("training_mode", default: 0) == 0 else { throw a.refuse("training_mode", 1, "inference graphs " +
            "only") }
        guard let i = try? foldable(n, what: "BatchNormalization") else {
          try standaloneBatchNorm(n, epsilon: a.float("epsilon", default: 1e-5), name: name, out: out)
          return
        }
        var w = weights[i]!
        let p = try (1...4).map { try constant(n.input[$0], of: n, what: "parameter") }
        guard p.allSatisfy({ $0.elements == w.outputs }) else { throw InputError("\(here): parameters " +
            "need \(w.outputs) values each (one per channel)") }
        let eps = a.float("epsilon", default: 1e-5)
        var b = w.bias ?? Array(repeating: 0, count: w.outputs)
        for o in 0..<w.outputs {
          let s = p[0].values[o] / (p[3].values[o] + eps).squareRoot()
          for k in 0..<w.inputs { w.values[o * w.inputs + k] *= s }
          b[o] = (b[o] - p[2].values[o]) * s + p[1].values[o]
        }
        w.bias = b
        weights[i] = w
        tensors[out] = (i, false)
      case "Relu":
        try arity(1...1); _ = try attrs([])
        try activate(n, .relu, name: name, out: out)
      case "Clip":
        // ReLU6: bounds 0 and 6 as inputs (opset 11+) or attributes (opset 6).
        try arity(1...3)
        let a = try attrs(["min", "max"])
        func bound(_ k: Int, _ attr: String) throws -> Float? {
          if n.input.count > k, !n.input[k].isEmpty { return try constant(n.input[k], of: n, what: attr).values.first }
          return a.has(attr) ? a.float(attr, default: 0) : nil
        }
        let lo = try bound(1, "min"), hi = try bound(2, "max")
        guard lo == 0, hi == 6 else {
          throw InputError("\(here): Clip(\(lo.map { "\($0)" } ?? "none"), \(hi.map { "\($0)" } ?? "none")) is not " +
              "supported; Clip(0, 6) (ReLU6) is")
        }
        try activate(n, .relu6, name: name, out: out)
      case "MaxPool", "AveragePool":
        try arity(1...1)
        let a = try attrs(["kernel_shape", "strides", "pads", "ceil_mode", "auto_pad", "count_include_pad",
                           "dilations", "storage_order"])
        try a.noDilation()
        guard a.int("storage_order", default: 0) == 0 else { throw a.refuse("storage_order", 1, "only 0") }
        let k = try a.square("kernel_shape", default: 0)
        guard k >= 1 else { throw InputError("\(here): kernel_shape is required") }
        let src = try producer(n.input[0], of: n)
        let side = src.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
        let stride = try a.square("strides", default: 1, minimum: 1)
        let pad = try a.padding(kernel: k, stride: stride, height: side.height, width: side.width)
        if n.opType == "AveragePool", pad > 0, a.int("count_include_pad", default: 0) == 0 {
          throw a.refuse("count_include_pad", 0, "padded average pooling counts the padding: set count_include_pad=1")
        }
        var p = Pooling(n.opType == "MaxPool" ? .max : .average, kernel: k, stride: stride,
                        padding: pad, ceilMode: a.int("ceil_mode", default: 0) == 1)
        if p.ceilMode, p.kind == .average {
          // An overrunning average window would divide by the pixels it has: not modelled.
          var floor = p
          floor.ceilMode = false
          guard floor.outputSize(side.height) == p.outputSize(side.height),
                floor.outputSize(side.width) == p.outputSize(side.width) else {
            throw a.refuse("ceil_mode", 1, "for AveragePool only where it does not change the output size")
          }
          p = floor
        }
        tensors[out] = (try builder.pool(name, p, reading: src.layer), false)
      case "GlobalAveragePool":
        try arity(1...1); _ = try attrs([])
        let src = try producer(n.input[0], of: n)
        let s = src.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
        guard s.height == s.width else { throw InputError("\(here): input map \(s) is not square") }
        tensors[out] = (try builder.pool(name, Pooling(.average, kernel: s.height, stride: s.height),
                                         reading: src.layer), false)
      case "Add":
        try arity(2...2); _ = try attrs([])
        if constants[n.input[1]] != nil || constants[n.input[0]] != nil {
          // MatMul + Add(constant): the constant is the layer's bias.
          let (x, c) = constants[n.input[1]] != nil ? (n.input[0], n.input[1]) : (n.input[1], n.input[0])
          guard let i = try? foldable(n, input: x, what: "Add of a constant"),
                constants[c]!.elements == weights[i]?.outputs else {
            let src = try producer(x, of: n)
            let shift = try perChannel(constants[c]!, shapeOf(src), n, name: c)
            let p = PerChannelAffine(scale: Array(repeating: 1, count: shift.count), shift: shift)
            tensors[out] = (try builder.affine(name, p, reading: src.layer), src.flat)
            return
          }
          var w = weights[i]!
          let t = constants[c]!
          guard t.elements == w.outputs else { throw InputError("\(here): constant '\(c)' has \(t.elements) values; " +
              "as a bias it needs \(w.outputs)") }
          w.bias = zip(w.bias ?? Array(repeating: 0, count: w.outputs), t.values).map { $0 + $1 }
          weights[i] = w
          tensors[out] = (i, false)
        } else {
          let a = try producer(n.input[0], of: n), b = try producer(n.input[1], of: n)
          guard let la = a.layer, let lb = b.layer else { throw InputError("\(here): adding the network input itself " +
              "is not supported") }
          tensors[out] = (try builder.add(name, la, lb), false)
        }
      case "Shape", "Gather", "Unsqueeze", "Squeeze", "Cast":
        constants[out] = try folded(n)
      case "Concat" where !n.input.isEmpty && n.input.allSatisfy({ constants[$0] != nil }):
        // A shape being assembled (Shape, Gather, Unsqueeze, Concat before a Reshape): 1-D constants.
        _ = try attrs(["axis"])
        let parts = n.input.map { constants[$0]! }
        guard parts.allSatisfy({ $0.dims.count <= 1 }) else { throw InputError("\(here): only 1-D constants are " +
            "concatenated at import") }
        let values = parts.flatMap(\.values)
        constants[out] = ONNXTensor(dims: [values.count], values: values)
      case "Concat":
        let a = try attrs(["axis"])
        let axis = a.int("axis", default: 1)
        guard axis == 1 else { throw a.refuse("axis", axis, "only 1 (channels)") }
        let parts = try n.input.map { try producer($0, of: n) }
        guard parts.allSatisfy({ $0.layer != nil && !$0.flat }) else { throw InputError("\(here): every input must " +
            "be a feature map produced by a layer") }
        tensors[out] = (try concatenate(name, parts.map { $0.layer! }), false)
      case "Flatten", "Reshape":
        let a = try attrs(n.opType == "Flatten" ? ["axis"] : ["allowzero"])
        if n.opType == "Reshape", case .grouped? = views[n.input.first ?? ""] {
          try arity(2...2)
          _ = try shuffleReshape(n, shape: try integers(n.input[1], of: n, what: "shape"), name: name, out: out)
          return
        }
        let src = try producer(n.input[0], of: n)
        if n.opType == "Flatten" {
          guard a.int("axis", default: 1) == 1 else { throw a.refuse("axis", a.int("axis", default: 1), "only 1") }
        } else {
          try arity(2...2)
          let s = try integers(n.input[1], of: n, what: "shape")
          if try shuffleReshape(n, shape: s, name: name, out: out) { return }
          let elements = src.layer.map { builder.network.layers[$0].outputShape.elements }
            ?? builder.network.inputShape.elements
          guard s.filter({ $0 == -1 }).count <= 1 else {
            throw InputError("\(here): shape \(s) has more than one -1 (ONNX infers at most one dimension)")
          }
          guard s.count == 2, [0, 1, -1].contains(s[0]), [-1, elements].contains(s[1]) else {
            throw InputError("\(here): shape \(s) is not supported (only [N, -1] or [N, \(elements)]: flattening)")
          }
        }
        tensors[out] = (src.layer, true)
      case "Identity", "Dropout":
        try arity(1...3); _ = try attrs(["ratio", "seed"])
        if let c = constants[n.input[0]] {
          constants[out] = c   // an exporter's alias of a shared constant (e.g. identical biases)
        } else {
          tensors[out] = try producer(n.input[0], of: n)
        }
      case "Constant":
        try arity(0...0)
        constants[out] = try constantNode(n, try attrs(["value", "value_float", "value_floats", "value_int",
                                                         "value_ints"]))
      case "ReduceMean", "ReduceMax":
        try arity(1...2)
        let a = try attrs(["axes", "keepdims", "noop_with_empty_axes"])
        var axes = a.ints("axes")
        if n.input.count == 2, !n.input[1].isEmpty {
          guard axes == nil else { throw InputError("\(here): axes given both as an attribute and as an input") }
          axes = try integers(n.input[1], of: n, what: "axes")
        }
        let spatial = (axes ?? []).map { $0 < 0 ? $0 + 4 : $0 }.sorted()
        guard spatial == [2, 3] else {
          throw InputError("\(here): axes \(axes.map { "\($0)" } ?? "none (every axis)") are not supported; reducing " +
              "over the spatial axes [2, 3] (global pooling) is")
        }
        let src = try producer(n.input[0], of: n)
        guard !src.flat else {
          throw InputError("\(here): input '\(n.input[0])' was flattened; global pooling needs a feature map")
        }
        let s = src.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
        guard s.height == s.width else { throw InputError("\(here): input map \(s) is not square") }
        let kind: PoolKind = n.opType == "ReduceMean" ? .average : .max
        let i = try builder.pool(name, Pooling(kind, kernel: s.height, stride: s.height), reading: src.layer)
        // keepdims=0 gives [N, C]: a flat vector, as Flatten would.
        tensors[out] = (i, a.int("keepdims", default: 1) == 0)
      default:
        if try elementwise(n, name: name, out: out) { return }
        throw InputError("\(here): operator \(n.opType) is not supported " +
            "(supported: \(ONNXImporter.supported.joined(separator: ", ")))")
      }
    } catch let e as InputError where !e.description.hasPrefix(source) {
      throw InputError("\(here): \(e.description)")
    }
  }

  /// Optional bias input `k` with `count` values.
  func bias(_ n: Onnx_NodeProto, _ k: Int, count: Int) throws -> [Float]? {
    guard n.input.count > k, !n.input[k].isEmpty else { return nil }
    let b = try constant(n.input[k], of: n, what: "bias")
    guard b.elements == count else { throw InputError("\(where_(n)): bias '\(n.input[k])' has \(b.elements) values, " +
        "expected \(count)") }
    return b.values
  }

  /// The matrix layer whose raw output `input` is and that nothing else reads (BN and bias folding).
  func foldable(_ n: Onnx_NodeProto, input: String? = nil, what: String) throws -> Int {
    let x = input ?? n.input[0]
    let t = try producer(x, of: n)
    guard let i = t.layer, builder.network.layers[i].operation.isMatrix, weights.indices.contains(i),
          builder.network.layers[i].activation == .identity,
          !t.flat || builder.network.layers[i].outputShape.pixels == 1 else {
      throw InputError("\(where_(n)): \(what) must follow a Conv, Gemm or MatMul directly")
    }
    guard uses[x, default: 0] == 1 else { throw InputError("\(where_(n)): '\(x)' is also read elsewhere, so \(what) " +
        "cannot be folded into its layer") }
    return i
  }
}
