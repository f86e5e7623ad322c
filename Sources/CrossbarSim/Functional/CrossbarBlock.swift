// MARK: - One block of window rows through one crossbar, all input cycles

extension CrossbarExecutor {
  /// The working set of one crossbar on up to `blockRows` window rows (row = image * windows +
  /// window): input codes, one bit plane, the GEMM result and the integer accumulators, sized to stay
  /// in the core's cache across all input cycles.
  ///
  /// Per cycle k the block keeps `sum_k cw_k code_k` per column (the ADC codes, weighted by the
  /// cycle's significance `cw_k`), `sum_k cw_k inputs_k` per row (for flip decoding) and the
  /// zero-point input sums per mask; the column's slice significance and flip are applied once, in
  /// `scatter`. The code sums are single precision while they provably stay below 2^24 (then exact),
  /// else they are folded into doubles after every cycle.
  struct Block {
    let xb: Prepared
    var x: [Int32], plane: [Float], sums: [Float]
    var codes: [Float], wideCodes: [Double], inputs: [Double], corrections: [Double]
    let exactInSingle: Bool

    init(_ xb: Prepared, rows: Int) {
      self.xb = xb
      let m = xb.model
      x = [Int32](repeating: 0, count: rows * xb.rows)
      plane = [Float](repeating: 0, count: rows * xb.rows)
      sums = [Float](repeating: 0, count: rows * xb.matrixColumns)
      codes = [Float](repeating: 0, count: rows * xb.columns)
      let span = m.cycles * m.dacBits
      exactInSingle = span < 24 && Double(m.adcMax) * Double((1 << span) - 1) < Double(1 << 24)
      wideCodes = exactInSingle ? [] : [Double](repeating: 0, count: rows * xb.columns)
      inputs = [Double](repeating: 0, count: rows)
      corrections = [Double](repeating: 0, count: rows * xb.patterns)
    }

    /// Input codes of window rows `first ..< first + count`.
    mutating func gather(_ input: [Int], first: Int, count: Int, windows: Int, inputElements: Int) {
      let R = xb.rows
      input.withUnsafeBufferPointer { ip in xb.source.withUnsafeBufferPointer { sp in x.withUnsafeMutableBufferPointer { xp in
        for i in 0..<count {
          let g = first + i, n = g / windows, w = g - n * windows, base = n * inputElements
          for ri in 0..<R { let s = Int(sp[w * R + ri]); xp[i * R + ri] = s >= 0 ? Int32(truncatingIfNeeded: ip[base + s]) : 0 }
        }
      } } }
    }

    /// All input cycles of the block: per cycle one GEMM of the bit plane with `[cells | ones |
    /// masks]`, the ADC (saturating; rounded when the cells are non-ideal) and the weighted sums.
    mutating func accumulate(count: Int, device: DeviceSpec, rng: inout SeededGenerator) {
      let R = xb.rows, C = xb.columns, N = xb.matrixColumns, P = xb.patterns, m = xb.model
      let ideal = device.isIdeal, noisy = device.readNoiseSigma > 0, sigma = Float(device.readNoiseSigma)
      let adcMax = Float(m.adcMax), dacMask = Int32((1 << m.dacBits) - 1)
      for i in 0..<(count * C) { codes[i] = 0 }
      for i in 0..<wideCodes.count { wideCodes[i] = 0 }
      for i in 0..<count { inputs[i] = 0 }
      for i in 0..<(count * P) { corrections[i] = 0 }
      for k in 0..<m.cycles {
        let shift = Int32(k * m.dacBits)
        x.withUnsafeBufferPointer { xp in plane.withUnsafeMutableBufferPointer { pp in
          for i in 0..<(count * R) { pp[i] = Float((xp[i] &>> shift) & dacMask) }
        } }
        Functional.gemm(plane, xb.matrix, into: &sums, m: count, k: R, n: N)
        let variance = noisy ? Functional.gemm(plane.map { $0 * $0 }, xb.squares, m: plane.count / R, k: R, n: C) : []
        let cw = Float(m.cycleWeight(k))
        sums.withUnsafeBufferPointer { sp in codes.withUnsafeMutableBufferPointer { cp in
          for i in 0..<count {
            let row = i * N, a = i * C
            if ideal {
              for ci in 0..<C { cp[a + ci] += cw * min(sp[row + ci], adcMax) }
              continue
            }
            for ci in 0..<C {
              var s = Double(sp[row + ci])
              if noisy { s += Double(sigma * variance[a + ci].squareRoot()) * rng.gaussian() }
              cp[a + ci] += cw * Float(min(max(s.rounded(), 0), Double(adcMax)))
            }
          }
        } }
        if !exactInSingle {
          for i in 0..<(count * C) { wideCodes[i] += Double(codes[i]); codes[i] = 0 }
        }
        let cwD = Double(cw)
        if xb.anyFlipped { for i in 0..<count { inputs[i] += cwD * Double(sums[i * N + C]) } }
        if P > 0 { for i in 0..<count { for p in 0..<P { corrections[i * P + p] += cwD * Double(sums[i * N + C + 1 + p]) } } }
      }
    }

    /// Adds the block's column results (slice significance, flip decoding, zero-point correction
    /// and sign applied) to their output positions.
    func scatter(into out: inout [Int], first: Int, count: Int, windows: Int, outputElements: Int) {
      let C = xb.columns, P = xb.patterns, z = Double(xb.model.zeroPoint), wide = !exactInSingle
      codes.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in xb.destination.withUnsafeBufferPointer { dp in
        for i in 0..<count {
          let g = first + i, n = g / windows, w = g - n * windows
          for ci in 0..<C {
            let d = Int(dp[w * C + ci])
            guard d >= 0 else { continue }
            var code = Double(cp[i * C + ci])
            if wide { code += wideCodes[i * C + ci] }
            var value = xb.perCode[ci] * code + xb.perInput[ci] * inputs[i]
            let p = Int(xb.patternOf[ci])
            if p >= 0 { value -= z * corrections[i * P + p] }
            op[n * outputElements + d] += Int(value) * xb.signs[ci]
          }
        }
      } } }
    }
  }
}
