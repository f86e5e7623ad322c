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
    /// Empty (the conductances are the first columns of `matrix`); kept for the struct's shape.
    var cells: [Float]
    /// Squared conductances, rows x columns, for read noise (empty without it).
    var squares: [Float]
    /// `[cells | ones | masks]`, rows x matrixColumns: the conductances, a column of ones (its sum
    /// counts the inputs driven, for flip decoding) and, with offset encoding, one column per distinct
    /// set of rows that hold a real weight (its sum is the input sum the zero point multiplies).
    /// The extra columns are digital bookkeeping: exact whatever the device.
    var matrix: [Float]
    /// The same matrix in one byte a value when every value is a whole number in 0...255 (ideal cells:
    /// levels, ones and masks), `matrix` then empty: a quarter of the memory, widened per block.
    var compact: [UInt8] = []
    var matrixColumns: Int, patterns: Int
    /// The GEMM matrix in single precision.
    var floatMatrix: [Float] { compact.isEmpty ? matrix : compact.map { Float($0) } }
    /// Mask column of each column (0 for columns without a correction: their `perCorrection` is 0).
    var patternOf: [Int32]
    var flipped: [Bool]
    /// Input index of (window, row), -1 for padding; output index of (window, column), -1 if outside.
    var source: [Int32], destination: [Int32]
    /// A column's signed result is `perCode * sum_k cw_k code_k + perInput * sum_k cw_k inputs_k -
    /// perCorrection * (masked input sum)`: the slice significance times the column's sign, negated for
    /// flipped columns; `full` times it for flipped ones (else 0); `Z` times the sign on slice-0 columns
    /// of offset-encoded weights (else 0).
    var perCode: [Double], perInput: [Double], perCorrection: [Double]
    var anyFlipped: Bool
    /// Whether no column sum can exceed the ADC's range (ideal cells: the largest column of levels
    /// times the largest DAC level), so that saturation cannot act and the cycles may accumulate
    /// in the GEMM itself; and the largest sum any column of `matrix` can reach in one cycle.
    var unclipped: Bool, largestCycleSum: Int
  }
  let crossbars: [Prepared]
  let windows: Int
  let inputElements: Int, outputElements: Int
  let device: DeviceSpec
  let layerIndex: Int

  /// Programs `layout` (layer `layout.layer` of `network`) with signed integer weights (`Q_W - Z_W`);
  /// the device model's variation and stuck cells are drawn here, once, from its seed.
  public init(layout: LayerLayout, network: Network, weights: IntegerWeights, model: BitSerialModel,
              device: DeviceSpec = .ideal) {
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
    var sources: [[RowSource]: [Int32]] = [:], destinations: [[[Int32]]: [Int32]] = [:]
    let windowCount = layout.windows
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
      let dacMax = (1 << m.dacBits) - 1
      let largestColumn = (0..<C).map { ci in (0..<R).reduce(0) { $0 + levels[$1 * C + ci] } }.max() ?? 0
      var cells = levels.map { Float($0) }
      if !device.isIdeal {
        var rng = SeededGenerator(seed: Self.seed(device.seed, layout.layer, xi, 0))
        for i in cells.indices {
          var g = gMin + Double(levels[i])
          if device.programmingSigma > 0 {
            let n = rng.gaussian()
            g = device.programmingDistribution == .gaussian ? max(0, g * (1 + device.programmingSigma * n))
              : g * exp(device.programmingSigma * n)
          }
          if device.stuckAtLowRate > 0 || device.stuckAtHighRate > 0 {
            let u = rng.uniform()
            if u < device.stuckAtLowRate {
              g = gMin
            } else if u < device.stuckAtLowRate + device.stuckAtHighRate {
              g = gMin + Double(full)
            }
          }
          cells[i] = Float(g)
        }
      }
      // Window maps depend only on the rows (columns) a crossbar holds: crossbars that share them
      // (the column blocks of a row block, the row blocks of a column block) share one array.
      let source = sources[xb.rows] ?? {
        var map = [Int32](repeating: -1, count: windowCount * R)
        for w in 0..<windowCount {
          let oy = (w / layout.windowsX) * layout.windowStepY - layout.padding
          let ox = (w % layout.windowsX) * layout.windowStepX - layout.padding
          for (ri, r) in xb.rows.enumerated() {
            if isFC { map[w * R + ri] = r.channel; continue }
            let y = oy + Int(r.dy), x = ox + Int(r.dx)
            guard y >= 0, y < inS.height, x >= 0, x < inS.width else { continue }
            map[w * R + ri] = Int32((Int(r.channel) * inS.height + y) * inS.width + x)
          }
        }
        return map
      }()
      sources[xb.rows] = source
      let sinks = xb.columns.map { [$0.outChannel, Int32($0.dy), Int32($0.dx)] }
      let destination = destinations[sinks] ?? {
        var map = [Int32](repeating: -1, count: windowCount * C)
        for w in 0..<windowCount {
          for (ci, c) in xb.columns.enumerated() {
            let py = (w / layout.windowsX) * layout.outputsPerWindowY + Int(c.dy)
            let px = (w % layout.windowsX) * layout.outputsPerWindowX + Int(c.dx)
            guard py < outS.height, px < outS.width else { continue }
            map[w * C + ci] = Int32((Int(c.outChannel) * outS.height + py) * outS.width + px)
          }
        }
        return map
      }()
      destinations[sinks] = destination
      let correctionColumns = m.encoding == .offset ? xb.columns.indices.filter { xb.columns[$0].slice == 0 } : []
      var patternIndex: [[Double]: Int32] = [:], patternOf = [Int32](repeating: -1, count: C), masks: [[Double]] = []
      for ci in correctionColumns {
        let column = (0..<R).map { mask[$0 * C + ci] }
        if let p = patternIndex[column] { patternOf[ci] = p; continue }
        patternIndex[column] = Int32(masks.count); patternOf[ci] = Int32(masks.count); masks.append(column)
      }
      let N = C + 1 + masks.count
      var matrix = [Float](repeating: 1, count: R * N)
      for r in 0..<R {
        for c in 0..<C { matrix[r * N + c] = cells[r * C + c] }
        for (p, column) in masks.enumerated() { matrix[r * N + C + 1 + p] = Float(column[r]) }
      }
      // Per column: its slice's significance and sign, times the flip decoding or the zero point.
      func significance(_ c: Int, _ factor: Int) -> Double {
        Double(Int(xb.columns[c].sign) * factor << (Int(xb.columns[c].slice) * m.cellBits))
      }
      var compact: [UInt8] = []
      if matrix.allSatisfy({ $0 >= 0 && $0 <= 255 && $0.rounded() == $0 }) {
        compact = matrix.map { UInt8($0) }
        matrix = []
      }
      // The conductances live in `matrix`; their squares only where read noise needs them.
      prepared.append(Prepared(rows: R, columns: C, model: m, cells: [],
                               squares: device.readNoiseSigma > 0 ? cells.map { $0 * $0 } : [],
                               matrix: matrix, compact: compact, matrixColumns: N, patterns: masks.count,
                               patternOf: patternOf.map { max($0, 0) }, flipped: flipped, source: source,
                               destination: destination,
                               perCode: xb.columns.indices.map { significance($0, flipped[$0] ? -1 : 1) },
                               perInput: xb.columns.indices.map { significance($0, flipped[$0] ? full : 0) },
                               perCorrection: xb.columns.indices.map {
                                 patternOf[$0] >= 0 ? Double(Int(xb.columns[$0].sign) * m.zeroPoint) : 0
                               },
                               anyFlipped: flipped.contains(true), unclipped: largestColumn * dacMax <= m.adcMax,
                               largestCycleSum: max(largestColumn, R) * dacMax))
    }
    crossbars = prepared
  }

  static func seed(_ base: Int, _ layer: Int, _ crossbar: Int, _ stream: Int) -> UInt64 {
    var g = SeededGenerator(seed: UInt64(base) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(layer) << 40 ^ UInt64(crossbar) << 8
                              ^ UInt64(stream))
    return g.next()
  }

  /// Rows of the window matrix processed together: the block's planes, sums and accumulators stay
  /// in the core's cache across all input cycles.
  static let blockRows = 256

  /// Column sums of `images` inputs (`images x C x H x W` integer codes, unsigned or two's
  /// complement as the model says) as `images x outChannels x outH x outW` integers.
  /// `batch` numbers the call so read noise is reproducible whatever the batching.
  public func run(_ input: [Int], images: Int, batch: Int = 0) -> [Int] {
    var out = [Double](repeating: 0, count: images * outputElements)
    let rowsAll = images * windows
    for (xi, xb) in crossbars.enumerated() {
      var rng = SeededGenerator(seed: Self.seed(device.seed, layerIndex, xi, 1 + batch))
      var block = Block(xb, rows: min(Self.blockRows, rowsAll))
      for start in stride(from: 0, to: rowsAll, by: Self.blockRows) {
        let count = min(Self.blockRows, rowsAll - start)
        block.gather(input, first: start, count: count, windows: windows, inputElements: inputElements)
        block.accumulate(count: count, device: device, rng: &rng)
        block.scatter(into: &out, first: start, count: count, windows: windows, outputElements: outputElements)
      }
    }
    return out.map { Int(clampedCode: $0) }   // exact below 2^53, saturated past it
  }
}

extension CrossbarExecutor {
  /// The GEMMs `run` needs for `images` images and nothing else (same shapes: per crossbar, one
  /// `(images * windows) x rows` by `rows x columns` product per input cycle): the yardstick of the
  /// functional-inference benchmark.
  public func runGEMMsOnly(images: Int) {
    for xb in crossbars {
      let plane = [Float](repeating: 1, count: images * windows * xb.rows)
      for _ in 0..<xb.model.cycles {
        _ = Functional.gemm(plane, xb.floatMatrix, m: images * windows, k: xb.rows, n: xb.matrixColumns)
      }
    }
  }
}
