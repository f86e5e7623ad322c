// MARK: - Forward and backward passes of a network, for training

/// Trainable values of a network: each matrix layer's weight matrix (`outputs x inputs`, row-major
/// as `LayerWeights`) and bias; nil for layers without weights.
public struct TrainableParameters<T: TrainScalar>: Sendable {
  /// Weights per layer.
  public var weights: [[T]?]
  /// Biases per layer (nil: the layer has none).
  public var biases: [[T]?]

  /// Parameters from per-layer arrays.
  public init(weights: [[T]?], biases: [[T]?]) { self.weights = weights; self.biases = biases }

  /// The weights of `w`, converted to `T`.
  public init(_ w: NetworkWeights) {
    weights = w.layers.map { $0.map { $0.values.map(T.init) } }
    biases = w.layers.map { $0?.bias.map { $0.map(T.init) } }
  }

  /// Zeros shaped like `other` (gradients, optimizer state).
  public init(zerosLike other: TrainableParameters) {
    weights = other.weights.map { $0.map { [T](repeating: 0, count: $0.count) } }
    biases = other.biases.map { $0.map { [T](repeating: 0, count: $0.count) } }
  }
}

/// A network's forward and backward passes over a batch, generic in the number type.
struct TrainingGraph<T: TrainScalar> {
  let network: Network
  /// The layer whose output is the logits (the one nothing reads).
  let sink: Int

  init(network: Network) {
    self.network = network
    sink = network.outputLayer
  }

  /// Classes the network scores.
  var classes: Int { network.layers[sink].outputShape.elements }

  /// What a forward pass keeps for the backward pass: every layer's post-activation output and,
  /// within `columnBudget` values, each convolution's columns (recomputed when not kept).
  struct Tape {
    var outputs: [[T]]
    var columns: [[[T]]?]
    /// Pre-activation outputs of layers whose activation is not a clamp (its derivative needs them).
    var preActivations: [[T]?] = []
  }

  /// Values of columns a tape keeps at most (256 MB in single precision).
  static var columnBudget: Int { 1 << 26 }

  /// Post-activation outputs of every layer for `images` inputs `x` (`images x C x H x W`).
  func forward(_ x: [T], images: Int, _ p: TrainableParameters<T>) -> [[T]] {
    tape(x, images: images, p, keepColumns: false).outputs
  }

  /// The forward pass, keeping what the backward pass needs.
  func tape(_ x: [T], images: Int, _ p: TrainableParameters<T>, keepColumns: Bool = true) -> Tape {
    var outs: [[T]] = [], columns = [[[T]]?](repeating: nil, count: network.layers.count)
    var pre = [[T]?](repeating: nil, count: network.layers.count)
    var kept = 0
    outs.reserveCapacity(network.layers.count)
    for (i, l) in network.layers.enumerated() {
      let input = l.inputs.isEmpty ? x : outs[l.inputs[0]]
      var y: [T]
      switch l.operation {
      case .conv(let c):
        let size = l.weightRows * c.groups * images * l.outputShape.pixels
        let keep = keepColumns && kept + size <= Self.columnBudget
        if keep { kept += size }
        (y, columns[i]) = convForward(input, images: images, l, c, p.weights[i]!, p.biases[i], keepColumns: keep)
      case .fullyConnected(let f):
        y = TrainingOps.uninitialized(T.self, images * f)   // the product writes every value (beta 0)
        let w = p.weights[i]!, k = l.inputShape.elements
        input.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
          T.gemm(transA: false, transB: true, m: images, n: f, k: k, alpha: 1, a: xp.baseAddress!, lda: k,
                 b: wp.baseAddress!, ldb: k, beta: 0, c: yp.baseAddress!, ldc: f)
        } } }
        if let b = p.biases[i] { for n in 0..<images { for o in 0..<f { y[n * f + o] += b[o] } } }
      case .pool(let q): y = TensorOps.pool(input, images: images, layer: l, q, lowest: -.infinity) { $0 / T($1) }
      case .add: y = zip(outs[l.inputs[0]], outs[l.inputs[1]]).map { $0 + $1 }
      case .concat:
        y = TensorOps.concat(l.inputs.map { outs[$0] },
                             elements: l.inputs.map { network.layers[$0].outputShape.elements }, images: images)
      case .activation, .multiply, .affine, .channelSlice, .channelPad, .channelShuffle:
        y = TrainingOps.elementwiseForward(l, l.inputs.map { outs[$0] }, input: input, images: images)
      }
      if l.activation == .relu { TrainingOps.relu(&y) }
      if l.activation == .relu6 { TrainingOps.relu6(&y) }
      if !l.activation.isClamp, l.activation != .identity {
        pre[i] = y
        for j in y.indices { y[j] = T(l.activation(Double(y[j]))) }
      }
      outs.append(y)
    }
    return Tape(outputs: outs, columns: columns, preActivations: pre)
  }

  /// A convolution group by group: `W_g (ocpg x k)` times the group's columns `(k x images*pixels)`,
  /// each image's block copied into NCHW, plus the bias.
  func convForward(_ x: [T], images: Int, _ l: Layer, _ c: Convolution, _ w: [T], _ b: [T]?, keepColumns: Bool)
    -> ([T], [[T]]?) {
    let outS = l.outputShape, ocpg = c.outChannels / c.groups, k = l.weightRows, cols = images * outS.pixels
    var out = TrainingOps.uninitialized(T.self, images * outS.elements)   // every group writes its channels
    var r = TrainingOps.uninitialized(T.self, ocpg * cols)
    var kept: [[T]] = []
    for g in 0..<c.groups {
      let columns = TrainingOps.im2col(x, images: images, layer: l, conv: c, group: g)
      columns.withUnsafeBufferPointer { cp in w.withUnsafeBufferPointer { wp in r.withUnsafeMutableBufferPointer { rp in
        T.gemm(transA: false, transB: false, m: ocpg, n: cols, k: k, alpha: 1, a: wp.baseAddress! + g * ocpg * k,
               lda: k, b: cp.baseAddress!, ldb: cols, beta: 0, c: rp.baseAddress!, ldc: cols)
      } } }
      TrainingOps.blocks(r, images: images, pixels: outS.pixels, channels: ocpg, firstChannel: g * ocpg,
                         totalChannels: c.outChannels, into: &out, bias: b)
      if keepColumns { kept.append(columns) }
    }
    return (out, keepColumns ? kept : nil)
  }

  /// Gradients of the parameters given the outputs of `forward` and the gradient of the loss
  /// with respect to the logits (the sink's output).
  func backward(_ x: [T], images: Int, tape: Tape, dLogits: [T], _ p: TrainableParameters<T>)
    -> TrainableParameters<T> {
    let outputs = tape.outputs
    var grads = TrainableParameters<T>(zerosLike: p)
    var dOut = [[T]?](repeating: nil, count: network.layers.count)
    dOut[sink] = dLogits
    for i in network.layers.indices.reversed() {
      guard var d = dOut[i] else { continue }
      dOut[i] = nil
      let l = network.layers[i]
      if l.activation == .relu { TrainingOps.reluBackward(&d, outputs[i]) }
      if l.activation == .relu6 { TrainingOps.relu6Backward(&d, outputs[i]) }
      if let z = tape.preActivations[i] { TrainingOps.activationBackward(&d, z, l.activation) }
      let input = l.inputs.isEmpty ? x : outputs[l.inputs[0]]
      let needInput = !l.inputs.isEmpty
      switch l.operation {
      case .conv(let c):
        let dx = convBackward(input, d, images: images, l, c, p.weights[i]!, columns: tape.columns[i],
                              dW: &grads.weights[i]!, dB: &grads.biases[i], needInput: needInput)
        if let dx { TrainingOps.accumulate(dx, into: &dOut[l.inputs[0]]) }
      case .fullyConnected(let f):
        let k = l.inputShape.elements, w = p.weights[i]!
        d.withUnsafeBufferPointer { dp in input.withUnsafeBufferPointer { xp in
          grads.weights[i]!.withUnsafeMutableBufferPointer { gp in
            T.gemm(transA: true, transB: false, m: f, n: k, k: images, alpha: 1, a: dp.baseAddress!, lda: f,
                   b: xp.baseAddress!, ldb: k, beta: 0, c: gp.baseAddress!, ldc: k)
          } } }
        if grads.biases[i] != nil { for n in 0..<images { for o in 0..<f { grads.biases[i]![o] += d[n * f + o] } } }
        if needInput {
          var dx = [T](repeating: 0, count: images * k)
          d.withUnsafeBufferPointer { dp in w.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { xp in
            T.gemm(transA: false, transB: false, m: images, n: k, k: f, alpha: 1, a: dp.baseAddress!, lda: f,
                   b: wp.baseAddress!, ldb: k, beta: 0, c: xp.baseAddress!, ldc: k)
          } } }
          TrainingOps.accumulate(dx, into: &dOut[l.inputs[0]])
        }
      case .pool(let q):
        guard needInput else { continue }
        var dx = [T](repeating: 0, count: images * l.inputShape.elements)
        TrainingOps.poolBackward(input, d, into: &dx, images: images, layer: l, q)
        TrainingOps.accumulate(dx, into: &dOut[l.inputs[0]])
      case .add:
        for j in l.inputs { TrainingOps.accumulate(d, into: &dOut[j]) }
      case .concat:
        let sizes = l.inputs.map { network.layers[$0].outputShape.elements }, total = sizes.reduce(0, +)
        var offset = 0
        for (j, e) in zip(l.inputs, sizes) {
          var part = [T]()
          part.reserveCapacity(images * e)
          for n in 0..<images { part += d[(n * total + offset)..<(n * total + offset + e)] }
          TrainingOps.accumulate(part, into: &dOut[j])
          offset += e
        }
      case .activation, .multiply, .affine, .channelSlice, .channelPad, .channelShuffle:
        let grads = TrainingOps.elementwiseBackward(l, d, l.inputs.map { outputs[$0] }, images: images)
        for (j, g) in zip(l.inputs, grads) { TrainingOps.accumulate(g, into: &dOut[j]) }
      }
    }
    return grads
  }

  /// A convolution's weight and bias gradients; returns its input gradient when `needInput`.
  /// Per group: `dW_g = dR cols^T`, `dcols = W_g^T dR`, with `dR (ocpg x images*pixels)` the
  /// output gradient of the group's channels.
  func convBackward(_ x: [T], _ d: [T], images: Int, _ l: Layer, _ c: Convolution, _ w: [T], columns kept: [[T]]?,
                    dW: inout [T], dB: inout [T]?, needInput: Bool) -> [T]? {
    let outS = l.outputShape, ocpg = c.outChannels / c.groups, k = l.weightRows, cols = images * outS.pixels
    var dx = needInput ? [T](repeating: 0, count: images * l.inputShape.elements) : nil
    var dc = needInput ? TrainingOps.uninitialized(T.self, k * cols) : []
    var dr = TrainingOps.uninitialized(T.self, ocpg * cols)
    for g in 0..<c.groups {
      let columns = kept?[g] ?? TrainingOps.im2col(x, images: images, layer: l, conv: c, group: g)
      TrainingOps.unblocks(d, images: images, pixels: outS.pixels, channels: ocpg, firstChannel: g * ocpg,
                           totalChannels: c.outChannels, into: &dr)
      dr.withUnsafeBufferPointer { rp in
        columns.withUnsafeBufferPointer { cp in dW.withUnsafeMutableBufferPointer { gp in
          T.gemm(transA: false, transB: true, m: ocpg, n: k, k: cols, alpha: 1, a: rp.baseAddress!, lda: cols,
                 b: cp.baseAddress!, ldb: cols, beta: 0, c: gp.baseAddress! + g * ocpg * k, ldc: k)
        } }
        if needInput {
          w.withUnsafeBufferPointer { wp in dc.withUnsafeMutableBufferPointer { xp in
            T.gemm(transA: true, transB: false, m: k, n: cols, k: ocpg, alpha: 1, a: wp.baseAddress! + g * ocpg * k,
                   lda: k, b: rp.baseAddress!, ldb: cols, beta: 0, c: xp.baseAddress!, ldc: cols)
          } }
        }
      }
      if needInput { TrainingOps.col2im(dc, into: &dx!, images: images, layer: l, conv: c, group: g) }
    }
    if dB != nil {
      d.withUnsafeBufferPointer { dp in
        for n in 0..<images {
          for o in 0..<c.outChannels {
            let base = (n * c.outChannels + o) * outS.pixels
            var s: T = 0
            for q in 0..<outS.pixels { s += dp[base + q] }
            dB![o] += s
          }
        }
      }
    }
    return dx
  }
}
