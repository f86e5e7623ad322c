import Foundation

// MARK: - Batched bit-accurate execution of one layer's layout, ideal or with device non-idealities

/// One matrix layer laid out on crossbars, programmed once and run on batches of images exactly as
/// its crossbars would: per crossbar and input bit-plane one `cblas_sgemm` over all windows of all
/// images (every weight slice at once), column sums through the ADC (saturating; rounded when the
/// cells are non-ideal), ISAAC's flip encoding, shift-and-add, partial sums across crossbars and
/// the zero-point correction, all in integers.
public struct CrossbarExecutor: Sendable {
  struct Prepared: Sendable {
    var rows: Int, columns: Int
    var model: BitSerialModel
    /// Conductances (level units), rows x columns; and their squares for read noise.
    var cells: [Float], squares: [Float]
    /// 1 where a real weight sits (zero-point correction), rows x columns.
    var mask: [Double]
    var flipped: [Bool]
    /// Input index of (window, row), -1 for padding; output index of (window, column), -1 if outside.
    var source: [Int32], destination: [Int32]
    var signs: [Int]
    var sliceShift: [Int]
    var correctionColumns: [Int]
  }
  let crossbars: [Prepared]
  let windows: Int
  let inputElements: Int, outputElements: Int
  let device: DeviceSpec
  let layerIndex: Int

  /// Programs `layout` (layer `layout.layer` of `network`) with signed integer weights (`Q_W - Z_W`);
  /// the device model's variation and stuck cells are drawn here, once, from its seed.
  public init(layout: LayerLayout, network: Network, weights: IntegerWeights, model: BitSerialModel, device: DeviceSpec = .ideal) {
    let layer = network.layers[layout.layer]
    let inS = layer.inputShape, outS = layer.outputShape
    var isFC = false
    if case .fullyConnected = layer.operation { isFC = true }
    windows = layout.windows; inputElements = inS.elements; outputElements = outS.elements
    self.device = device; layerIndex = layout.layer
    let resolver = CellResolver(layer: layer, stride: layout.stride)
    let full = (1 << model.cellBits) - 1
    let gMin = device.offOnRatio > 0 ? Double(full) * device.offOnRatio / (1 - device.offOnRatio) : 0
    var prepared: [Prepared] = []
    for (xi, xb) in layout.crossbars.enumerated() {
      let R = xb.rows.count, C = xb.columns.count
      let m = model.forRows(R)
      var levels = [Int](repeating: 0, count: R * C)
      var mask = [Double](repeating: 0, count: R * C)
      for (ci, c) in xb.columns.enumerated() {
        for (ri, r) in xb.rows.enumerated() {
          guard let wi = resolver.index(r, c) else { continue }
          let w = weights.values[wi]
          let stored = m.encoding == .offset ? w + m.zeroPoint : (c.sign > 0 ? max(w, 0) : max(-w, 0))
          levels[ri * C + ci] = m.slice(stored, Int(c.slice))
          mask[ri * C + ci] = 1
        }
      }
      // Flip encoding: a column whose cells sum above half of full scale holds `full - q` in every row.
      var flipped = [Bool](repeating: false, count: C)
      if m.flipEncoding {
        for ci in 0..<C {
          var total = 0
          for ri in 0..<R { total += levels[ri * C + ci] }
          guard 2 * total > R * full else { continue }
          flipped[ci] = true
          for ri in 0..<R { levels[ri * C + ci] = full - levels[ri * C + ci] }
        }
      }
      var cells = levels.map { Float($0) }
      if !device.isIdeal {
        var rng = SeededGenerator(seed: Self.seed(device.seed, layout.layer, xi, 0))
        for i in cells.indices {
          var g = gMin + Double(levels[i])
          if device.programmingSigma > 0 {
            let n = rng.gaussian()
            g = device.programmingDistribution == .gaussian ? max(0, g * (1 + device.programmingSigma * n)) : g * exp(device.programmingSigma * n)
          }
          if device.stuckAtLowRate > 0 || device.stuckAtHighRate > 0 {
            let u = rng.uniform()
            if u < device.stuckAtLowRate { g = gMin } else if u < device.stuckAtLowRate + device.stuckAtHighRate { g = gMin + Double(full) }
          }
          cells[i] = Float(g)
        }
      }
      var source = [Int32](repeating: -1, count: windows * R)
      var destination = [Int32](repeating: -1, count: windows * C)
      for w in 0..<windows {
        let oy = (w / layout.windowsX) * layout.windowStepY - layout.padding
        let ox = (w % layout.windowsX) * layout.windowStepX - layout.padding
        for (ri, r) in xb.rows.enumerated() {
          if isFC { source[w * R + ri] = r.channel; continue }
          let y = oy + Int(r.dy), x = ox + Int(r.dx)
          guard y >= 0, y < inS.height, x >= 0, x < inS.width else { continue }
          source[w * R + ri] = Int32((Int(r.channel) * inS.height + y) * inS.width + x)
        }
        for (ci, c) in xb.columns.enumerated() {
          let py = (w / layout.windowsX) * layout.outputsPerWindowY + Int(c.dy)
          let px = (w % layout.windowsX) * layout.outputsPerWindowX + Int(c.dx)
          guard py < outS.height, px < outS.width else { continue }
          destination[w * C + ci] = Int32((Int(c.outChannel) * outS.height + py) * outS.width + px)
        }
      }
      prepared.append(Prepared(rows: R, columns: C, model: m, cells: cells, squares: cells.map { $0 * $0 }, mask: mask,
                               flipped: flipped, source: source, destination: destination,
                               signs: xb.columns.map { Int($0.sign) }, sliceShift: xb.columns.map { Int($0.slice) * m.cellBits },
                               correctionColumns: xb.columns.indices.filter { xb.columns[$0].slice == 0 }))
    }
    crossbars = prepared
  }

  static func seed(_ base: Int, _ layer: Int, _ crossbar: Int, _ stream: Int) -> UInt64 {
    var g = SeededGenerator(seed: UInt64(base) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(layer) << 40 ^ UInt64(crossbar) << 8 ^ UInt64(stream))
    return g.next()
  }

  /// Column sums of `images` inputs (`images x C x H x W` integer codes, unsigned or two's
  /// complement as the model says) as `images x outChannels x outH x outW` integers.
  /// `batch` numbers the call so read noise is reproducible whatever the batching.
  public func run(_ input: [Int], images: Int, batch: Int = 0) -> [Int] {
    var out = [Int](repeating: 0, count: images * outputElements)
    let rowsAll = images * windows
    for (xi, xb) in crossbars.enumerated() {
      let R = xb.rows, C = xb.columns, m = xb.model
      // Cells with one more column of ones: its sum is the number of inputs driven (flip encoding).
      var cells = [Float](repeating: 1, count: R * (C + 1))
      for r in 0..<R { for c in 0..<C { cells[r * (C + 1) + c] = xb.cells[r * C + c] } }
      var x = [Int32](repeating: 0, count: rowsAll * R)
      input.withUnsafeBufferPointer { ip in
        xb.source.withUnsafeBufferPointer { sp in
          x.withUnsafeMutableBufferPointer { xp in
            for n in 0..<images {
              let base = n * inputElements
              for w in 0..<windows {
                let xrow = (n * windows + w) * R
                for ri in 0..<R { let s = Int(sp[w * R + ri]); if s >= 0 { xp[xrow + ri] = Int32(truncatingIfNeeded: ip[base + s]) } }
              }
            }
          }
        }
      }
      var acc = [Int](repeating: 0, count: rowsAll * C)
      var plane = [Float](repeating: 0, count: rowsAll * R)
      var sums = [Float](repeating: 0, count: rowsAll * (C + 1))
      let noisy = device.readNoiseSigma > 0
      var rng = SeededGenerator(seed: Self.seed(device.seed, layerIndex, xi, 1 + batch))
      let full = (1 << m.cellBits) - 1, adcMax = m.adcMax, ideal = device.isIdeal
      let dacMask = Int32((1 << m.dacBits) - 1)
      // value = flipAdd * inputs + flipSign * code: `code` unflipped, `full * inputs - code` flipped.
      let flipAdd = xb.flipped.map { $0 ? full : 0 }, flipSign = xb.flipped.map { $0 ? -1 : 1 }
      for k in 0..<m.cycles {
        let shift = Int32(k * m.dacBits)
        x.withUnsafeBufferPointer { xp in plane.withUnsafeMutableBufferPointer { pp in
          for i in 0..<(rowsAll * R) { pp[i] = Float((xp[i] >> shift) & dacMask) }
        } }
        Functional.gemm(plane, cells, into: &sums, m: rowsAll, k: R, n: C + 1)
        let variance = noisy ? Functional.gemm(plane.map { $0 * $0 }, xb.squares, m: rowsAll, k: R, n: C) : []
        let cycleWeight = m.cycleWeight(k)
        let scale = xb.sliceShift.map { cycleWeight << $0 }
        sums.withUnsafeBufferPointer { sp in acc.withUnsafeMutableBufferPointer { ap in
          scale.withUnsafeBufferPointer { scp in flipAdd.withUnsafeBufferPointer { fap in flipSign.withUnsafeBufferPointer { fsp in
            if ideal {
              for w in 0..<rowsAll {
                let row = w * (C + 1), inputs = Int(sp[row + C]), a = w * C
                for ci in 0..<C {
                  let code = min(Int(sp[row + ci]), adcMax)
                  ap[a + ci] &+= (fap[ci] &* inputs &+ fsp[ci] &* code) &* scp[ci]
                }
              }
              return
            }
            for w in 0..<rowsAll {
              let row = w * (C + 1), inputs = Int(sp[row + C])
              for ci in 0..<C {
                var code: Int
                do {
                  var s = Double(sp[row + ci])
                  if noisy { s += device.readNoiseSigma * Double(variance[w * C + ci]).squareRoot() * rng.gaussian() }
                  code = min(max(Int(s.rounded()), 0), adcMax)
                }
                ap[w * C + ci] &+= (fap[ci] &* inputs &+ fsp[ci] &* code) &* scp[ci]
              }
            }
          } } }
        } }
      }
      // Zero point: subtract Z * (sum of the inputs that meet a real weight) once per weight (slice 0);
      // single precision while the sums stay below 2^24, else double.
      if m.encoding == .offset, !xb.correctionColumns.isEmpty {
        let exact = (1 << m.inputBits) * R < 1 << 24
        let sums = exact ? Functional.gemm(x.map { Float($0) }, xb.mask.map { Float($0) }, m: rowsAll, k: R, n: C).map { Double($0) }
                         : Functional.dgemm(x.map { Double($0) }, xb.mask, m: rowsAll, k: R, n: C)
        for w in 0..<rowsAll { for ci in xb.correctionColumns { acc[w * C + ci] -= m.zeroPoint * Int(sums[w * C + ci]) } }
      }
      acc.withUnsafeBufferPointer { ap in out.withUnsafeMutableBufferPointer { op in xb.destination.withUnsafeBufferPointer { dp in
        for n in 0..<images {
          for w in 0..<windows {
            let row = (n * windows + w) * C
            for ci in 0..<C {
              let d = Int(dp[w * C + ci])
              guard d >= 0 else { continue }
              op[n * outputElements + d] += ap[row + ci] * xb.signs[ci]
            }
          }
        }
      } } }
    }
    return out
  }
}

extension CrossbarExecutor {
  /// The GEMMs `run` needs for `images` images and nothing else (same shapes: per crossbar, one
  /// `(images * windows) x rows` by `rows x columns` product per input cycle): the yardstick of the
  /// functional-inference benchmark.
  public func runGEMMsOnly(images: Int) {
    for xb in crossbars {
      let plane = [Float](repeating: 1, count: images * windows * xb.rows)
      for _ in 0..<xb.model.cycles { _ = Functional.gemm(plane, xb.cells, m: images * windows, k: xb.rows, n: xb.columns) }
    }
  }
}
