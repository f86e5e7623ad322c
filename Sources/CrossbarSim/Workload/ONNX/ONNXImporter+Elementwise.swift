// MARK: - Activations, products, per-channel affines and channel moves at import

/// A tensor between nodes that is not yet a layer's output: part of a channel shuffle or of a
/// spatial subsampling written as two Slice nodes.
enum PendingView {
  /// `[N, groups, C / groups, H, W]` (a Reshape), then with its group axes swapped (a Transpose).
  case grouped(source: Int?, groups: Int, swapped: Bool)
  /// Every `step`-th row kept (a Slice over axis 2), waiting for the Slice over the columns.
  case rows(source: Int?, step: Int)
}

extension GraphImport {
  /// Element-wise functions: fused into the layer that produces the input when it is that tensor's
  /// only reader (a clamp into any layer; other functions into a Conv or Gemm, whose outputs pass
  /// the tile's sigmoid unit anyway), otherwise a standalone activation layer.
  mutating func activate(_ n: Onnx_NodeProto, _ f: Activation, name: String, out: String) throws {
    let src = try producer(n.input[0], of: n)
    if let i = src.layer, builder.network.layers[i].activation == .identity, uses[n.input[0], default: 0] == 1,
       f.isClamp || builder.network.layers[i].operation.isMatrix,
       builder.network.layers[i].operation != .activation {
      builder.activate(f, i)
      tensors[out] = (i, src.flat)
      return
    }
    tensors[out] = (try builder.activation(name, f, reading: src.layer), src.flat)
  }

  /// The shape a tensor stands for.
  func shapeOf(_ t: (layer: Int?, flat: Bool)) -> TensorShape {
    t.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
  }

  /// One value per channel of `shape` from constant `c`: a scalar, or C values shaped to broadcast
  /// over the channel axis (`[C, 1, 1]` or `[1, C, 1, 1]`; `[C]` or `[1, C]` only on a flat vector,
  /// since on a feature map ONNX broadcasts a trailing `[C]` over its width).
  func perChannel(_ c: ONNXTensor, _ shape: TensorShape, _ n: Onnx_NodeProto, name: String) throws -> [Float] {
    if c.elements == 1 { return Array(repeating: c.values[0], count: shape.channels) }
    let trimmed = Array(c.dims.drop { $0 == 1 })
    guard c.elements == shape.channels,
          trimmed == [shape.channels, 1, 1] || (shape.pixels == 1 && trimmed == [shape.channels]) else {
      throw InputError("\(where_(n)): constant '\(name)' of shape \(c.dims) does not broadcast per channel over " +
          "\(shape); a scalar or one value per channel ([\(shape.channels), 1, 1]) is supported")
    }
    return c.values
  }

  /// Handles the node if it is one of the operators of this file; false otherwise.
  mutating func elementwise(_ n: Onnx_NodeProto, name: String, out: String) throws -> Bool {
    let here = where_(n)
    switch n.opType {
    case "Sigmoid", "HardSwish":
      guard n.input.count == 1 else { throw InputError("\(here): \(n.input.count) inputs, expected 1") }
      _ = try ONNXAttributes(n, allowed: [], source: source)
      try activate(n, n.opType == "Sigmoid" ? .sigmoid : .hardSwish, name: name, out: out)
    case "HardSigmoid":
      guard n.input.count == 1 else { throw InputError("\(here): \(n.input.count) inputs, expected 1") }
      let a = try ONNXAttributes(n, allowed: ["alpha", "beta"], source: source)
      let alpha = a.float("alpha", default: 0.2), beta = a.float("beta", default: 0.5)
      guard alpha.isFinite, beta.isFinite else { throw InputError("\(here): alpha and beta must be finite") }
      try activate(n, .hardSigmoid(alpha: alpha, beta: beta), name: name, out: out)
    case "LeakyRelu":
      guard n.input.count == 1 else { throw InputError("\(here): \(n.input.count) inputs, expected 1") }
      let a = try ONNXAttributes(n, allowed: ["alpha"], source: source)
      let alpha = a.float("alpha", default: 0.01)
      guard alpha.isFinite else { throw InputError("\(here): alpha must be finite") }
      try activate(n, .leakyRelu(alpha: alpha), name: name, out: out)
    case "Mul", "Div", "Sub":
      guard n.input.count == 2 else { throw InputError("\(here): \(n.input.count) inputs, expected 2") }
      _ = try ONNXAttributes(n, allowed: [], source: source)
      let (ca, cb) = (constants[n.input[0]], constants[n.input[1]])
      if ca == nil, cb == nil {
        guard n.opType == "Mul" else {
          throw InputError("\(here): \(n.opType) of two feature maps is not supported (Mul is, and \(n.opType) by " +
              "a constant)")
        }
        let a = try producer(n.input[0], of: n), b = try producer(n.input[1], of: n)
        guard let la = a.layer, let lb = b.layer else {
          throw InputError("\(here): multiplying the network input itself is not supported")
        }
        // The per-channel scale (squeeze-excite) is the second input of the layer.
        let scaleFirst = builder.network.layers[la].outputShape.pixels == 1
          && builder.network.layers[lb].outputShape.pixels > 1
        let (x, s) = scaleFirst ? (lb, la) : (la, lb)
        tensors[out] = (try builder.multiply(name, x, s), scaleFirst ? b.flat : a.flat)
        return true
      }
      let constantFirst = ca != nil
      let (xName, cName) = constantFirst ? (n.input[1], n.input[0]) : (n.input[0], n.input[1])
      let src = try producer(xName, of: n)
      let shape = shapeOf(src)
      let c = try perChannel(constants[cName]!, shape, n, name: cName)
      let ones = [Float](repeating: 1, count: c.count), zeros = [Float](repeating: 0, count: c.count)
      let p: PerChannelAffine
      switch (n.opType, constantFirst) {
      case ("Mul", _): p = PerChannelAffine(scale: c, shift: zeros)
      case ("Div", false): p = PerChannelAffine(scale: c.map { 1 / $0 }, shift: zeros)
      case ("Sub", false): p = PerChannelAffine(scale: ones, shift: c.map { -$0 })
      case ("Sub", true): p = PerChannelAffine(scale: ones.map { -$0 }, shift: c)
      default: throw InputError("\(here): a constant divided by a feature map is not supported")
      }
      tensors[out] = (try builder.affine(name, p, reading: src.layer), src.flat)
    case "Slice":
      var src: (layer: Int?, flat: Bool)
      if case .rows(let s, _)? = views[n.input[0]] { src = (s, false) } else { src = try producer(n.input[0], of: n) }
      guard !src.flat else { throw InputError("\(here): slicing a flattened vector is not supported") }
      try slice(n, src, name: name, out: out)
    case "Pad":
      try pad(n, name: name, out: out)
    case "Transpose":
      let a = try ONNXAttributes(n, allowed: ["perm"], source: source)
      guard case .grouped(let s, let g, false)? = views[n.input[0]], a.ints("perm") == [0, 2, 1, 3, 4] else {
        throw InputError("\(here): only the transpose of a channel shuffle ([N, g, C/g, H, W] with perm " +
            "[0, 2, 1, 3, 4]) is supported")
      }
      views[out] = .grouped(source: s, groups: g, swapped: true)
    default:
      return false
    }
    return true
  }

  /// A BatchNormalization that no linear layer precedes: a per-channel affine layer.
  mutating func standaloneBatchNorm(_ n: Onnx_NodeProto, epsilon: Float, name: String, out: String) throws {
    let src = try producer(n.input[0], of: n)
    let shape = shapeOf(src)
    let p = try (1...4).map { try constant(n.input[$0], of: n, what: "parameter") }
    guard p.allSatisfy({ $0.elements == shape.channels }) else {
      throw InputError("\(where_(n)): parameters need \(shape.channels) values each (one per channel)")
    }
    let scale = (0..<shape.channels).map { p[0].values[$0] / (p[3].values[$0] + epsilon).squareRoot() }
    let shift = (0..<shape.channels).map { p[1].values[$0] - p[2].values[$0] * scale[$0] }
    tensors[out] = (try builder.affine(name, PerChannelAffine(scale: scale, shift: shift), reading: src.layer),
                    src.flat)
  }

  /// Slices over channels (a channel slice) or over both spatial axes from 0 with one step (a
  /// subsampling: a max-pool of window 1, which takes every step-th pixel).
  mutating func slice(_ n: Onnx_NodeProto, _ src: (layer: Int?, flat: Bool), name: String, out: String) throws {
    _ = try ONNXAttributes(n, allowed: [], source: source)
    let shape = shapeOf(src), sizes = [1, shape.channels, shape.height, shape.width]
    var byAxis: [Int: (Int, Int, Int)] = [:]
    for (axis, start, end, step) in try sliceSpec(n, rank: 4) {
      let idx = sliceIndices(start: start, end: end, step: step, size: sizes[axis])
      if idx == Array(0..<sizes[axis]) { continue }   // the whole axis
      byAxis[axis] = (idx.first ?? 0, idx.count, step)
    }
    let refuse = InputError("\(where_(n)): only slices of channels (step 1) or of every s-th row and column from " +
        "the first are supported")
    if byAxis.isEmpty { tensors[out] = src; return }
    if let (start, count, step) = byAxis[1] {
      guard byAxis.count == 1, step == 1 else { throw refuse }
      tensors[out] = (try builder.channelSlice(name, start: start, count: count, reading: src.layer), false)
      return
    }
    func spatial(_ axis: Int) -> Int? {
      guard let (start, count, step) = byAxis[axis], start == 0, step > 1,
            count == (sizes[axis] + step - 1) / step else { return nil }
      return step
    }
    guard byAxis[0] == nil else { throw refuse }
    var rows = byAxis[2] == nil ? nil : spatial(2), source = src.layer
    if byAxis[2] != nil, rows == nil { throw refuse }
    if case .rows(let s, let step)? = views[n.input[0]] { rows = step; source = s }
    guard let cols = spatial(3) else {
      guard let rows, byAxis[3] == nil else { throw refuse }
      views[out] = .rows(source: source, step: rows)   // only a Slice of its columns may read it
      return
    }
    guard rows == cols else { throw refuse }
    let pool = Pooling(.max, kernel: 1, stride: cols)
    tensors[out] = (try builder.pool(name, pool, reading: source), false)
  }

  /// A constant-mode Pad with zeros over channels only (option-A shortcuts).
  mutating func pad(_ n: Onnx_NodeProto, name: String, out: String) throws {
    let a = try ONNXAttributes(n, allowed: ["mode", "pads", "value"], source: source)
    guard (a.string("mode") ?? "constant") == "constant" else {
      throw a.refuse("mode", a.string("mode") ?? "", "only constant")
    }
    let src = try producer(n.input[0], of: n)
    let pads = n.input.count > 1 && !n.input[1].isEmpty ? try integers(n.input[1], of: n, what: "pads")
      : (a.ints("pads") ?? [])
    if n.input.count > 2, !n.input[2].isEmpty {
      guard try constant(n.input[2], of: n, what: "value").values.allSatisfy({ $0 == 0 }) else {
        throw InputError("\(where_(n)): only zero padding is supported")
      }
    }
    if n.input.count > 3, !n.input[3].isEmpty { throw InputError("\(where_(n)): Pad with axes is not supported") }
    guard pads.count == 8, pads.allSatisfy({ $0 >= 0 }),
          [0, 2, 3, 4, 6, 7].allSatisfy({ pads[$0] == 0 }) else {
      throw InputError("\(where_(n)): pads \(pads) are not supported; zero channels before and after " +
          "([0, b, 0, 0, 0, a, 0, 0]) are (spatial padding belongs in the Conv or pool)")
    }
    tensors[out] = (try builder.channelPad(name, before: pads[1], after: pads[5], reading: src.layer), false)
  }

  /// Split over channels into slices (sizes from the input, `split`, or `num_outputs` equal parts).
  mutating func split(_ n: Onnx_NodeProto, name: String) throws {
    let a = try ONNXAttributes(n, allowed: ["axis", "split", "num_outputs"], source: source)
    let src = try producer(n.input[0], of: n)
    let shape = shapeOf(src)
    guard !src.flat, a.int("axis", default: 0) == 1 || a.int("axis", default: 0) == -3 else {
      throw InputError("\(where_(n)): only splits of a feature map's channels (axis 1) are supported")
    }
    var sizes = n.input.count > 1 && !n.input[1].isEmpty ? try integers(n.input[1], of: n, what: "split")
      : a.ints("split") ?? []
    if sizes.isEmpty {
      let parts = a.int("num_outputs", default: n.output.count)
      guard parts >= 1 else { throw InputError("\(where_(n)): num_outputs must be positive") }
      let each = (shape.channels + parts - 1) / parts
      sizes = (0..<parts).map { min(each, shape.channels - $0 * each) }
    }
    guard sizes.count == n.output.count, sizes.allSatisfy({ $0 >= 1 }), sizes.reduce(0, +) == shape.channels else {
      throw InputError("\(where_(n)): split sizes \(sizes) do not cover the \(shape.channels) channels in " +
          "\(n.output.count) outputs")
    }
    var start = 0
    for (k, (o, size)) in zip(n.output, sizes).enumerated() {
      tensors[o] = (try builder.channelSlice(k == 0 ? name : "\(name)_\(k)", start: start, count: size,
                                             reading: src.layer), false)
      start += size
    }
  }

  /// A Reshape of a feature map to `[N, g, C/g, H, W]` (the start of a channel shuffle) or of a
  /// shuffled view back to `[N, C, H, W]` (its end); nil when it is neither.
  mutating func shuffleReshape(_ n: Onnx_NodeProto, shape s: [Int], name: String, out: String) throws -> Bool {
    if case .grouped(let source, let g, true)? = views[n.input[0]] {
      let m = source.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
      guard s.count == 4, [0, 1, -1].contains(s[0]), [m.channels, -1].contains(s[1]), s[2] == m.height,
            s[3] == m.width else {
        throw InputError("\(where_(n)): a channel shuffle must be reshaped back to [N, \(m.channels), \(m.height), " +
            "\(m.width)], not \(s)")
      }
      tensors[out] = (try builder.channelShuffle(name, groups: g, reading: source), false)
      return true
    }
    guard s.count == 5, let src = tensors[n.input[0]], !src.flat else { return false }
    let m = shapeOf(src)
    guard [0, 1, -1].contains(s[0]), s[1] >= 1, s[1] * s[2] == m.channels, s[3] == m.height, s[4] == m.width else {
      return false
    }
    views[out] = .grouped(source: src.layer, groups: s[1], swapped: false)
    return true
  }
}
