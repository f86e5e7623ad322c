// MARK: - Backward passes of the layer operations (batch-major NCHW, like `TensorOps`)

enum TrainingOps {
  /// Copies a group's product `R (channels x images*pixels)` into NCHW channels
  /// `firstChannel...`, adding the bias.
  static func blocks<T: TrainScalar>(_ r: [T], images: Int, pixels: Int, channels: Int, firstChannel: Int,
                                     totalChannels: Int, into out: inout [T], bias: [T]?) {
    out.withUnsafeMutableBufferPointer { op in
      r.withUnsafeBufferPointer { rp in
        for o in 0..<channels {
          let b = bias?[firstChannel + o] ?? 0
          for n in 0..<images {
            let dst = (n * totalChannels + firstChannel + o) * pixels, src = (o * images + n) * pixels
            for p in 0..<pixels { op[dst + p] = rp[src + p] + b }
          }
        }
      }
    }
  }

  /// The inverse of `blocks`: NCHW channels `firstChannel...` of `d` as `channels x images*pixels`.
  static func unblocks<T: TrainScalar>(_ d: [T], images: Int, pixels: Int, channels: Int, firstChannel: Int,
                                       totalChannels: Int, into r: inout [T]) {
    r.withUnsafeMutableBufferPointer { rp in
      d.withUnsafeBufferPointer { dp in
        for o in 0..<channels {
          for n in 0..<images {
            let src = (n * totalChannels + firstChannel + o) * pixels, dst = (o * images + n) * pixels
            for p in 0..<pixels { rp[dst + p] = dp[src + p] }
          }
        }
      }
    }
  }

  /// Columns of one channel group, Caffe's layout: row `(ci * K_h + ky) * K_w + kx`, column
  /// `image * outPixels + pixel`, zeros in the padding. Both the reads (along a row of the input)
  /// and the writes run contiguously, and the valid range of each run is found once, not per value.
  static func im2col<T: TrainScalar>(_ x: [T], images: Int, layer: Layer, conv c: Convolution, group g: Int) -> [T] {
    let inS = layer.inputShape, outS = layer.outputShape
    let icpg = inS.channels / c.groups, kh = c.kernelHeight, kw = c.kernelWidth
    let columns = images * outS.pixels
    var cols = [T](repeating: 0, count: icpg * kh * kw * columns)
    cols.withUnsafeMutableBufferPointer { cp in
      x.withUnsafeBufferPointer { xp in
        walk(layer, c) { ci, ky, kx, oy, iy, lo, hi, firstX in
          let row = ((ci * kh + ky) * kw + kx) * columns
          for n in 0..<images {
            let src = n * inS.elements + (g * icpg + ci) * inS.pixels + iy * inS.width + firstX
            let dst = row + n * outS.pixels + oy * outS.width
            for ox in lo..<hi { cp[dst + ox] = xp[src + ox * c.stride] }
          }
        }
      }
    }
    return cols
  }

  /// Adds column gradients (`im2col`'s layout) of channel group `g` back onto the input gradient.
  static func col2im<T: TrainScalar>(_ dc: [T], into dx: inout [T], images: Int, layer: Layer, conv c: Convolution,
                                     group g: Int) {
    let inS = layer.inputShape, outS = layer.outputShape
    let icpg = inS.channels / c.groups, kh = c.kernelHeight, kw = c.kernelWidth
    let columns = images * outS.pixels
    dx.withUnsafeMutableBufferPointer { xp in
      dc.withUnsafeBufferPointer { cp in
        walk(layer, c) { ci, ky, kx, oy, iy, lo, hi, firstX in
          let row = ((ci * kh + ky) * kw + kx) * columns
          for n in 0..<images {
            let dst = n * inS.elements + (g * icpg + ci) * inS.pixels + iy * inS.width + firstX
            let src = row + n * outS.pixels + oy * outS.width
            for ox in lo..<hi { xp[dst + ox * c.stride] += cp[src + ox] }
          }
        }
      }
    }
  }

  /// Calls `body(ci, ky, kx, oy, iy, lo, hi, firstX)` for every kernel position and output row whose
  /// input row `iy` lies inside the map: outputs `lo..<hi` of the row read inputs
  /// `firstX + ox * stride` (the rest read padding).
  @inline(__always)
  static func walk(_ layer: Layer, _ c: Convolution,
                   _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
    let inS = layer.inputShape, outS = layer.outputShape
    let icpg = inS.channels / c.groups, s = c.stride, pad = c.padding
    for ci in 0..<icpg {
      for ky in 0..<c.kernelHeight {
        for kx in 0..<c.kernelWidth {
          // ox * s - pad + kx in 0..<width
          let lo = max(0, (pad - kx + s - 1) / s)
          let last = inS.width - 1 + pad - kx
          let hi = last < 0 ? 0 : min(outS.width, last / s + 1)
          guard lo < hi else { continue }
          for oy in 0..<outS.height {
            let iy = oy * s - pad + ky
            guard iy >= 0, iy < inS.height else { continue }
            body(ci, ky, kx, oy, iy, lo, hi, kx - pad)
          }
        }
      }
    }
  }

  /// Pooling's input gradient: a max window passes its gradient to its first largest input (padding
  /// never wins), an average window spreads it over its `kernel^2` positions (padding included, as
  /// the forward pass divides by them).
  static func poolBackward<T: TrainScalar>(_ x: [T], _ dy: [T], into dx: inout [T], images: Int, layer: Layer,
                                           _ p: Pooling) {
    let inS = layer.inputShape, outS = layer.outputShape
    let area = T(p.kernel * p.kernel)
    for n in 0..<images {
      for c in 0..<outS.channels {
        let ib = n * inS.elements + c * inS.pixels, ob = n * outS.elements + c * outS.pixels
        for oy in 0..<outS.height {
          for ox in 0..<outS.width {
            let d = dy[ob + oy * outS.width + ox]
            var best = -T.infinity, at = -1
            for ky in 0..<p.kernel {
              let iy = oy * p.stride - p.padding + ky
              guard iy >= 0, iy < inS.height else { continue }
              for kx in 0..<p.kernel {
                let ix = ox * p.stride - p.padding + kx
                guard ix >= 0, ix < inS.width else { continue }
                let i = ib + iy * inS.width + ix
                if p.kind == .average { dx[i] += d / area } else if x[i] > best { best = x[i]; at = i }
              }
            }
            if p.kind == .max, at >= 0 { dx[at] += d }
          }
        }
      }
    }
  }

  /// An array of `count` values every one of which the caller writes before reading (GEMM outputs
  /// with beta 0): no zeroing pass.
  @inline(__always)
  static func uninitialized<T: TrainScalar>(_: T.Type, _ count: Int) -> [T] {
    [T](unsafeUninitializedCapacity: count) { _, n in n = count }
  }

  /// `max(0, y)` in place.
  static func relu<T: TrainScalar>(_ y: inout [T]) {
    y.withUnsafeMutableBufferPointer { p in for j in p.indices where p[j] < 0 { p[j] = 0 } }
  }

  /// Zeroes the gradient where the ReLU's output `y` is not positive.
  static func reluBackward<T: TrainScalar>(_ d: inout [T], _ y: [T]) {
    d.withUnsafeMutableBufferPointer { dp in
      y.withUnsafeBufferPointer { yp in for j in dp.indices where yp[j] <= 0 { dp[j] = 0 } }
    }
  }

  /// ReLU6 in place: `min(max(0, y), 6)`.
  static func relu6<T: TrainScalar>(_ y: inout [T]) {
    y.withUnsafeMutableBufferPointer { p in for j in p.indices { p[j] = min(max(p[j], 0), 6) } }
  }

  /// Zeroes the gradient where the ReLU6's output `y` is clamped (at 0 or at 6).
  static func relu6Backward<T: TrainScalar>(_ d: inout [T], _ y: [T]) {
    d.withUnsafeMutableBufferPointer { dp in
      y.withUnsafeBufferPointer { yp in for j in dp.indices where yp[j] <= 0 || yp[j] >= 6 { dp[j] = 0 } }
    }
  }

  /// Adds `a` into `b`, allocating `b` on first use.
  static func accumulate<T: TrainScalar>(_ a: [T], into b: inout [T]?) {
    guard b != nil else { b = a; return }
    b!.withUnsafeMutableBufferPointer { bp in
      a.withUnsafeBufferPointer { ap in for i in 0..<ap.count { bp[i] += ap[i] } }
    }
  }
}
