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
    /// Whether the code sums are the first columns of `sums` (saturation-free crossbars).
    var codesInSums = false

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
      input.withUnsafeBufferPointer { ip in
      xb.source.withUnsafeBufferPointer { sp in
      x.withUnsafeMutableBufferPointer { xp in
        for i in 0..<count {
          let g = first &+ i, n = g / windows, w = g &- n &* windows
          let src = ip.baseAddress! + n &* inputElements
          let rows = sp.baseAddress! + w &* R, dst = xp.baseAddress! + i &* R
          for ri in 0..<R { let s = Int(rows[ri]); dst[ri] = s >= 0 ? Int32(truncatingIfNeeded: src[s]) : 0 }
        }
      } } }
    }

    /// All input cycles of the block: per cycle one GEMM of the bit plane with `[cells | ones |
    /// masks]`, the ADC (saturating; rounded when the cells are non-ideal) and the weighted sums.
    mutating func accumulate(count: Int, device: DeviceSpec, rng: inout SeededGenerator) {
      let R = xb.rows, C = xb.columns, N = xb.matrixColumns, P = xb.patterns, m = xb.model
      let ideal = device.isIdeal, noisy = device.readNoiseSigma > 0, sigma = Float(device.readNoiseSigma)
      let adcMax = Float(m.adcMax), dacMask = Int32((1 << m.dacBits) - 1)
      if ideal && xb.unclipped && accumulatesInGEMM {
        accumulateUnclipped(count: count)
        return
      }
      codesInSums = false
      for i in 0..<(count * C) { codes[i] = 0 }
      for i in 0..<wideCodes.count { wideCodes[i] = 0 }
      for i in 0..<count { inputs[i] = 0 }
      for i in 0..<(count * P) { corrections[i] = 0 }
      let matrix = xb.floatMatrix
      for k in 0..<m.cycles {
        let shift = Int32(k * m.dacBits)
        x.withUnsafeBufferPointer { xp in plane.withUnsafeMutableBufferPointer { pp in
          let xs = xp.baseAddress!, ps = pp.baseAddress!
          for i in 0..<(count &* R) { ps[i] = Float((xs[i] &>> shift) & dacMask) }
        } }
        Functional.gemm(plane, matrix, into: &sums, m: count, k: R, n: N)
        let variance = noisy ? Functional.gemm(plane.map { $0 * $0 }, xb.squares, m: plane.count / R, k: R, n: C) : []
        let cw = Float(m.cycleWeight(k))
        sums.withUnsafeBufferPointer { sp in codes.withUnsafeMutableBufferPointer { cp in
          for i in 0..<count {
            let src = sp.baseAddress! + i &* N, dst = cp.baseAddress! + i &* C
            if ideal {
              for ci in 0..<C { dst[ci] += cw * min(src[ci], adcMax) }
              continue
            }
            for ci in 0..<C {
              var s = Double(src[ci])
              if noisy { s += Double(sigma * variance[i * C + ci].squareRoot()) * rng.gaussian() }
              dst[ci] += cw * Float(min(max(s.rounded(), 0), Double(adcMax)))
            }
          }
        } }
        if !exactInSingle {
          for i in 0..<(count * C) { wideCodes[i] += Double(codes[i]); codes[i] = 0 }
        }
        let cwD = Double(cw)
        sums.withUnsafeBufferPointer { sp in
        inputs.withUnsafeMutableBufferPointer { ip in
        corrections.withUnsafeMutableBufferPointer { rp in
          for i in 0..<count {
            let src = sp.baseAddress! + (i &* N &+ C)
            if xb.anyFlipped { ip[i] += cwD * Double(src[0]) }
            for p in 0..<P { rp[i &* P &+ p] += cwD * Double(src[1 &+ p]) }
          }
        } } }
      }
    }

    /// Whether the whole cycle sum of every `matrix` column stays below 2^24 (single precision
    /// exact): `sum_k |cw_k|` times the largest sum of one cycle.
    var accumulatesInGEMM: Bool {
      let m = xb.model, span = m.cycles * m.dacBits
      return span < 24 && Double(xb.largestCycleSum) * Double((1 << span) - 1) < Double(1 << 24)
    }

    /// The cycles of a crossbar whose ADC cannot saturate: with the conversion the identity, the
    /// shift-and-add over cycles is linear, so each cycle's GEMM adds `cw_k * plane_k` times the
    /// cells straight into the sums (beta = 1), exact in single precision (`accumulatesInGEMM`).
    /// Codes, input counts and mask sums then come out of the one result.
    mutating func accumulateUnclipped(count: Int) {
      let R = xb.rows, C = xb.columns, N = xb.matrixColumns, P = xb.patterns, m = xb.model
      let dacMask = Int32((1 << m.dacBits) - 1)
      let matrix = xb.floatMatrix
      for k in 0..<m.cycles {
        let shift = Int32(k * m.dacBits), cw = Float(m.cycleWeight(k))
        x.withUnsafeBufferPointer { xp in plane.withUnsafeMutableBufferPointer { pp in
          let xs = xp.baseAddress!, ps = pp.baseAddress!
          for i in 0..<(count &* R) { ps[i] = cw * Float((xs[i] &>> shift) & dacMask) }
        } }
        Functional.gemm(plane, matrix, into: &sums, m: count, k: R, n: N, accumulate: k > 0)
      }
      for i in 0..<count {
        inputs[i] = Double(sums[i &* N &+ C])
        for p in 0..<P { corrections[i &* P &+ p] = Double(sums[i &* N &+ C &+ 1 &+ p]) }
      }
      for i in 0..<wideCodes.count { wideCodes[i] = 0 }
      codesInSums = true
    }

    /// Adds the block's column results (slice significance, flip decoding, zero-point correction
    /// and sign applied) to their output positions, in doubles (exact below 2^53).
    func scatter(into out: inout [Double], first: Int, count: Int, windows: Int, outputElements: Int) {
      let C = xb.columns, P = xb.patterns, wide = !exactInSingle
      let stride = codesInSums ? xb.matrixColumns : C
      (codesInSums ? sums : codes).withUnsafeBufferPointer { cp in
      out.withUnsafeMutableBufferPointer { op in
      xb.destination.withUnsafeBufferPointer { dp in
        xb.perCode.withUnsafeBufferPointer { pc in
        xb.perInput.withUnsafeBufferPointer { pi in
        xb.perCorrection.withUnsafeBufferPointer { pz in
          xb.patternOf.withUnsafeBufferPointer { pp in
            for i in 0..<count {
              let g = first &+ i, n = g / windows, w = g &- n &* windows
              let dst = op.baseAddress! + n &* outputElements
              let cols = dp.baseAddress! + w &* C, code = cp.baseAddress! + i &* stride
              let flipInputs = inputs[i]
              // Neighbouring columns (the slices of one weight) share an output: sum them in a
              // register and store once.
              var last = -1, pending = 0.0
              for ci in 0..<C {
                let d = Int(cols[ci])
                guard d >= 0 else { continue }
                let level = wide ? Double(code[ci]) + wideCodes[i &* C &+ ci] : Double(code[ci])
                var value = pc[ci] * level + pi[ci] * flipInputs
                if P > 0 { value -= pz[ci] * corrections[i &* P &+ Int(pp[ci])] }
                if d == last { pending += value; continue }
                if last >= 0 { dst[last] += pending }
                last = d; pending = value
              }
              if last >= 0 { dst[last] += pending }
            }
          }
        } } }
      } } }
    }
  }
}
