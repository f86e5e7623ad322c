// MARK: - Floating-point reference inference

/// The network in single precision (im2col + `cblas_sgemm`), the reference every other path is
/// compared with. Outputs of every layer are kept (calibration and per-layer errors need them).
public struct FloatInference: Sendable {
  /// The network.
  public let network: Network
  /// Its weights (biases included).
  public let weights: NetworkWeights

  /// Creates the path; weights must match the network.
  public init(network: Network, weights: NetworkWeights) throws {
    try weights.validate(for: network, source: "weights")
    self.network = network; self.weights = weights
  }

  /// Creates the path without checking the weights (already validated by their loader).
  public init(unchecked network: Network, weights: NetworkWeights) { self.network = network; self.weights = weights }

  /// Outputs of every layer for `images` inputs (`images x C x H x W`), post-activation.
  public func run(_ x: [Float], images: Int) -> [[Float]] {
    var outs: [[Float]] = []
    stream(x, images: images, keep: true) { _, y in outs.append(y) }
    return outs
  }

  /// Runs the network, handing each layer's output to `visit` in layer order; with `keep: false`
  /// an output is released once its last reader has run, so only live tensors are held.
  public func stream(_ x: [Float], images: Int, keep: Bool, visit: (Int, [Float]) -> Void) {
    let readers = network.consumers()
    var outs: [[Float]] = []
    outs.reserveCapacity(network.layers.count)
    for (i, l) in network.layers.enumerated() {
      let inputs = l.inputs.isEmpty ? [x] : l.inputs.map { outs[$0] }
      var y = layer(l, weights.layers[i], inputs, images: images)
      l.activation.apply(&y)
      visit(i, y)
      outs.append(y)
      if !keep { for p in Set(l.inputs) where readers[p].max() == i { outs[p] = [] } }
    }
  }

  /// Smallest and largest output of every layer over `images` inputs, `batch` images at a time
  /// holding only live outputs: the calibration of the quantized paths in bounded memory; below the
  /// 100th `percentile`, clipped to that percentile of the layer's magnitudes; with `mse`, clipped
  /// where a format of that many bits errs least (`ActivationClip.mse`).
  public func ranges(_ x: [Float], images: Int, batch: Int, percentile: Double = 100,
                     mse: (bits: Int, powerOfTwo: Bool)? = nil) throws -> [LayerRange] {
    var r = Array(repeating: LayerRange(lo: .infinity, hi: -.infinity), count: network.layers.count)
    let e = network.inputShape.elements
    var overflow: (layer: Int, image: Int, value: Float)?
    for start in stride(from: 0, to: images, by: max(1, batch)) {
      let end = min(images, start + max(1, batch))
      stream(Array(x[(start * e)..<(end * e)]), images: end - start, keep: false) { i, y in
        if overflow == nil, let j = y.firstIndex(where: { !$0.isFinite }) {
          overflow = (i, start + j / max(1, network.layers[i].outputShape.elements), y[j])
        }
        r[i].lo = min(r[i].lo, y.min() ?? 0); r[i].hi = max(r[i].hi, y.max() ?? 0)
      }
      if let o = overflow {
        throw InputError("calibration image \(o.image): layer \(network.layers[o.layer].name) computes \(o.value) in " +
            "float; a number format needs finite values (scale the calibration images down)")
      }
    }
    r = r.map { $0.lo > $0.hi ? LayerRange(lo: 0, hi: 0) : $0 }
    guard percentile < 100 || mse != nil else { return r }
    // A second pass: each layer's magnitudes in 4,096 bins up to its peak; the range is clipped to
    // the bin where `percentile` % of the values lie (a bin's width above the exact percentile at most).
    let bins = 4096
    var counts = [[Int]](repeating: [Int](repeating: 0, count: bins), count: network.layers.count)
    var zeros = [Int](repeating: 0, count: network.layers.count)
    let peaks = r.map { max(-$0.lo, $0.hi) }
    for start in stride(from: 0, to: images, by: max(1, batch)) {
      let end = min(images, start + max(1, batch))
      stream(Array(x[(start * e)..<(end * e)]), images: end - start, keep: false) { i, y in
        guard peaks[i] > 0 else { return }
        let k = Float(bins) / peaks[i]
        for v in y {
          counts[i][min(bins - 1, Int(abs(v) * k))] += 1
          if v == 0 { zeros[i] += 1 }
        }
      }
    }
    for i in r.indices where peaks[i] > 0 {
      let total = counts[i].reduce(0, +), target = Double(total) * percentile / 100
      var seen = 0, bin = bins - 1
      for (b, c) in counts[i].enumerated() { seen += c; if Double(seen) >= target { bin = b; break } }
      var clip = Double(peaks[i]) * Double(bin + 1) / Double(bins)
      if let m = mse, case let qmax = r[i].lo < 0 ? (1 << (m.bits - 1)) - 1 : (1 << m.bits) - 1, qmax >= 1 {
        // Exact zeros (a ReLU's) leave the histogram: every format holds them without error.
        counts[i][0] -= zeros[i]
        clip = ActivationClip(counts: counts[i], binWidth: Double(peaks[i]) / Double(bins))
          .mse(upTo: clip, qmax: qmax, powerOfTwo: m.powerOfTwo)
      }
      r[i] = LayerRange(lo: max(r[i].lo, -Float(clip)), hi: min(r[i].hi, Float(clip)))
    }
    return r
  }

  func layer(_ l: Layer, _ w: LayerWeights?, _ inputs: [[Float]], images: Int) -> [Float] {
    let outS = l.outputShape
    switch l.operation {
    case .conv(let c):
      let w = w!
      var out = [Float](repeating: 0, count: images * outS.elements)
      let ocpg = c.outChannels / c.groups
      for g in 0..<c.groups {
        let p = TensorOps.patches(inputs[0], images: images, layer: l, conv: c, group: g)
        var r = [Float](repeating: 0, count: images * outS.pixels * ocpg)
        p.withUnsafeBufferPointer { pp in
        w.values.withUnsafeBufferPointer { wp in
        r.withUnsafeMutableBufferPointer { rp in
          Functional.gemmTransB(pp.baseAddress!, wp.baseAddress! + g * ocpg * w.inputs, rp.baseAddress!,
                                m: images * outS.pixels, k: w.inputs, n: ocpg, ldb: w.inputs, ldc: ocpg)
        } } }
        TensorOps.scatter(r, into: &out, images: images, pixels: outS.pixels, outputs: ocpg, firstChannel: g * ocpg,
                          totalChannels: c.outChannels)
      }
      if let b = w.bias {
        for n in 0..<images {
          for o in 0..<c.outChannels {
            for q in 0..<outS.pixels { out[(n * c.outChannels + o) * outS.pixels + q] += b[o] }
          }
        }
      }
      return out
    case .fullyConnected(let f):
      let w = w!
      var out = [Float](repeating: 0, count: images * f)
      inputs[0].withUnsafeBufferPointer { xp in
      w.values.withUnsafeBufferPointer { wp in
      out.withUnsafeMutableBufferPointer { op in
        Functional.gemmTransB(xp.baseAddress!, wp.baseAddress!, op.baseAddress!, m: images, k: w.inputs, n: f,
                              ldb: w.inputs, ldc: f)
      } } }
      if let b = w.bias { for n in 0..<images { for o in 0..<f { out[n * f + o] += b[o] } } }
      return out
    case .pool(let p):
      return TensorOps.pool(inputs[0], images: images, layer: l, p, lowest: -.infinity) { $0 / Float($1) }
    case .add:
      return zip(inputs[0], inputs[1]).map { $0 + $1 }
    case .concat:
      return TensorOps.concat(inputs, elements: l.inputs.map { network.layers[$0].outputShape.elements },
                              images: images)
    case .activation:
      return inputs[0]   // `run` applies the layer's activation
    case .multiply:
      return ChannelOps.multiply(inputs[0], inputs[1], images: images, layer: l)
    case .affine(let a):
      var y = inputs[0]
      let px = l.inputShape.pixels, c = l.inputShape.channels
      for n in 0..<images {
        for ch in 0..<c { for k in 0..<px { y[(n * c + ch) * px + k] = y[(n * c + ch) * px + k] * a.scale[ch] +
            a.shift[ch] } }
      }
      return y
    case .channelSlice, .channelPad, .channelShuffle:
      return ChannelOps.move(inputs[0], images: images, layer: l, zero: 0)
    }
  }
}

/// The smallest and largest value a tensor took on calibration images.
public struct LayerRange: Sendable, Equatable {
  /// Smallest value (at most 0).
  public var lo: Float
  /// Largest value (at least 0).
  public var hi: Float
  /// A range.
  public init(lo: Float, hi: Float) { self.lo = lo; self.hi = hi }
}
