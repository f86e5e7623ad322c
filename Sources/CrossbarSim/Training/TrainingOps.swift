// MARK: - Backward passes of the layer operations (batch-major NCHW, like `TensorOps`)

enum TrainingOps {
  /// Gathers one channel group of an NCHW gradient into a `(images * pixels) x outputs` matrix
  /// (the inverse of `TensorOps.scatter`).
  static func gather<T: TrainScalar>(_ g: [T], images: Int, pixels: Int, outputs: Int, firstChannel: Int,
                                     totalChannels: Int) -> [T] {
    var r = [T](repeating: 0, count: images * pixels * outputs)
    r.withUnsafeMutableBufferPointer { rp in
      g.withUnsafeBufferPointer { gp in
        for n in 0..<images {
          for o in 0..<outputs {
            let src = (n * totalChannels + firstChannel + o) * pixels
            for p in 0..<pixels { rp[(n * pixels + p) * outputs + o] = gp[src + p] }
          }
        }
      }
    }
    return r
  }

  /// Adds im2col patch gradients `(images * outPixels) x (icpg * K_h * K_w)` of channel group `g`
  /// back onto the input gradient (padding positions are dropped).
  static func col2im<T: TrainScalar>(_ dp: [T], into dx: inout [T], images: Int, layer: Layer, conv c: Convolution,
                                     group g: Int) {
    let inS = layer.inputShape, outS = layer.outputShape
    let icpg = inS.channels / c.groups, kh = c.kernelHeight, kw = c.kernelWidth
    let k = icpg * kh * kw, pixels = outS.pixels
    dx.withUnsafeMutableBufferPointer { xp in
      dp.withUnsafeBufferPointer { pp in
        for n in 0..<images {
          let xBase = n * inS.elements
          for oy in 0..<outS.height {
            for ox in 0..<outS.width {
              let row = (n * pixels + oy * outS.width + ox) * k
              for ci in 0..<icpg {
                let ch = xBase + (g * icpg + ci) * inS.pixels
                for ky in 0..<kh {
                  let iy = oy * c.stride - c.padding + ky
                  guard iy >= 0, iy < inS.height else { continue }
                  for kx in 0..<kw {
                    let ix = ox * c.stride - c.padding + kx
                    guard ix >= 0, ix < inS.width else { continue }
                    xp[ch + iy * inS.width + ix] += pp[row + (ci * kh + ky) * kw + kx]
                  }
                }
              }
            }
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

  /// Adds `a` into `b`, allocating `b` on first use.
  static func accumulate<T: TrainScalar>(_ a: [T], into b: inout [T]?) {
    guard b != nil else { b = a; return }
    b!.withUnsafeMutableBufferPointer { bp in
      a.withUnsafeBufferPointer { ap in for i in 0..<ap.count { bp[i] += ap[i] } }
    }
  }
}
