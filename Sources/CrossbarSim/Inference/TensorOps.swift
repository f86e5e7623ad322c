// MARK: - Layer operations shared by the float and integer inference paths (batch-major NCHW)

enum TensorOps {
  /// im2col patches of one channel group for every image: `(images * outPixels) x (icpg * K_h * K_w)`,
  /// zeros in the padding.
  static func patches<T: BinaryFloatingPoint>(_ x: [T], images: Int, layer: Layer, conv c: Convolution,
                                              group g: Int) -> [T] {
    let inS = layer.inputShape, outS = layer.outputShape
    let icpg = inS.channels / c.groups, kh = c.kernelHeight, kw = c.kernelWidth
    let k = icpg * kh * kw, pixels = outS.pixels
    var p = [T](repeating: 0, count: images * pixels * k)
    p.withUnsafeMutableBufferPointer { pp in
      x.withUnsafeBufferPointer { xp in
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
                    pp[row + (ci * kh + ky) * kw + kx] = xp[ch + iy * inS.width + ix]
                  }
                }
              }
            }
          }
        }
      }
    }
    return p
  }

  /// Max or average pooling (average counts the padding; `divide` finishes a window's sum).
  static func pool<T: Comparable & AdditiveArithmetic>(_ x: [T], images: Int, layer: Layer, _ p: Pooling, lowest: T,
                                                       divide: (T, Int) -> T) -> [T] {
    let inS = layer.inputShape, outS = layer.outputShape
    var out = [T](repeating: .zero, count: images * outS.elements)
    for n in 0..<images {
      for c in 0..<outS.channels {
        let ib = n * inS.elements + c * inS.pixels, ob = n * outS.elements + c * outS.pixels
        for oy in 0..<outS.height {
          for ox in 0..<outS.width {
            var best = lowest, sum = T.zero
            for ky in 0..<p.kernel {
              let iy = oy * p.stride - p.padding + ky
              for kx in 0..<p.kernel {
                let ix = ox * p.stride - p.padding + kx
                let inside = iy >= 0 && iy < inS.height && ix >= 0 && ix < inS.width
                let v = inside ? x[ib + iy * inS.width + ix] : .zero
                if inside || p.kind == .average { best = max(best, v) }
                sum += v
              }
            }
            out[ob + oy * outS.width + ox] = p.kind == .max ? best : divide(sum, p.kernel * p.kernel)
          }
        }
      }
    }
    return out
  }

  /// Channel concatenation, per image, of parts with `channels x pixels` values each.
  static func concat<T>(_ parts: [[T]], elements: [Int], images: Int) -> [T] {
    var out: [T] = []
    out.reserveCapacity(images * elements.reduce(0, +))
    for n in 0..<images { for (p, e) in zip(parts, elements) { out += p[(n * e)..<((n + 1) * e)] } }
    return out
  }

  /// Scatters a `(images * pixels) x outputs` GEMM result of one channel group into NCHW.
  static func scatter<T>(_ r: [T], into out: inout [T], images: Int, pixels: Int, outputs: Int, firstChannel: Int,
                         totalChannels: Int) {
    for n in 0..<images {
      for p in 0..<pixels {
        let row = (n * pixels + p) * outputs
        for o in 0..<outputs { out[(n * totalChannels + firstChannel + o) * pixels + p] = r[row + o] }
      }
    }
  }
}
