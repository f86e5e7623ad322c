import Foundation

// MARK: - Integer-only inference: calibrated activation formats, requantization, exact or crossbar products

/// The number format of one tensor: `value = scale * code`, codes in `range`.
public struct TensorFormat: Sendable, Equatable {
  /// `log2(scale)` for power-of-two scales.
  public var exponent: Int?
  /// Scale.
  public var scale: Double
  /// Codes the tensor may hold.
  public var range: ClosedRange<Int>
  /// Whether codes can be negative (two's complement on the crossbar inputs).
  public var isSigned: Bool { range.lowerBound < 0 }

  /// The format covering `[lo, hi]` with `bits` bits (signed when `lo < 0`); an error naming
  /// `tensor` when the range is not finite or a signed format would have no positive code (1 bit).
  static func covering(lo: Float, hi: Float, bits: Int, powerOfTwo: Bool, tensor: @autoclosure () -> String) throws
    -> TensorFormat {
    let signed = lo < 0
    guard lo.isFinite, hi.isFinite else {
      throw InputError("calibration: \(tensor()) reaches [\(lo), \(hi)] in float; a number format needs a finite " +
          "range (the calibration images overflow the float model)")
    }
    guard !signed || bits >= 2 else {
      throw InputError("data.inputBits is \(bits): \(tensor()) holds negative values (down to \(lo)), and a signed " +
          "format of 1 bit has no positive code; give at least 2 bits")
    }
    let qmax = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
    let peak = Double(max(abs(lo), abs(hi)))
    var scale = peak > 0 ? peak / Double(qmax) : 1
    var exponent: Int?
    if powerOfTwo { let e = Int(log2(scale).rounded(.up)); exponent = e; scale = pow(2, Double(e)) }
    return TensorFormat(exponent: exponent, scale: scale, range: (signed ? -qmax - 1 : 0)...qmax)
  }
}

/// Rounds `v / 2^s` to nearest (ties up) for `s > 0`, or multiplies by `2^-s`: an integer shift.
/// A left shift past 2^53 saturates there (as `Int(clampedCode:)` does), never wrapping.
@inline(__always) func roundShift(_ v: Int, _ s: Int) -> Int {
  if s > 0 { return s >= 62 ? 0 : (v + (1 << (s - 1))) >> s }   // |v| <= 2^53 rounds to 0 past 62
  let m = -s, limit = 1 << 53
  guard m > 0 else { return v }
  if m >= 53 { return v == 0 ? 0 : (v < 0 ? -limit : limit) }
  let bound = limit >> m
  return v > bound ? limit : v < -bound ? -limit : v << m
}

/// A compressed network run on integers: inputs and every activation quantized to `bits` with
/// formats calibrated on sample images, weights as the compressors left them (or quantized here at
/// the chip's precision), and after each matrix layer the requantization [XA] writes
/// `Q_X1 = 2^(a1+a2-b1) Q_X (Q_W - Z_W) + 2^(a3-b1) (Q_B - Z_B)` with the bias at the accumulator
/// scale (`a3 = a1 + a2`, `Z_B = 0`): a rounding shift with power-of-two scales, one multiply per
/// output with floating-point ones (`quant-fp`). Products are exact or go through the crossbars.
public struct IntegerInference: Sendable {
  /// How matrix products are computed.
  public enum Products: Sendable {
    /// Exact integer dot products (the quantized reference).
    case exact
    /// Through each layer's layout: bit-sliced cells, bit-serial inputs, the ADC, the device model.
    case crossbar(NetworkLayout, ArchSpec)
  }
  let network: Network
  let bits: Int
  let inputFormat: TensorFormat
  let formats: [TensorFormat]
  /// Integer weights `Q_W - Z_W` of the exact path's matrix layers (nil on the crossbar path, whose
  /// executors hold the programmed cells instead), widened to doubles block by block for its GEMMs.
  let weights: [[Int32]?]
  /// Scale of each output channel's weights, per matrix layer (empty for other layers).
  let weightScales: [[Double]]
  let biases: [[Int]?]
  let executors: [CrossbarExecutor?]
  let sinks: Set<Int>
  /// The last layer that reads each layer's output (itself when none does).
  let lastReader: [Int]

  /// Calibrates formats from `calibration` (float outputs of `model`'s own network per layer, and
  /// the input images) and prepares the products.
  public init(model: CompressedModel, spec: ArchSpec, calibrationInput: [Float], calibration: [[Float]],
              products: Products) throws {
    func range(_ v: [Float]) -> LayerRange { LayerRange(lo: v.min() ?? 0, hi: v.max() ?? 0) }
    try self.init(model: model, spec: spec, inputRange: range(calibrationInput), ranges: calibration.map(range),
                  products: products)
  }

  /// The same from each layer's calibrated output range (`FloatInference.ranges`) and the input's.
  public init(model: CompressedModel, spec: ArchSpec, inputRange: LayerRange, ranges: [LayerRange],
              products: Products) throws {
    let net = model.network
    network = net
    bits = spec.data.inputBits
    let powerOfTwo = Self.powerOfTwoScales(model: model, spec: spec)
    let calibration = ranges
    func range(_ r: LayerRange) -> (Float, Float) { (r.lo, r.hi) }
    let (ilo, ihi) = range(inputRange)
    inputFormat = try .covering(lo: ilo, hi: ihi, bits: bits, powerOfTwo: powerOfTwo, tensor: "the network input")
    sinks = Set(net.consumers().enumerated().filter { $0.element.isEmpty }.map(\.offset))
    lastReader = net.consumers().enumerated().map { $0.element.max() ?? $0.offset }
    var formats: [TensorFormat] = [], weights: [[Int32]?] = [], scales: [[Double]] = [], biases: [[Int]?] = []
    var executors: [CrossbarExecutor?] = []
    for (i, l) in net.layers.enumerated() {
      let inFormat = l.inputs.first.map { formats[$0] } ?? inputFormat
      switch l.operation {
      // Max-pools and channel moves keep their input's codes; an average gets its own format (a
      // global average is far below its input's peak, and the input's scale would leave it few codes).
      case .pool(let p) where p.kind == .max: formats.append(inFormat)
      case .channelSlice, .channelPad, .channelShuffle: formats.append(inFormat)
      default:
        let (lo, hi) = range(calibration[i])
        formats.append(try .covering(lo: lo, hi: hi, bits: bits, powerOfTwo: powerOfTwo,
                                     tensor: "layer \(l.name)'s output"))
      }
      guard l.operation.isMatrix, let w = model.weights.layers[i] else {
        weights.append(nil); scales.append([]); biases.append(nil); executors.append(nil); continue
      }
      let iw: IntegerWeights, zeroPoint: Int
      if let q = model.layers[i].quantized {
        (iw, zeroPoint) = (IntegerWeights(q.signed(w.values)), q.zeroPoint)
        scales.append(Array(repeating: q.scale, count: w.outputs))
      } else if spec.data.weightScales == .channel {
        let c = ChannelQuantization(w, bits: spec.data.weightBits, powerOfTwo: powerOfTwo)
        (iw, zeroPoint) = (IntegerWeights(c.levels), 1 << (spec.data.weightBits - 1))
        scales.append(c.scales)
      } else {
        let (q, values) = QuantizedWeights.quantized(w.values, bits: spec.data.weightBits, powerOfTwo: powerOfTwo)
        (iw, zeroPoint) = (IntegerWeights(q.signed(values)), q.zeroPoint)
        scales.append(Array(repeating: q.scale, count: w.outputs))
      }
      let ws = scales[scales.count - 1]
      biases.append(w.bias.map { b in b.indices.map { Int(clampedCode: Double(b[$0]) / (inFormat.scale * ws[$0])) } })
      guard case .crossbar(let layout, let arch) = products else {
        weights.append(iw.values.map { Int32(clamping: $0) }); executors.append(nil); continue
      }
      weights.append(nil)
      guard let lay = layout.layouts[i] else { throw InputError("layer \(l.name): no layout") }
      var m = BitSerialModel(arch)
      m.customZeroPoint = zeroPoint
      if inFormat.isSigned {
        guard arch.ima.dac.bits == 1 else {
          throw InputError("layer \(l.name): its inputs are signed " +
              "(\(l.inputs.first.map { net.layers[$0].name } ?? "network input") has no ReLU), which needs two's " +
              "complement inputs and ima.dac.bits 1, not \(arch.ima.dac.bits)")
        }
        m.isSignedInput = true
      }
      executors.append(CrossbarExecutor(layout: lay, network: net, weights: iw, model: m, device: arch.device))
    }
    self.formats = formats; self.weights = weights; weightScales = scales
    self.biases = biases; self.executors = executors
  }

  /// Whether the formats have power-of-two scales: `data.scales: powerOfTwo` and no `quant-fp` layer.
  public static func powerOfTwoScales(model: CompressedModel, spec: ArchSpec) -> Bool {
    spec.data.scales == .powerOfTwo && !model.layers.contains { $0.rescale == .multiply }
  }

  /// `x` as the network input's codes.
  func inputCodes(_ x: [Float]) -> [Int] {
    x.map { Int(saturating: Double($0) / inputFormat.scale, to: inputFormat.range) }
  }

  /// `x` rounded to the network input's codes, in float: the input every integer path sees.
  public func roundedInput(_ x: [Float]) -> [Float] { inputCodes(x).map { Float(Double($0) * inputFormat.scale) } }

  /// Every layer's output for `images` float inputs, dequantized; `batch` numbers the call (read noise).
  public func run(_ x: [Float], images: Int, batch: Int = 0) -> [[Float]] {
    let xq = inputCodes(x)
    var codes: [[Int]] = [], outFormats: [TensorFormat] = [], values: [[Float]] = []
    codes.reserveCapacity(network.layers.count)
    for (i, l) in network.layers.enumerated() {
      let ins = l.inputs.isEmpty ? [xq] : l.inputs.map { codes[$0] }
      let inF = l.inputs.isEmpty ? [inputFormat] : l.inputs.map { outFormats[$0] }
      var f = formats[i]
      var y: [Int]
      switch l.operation {
      case .conv, .fullyConnected:
        let acc = executors[i]?.run(ins[0], images: images, batch: batch) ?? exact(i, ins[0], images: images)
        let ws = weightScales[i], per = l.outputShape.pixels, channels = ws.count
        var total = acc
        if let b = biases[i] {
          for n in 0..<images { for o in b.indices { for p in 0..<per { total[(n * b.count + o) * per + p] += b[o] } } }
        }
        if sinks.contains(i) {
          // The network output stays at the accumulator's precision (dequantized, never clipped):
          // with a scale per channel, at the finest of them.
          f = TensorFormat(exponent: nil, scale: inF[0].scale * (ws.min() ?? 1), range: Int.min...Int.max)
        }
        // Each output channel's requantization: a rounding shift with power-of-two scales, else a multiply.
        let shifts = ws.map { w in f.exponent.flatMap { eo in inF[0].exponent.flatMap { ei in
          Int(exactly: log2(w)).map { eo - ei - $0 } } } }
        let factors = ws.map { inF[0].scale * $0 / f.scale }
        y = total
        for n in 0..<images {
          for o in 0..<channels {
            let base = (n * channels + o) * per
            if let s = shifts[o], !sinks.contains(i) {
              for p in 0..<per { y[base + p] = roundShift(total[base + p], s) }
            } else if factors[o] != 1 {
              for p in 0..<per { y[base + p] = Int(clampedCode: Double(total[base + p]) * factors[o]) }
            }
          }
        }
      case .pool(let p):
        let k = inF[0].scale / f.scale   // 1 for a max-pool, whose format is its input's
        y = TensorOps.pool(ins[0], images: images, layer: l, p,
                           lowest: Int.min) { s, n in Int(clampedCode: Double(s) * k / Double(n)) }
      case .add:
        y = zip(rescale(ins[0], from: inF[0], to: f), rescale(ins[1], from: inF[1], to: f)).map { $0 + $1 }
      case .concat:
        y = TensorOps.concat(zip(ins, inF).map { rescale($0.0, from: $0.1, to: f) },
                             elements: l.inputs.map { network.layers[$0].outputShape.elements }, images: images)
      case .activation:
        // The function on the values the input codes stand for, rounded to the output's codes.
        y = ins[0].map { Int(clampedCode: l.activation(Double($0) * inF[0].scale) / f.scale) }
      case .multiply:
        // One multiply per value: the product's scale is the inputs' product, rescaled to the output.
        let k = inF[0].scale * inF[1].scale / f.scale
        y = ChannelOps.multiply(ins[0], ins[1], images: images, layer: l).map { Int(clampedCode: Double($0) * k) }
      case .affine(let a):
        let px = l.inputShape.pixels, c = l.inputShape.channels, si = inF[0].scale
        y = ins[0]
        for n in 0..<images {
          for ch in 0..<c {
            let m = Double(a.scale[ch]) * si / f.scale, t = Double(a.shift[ch]) / f.scale
            for q in 0..<px { y[(n * c + ch) * px + q] = Int(clampedCode: Double(y[(n * c + ch) * px + q]) * m + t) }
          }
        }
      case .channelSlice, .channelPad, .channelShuffle:
        y = ChannelOps.move(ins[0], images: images, layer: l, zero: 0)
      }
      if l.operation != .activation { l.activation.apply(codes: &y, scale: f.scale) }
      if !sinks.contains(i) || !l.operation.isMatrix {
        for j in y.indices { y[j] = min(max(y[j], f.range.lowerBound), f.range.upperBound) }
      }
      values.append(y.map { Float(Double($0) * f.scale) })
      codes.append(y); outFormats.append(f)
      // Codes no later layer reads are released (the dequantized values stay for the caller).
      for p in Set(l.inputs) where lastReader[p] == i { codes[p] = [] }
    }
    return values
  }

  /// Codes of format `a` in format `b` (a shift for power-of-two scales, else one multiply).
  func rescale(_ q: [Int], from a: TensorFormat, to b: TensorFormat) -> [Int] {
    if let ea = a.exponent, let eb = b.exponent { return q.map { roundShift($0, eb - ea) } }
    let k = a.scale / b.scale
    return q.map { Int(clampedCode: Double($0) * k) }
  }

  /// Exact integer products `Q_X (Q_W - Z_W)` (double precision GEMM: exact below 2^53).
  func exact(_ i: Int, _ x: [Int], images: Int) -> [Int] {
    let l = network.layers[i], stored = weights[i]!
    let xs = x.map { Double($0) }
    let outS = l.outputShape
    var out = [Double](repeating: 0, count: images * outS.elements)
    switch l.operation {
    case .conv(let c):
      let ocpg = c.outChannels / c.groups, k = l.weightRows
      for g in 0..<c.groups {
        let p = TensorOps.patches(xs, images: images, layer: l, conv: c, group: g)
        var r = [Double](repeating: 0, count: images * outS.pixels * ocpg)
        let w = stored[(g * ocpg * k)..<((g + 1) * ocpg * k)].map { Double($0) }
        p.withUnsafeBufferPointer { pp in w.withUnsafeBufferPointer { wp in r.withUnsafeMutableBufferPointer { rp in
          Functional.dgemmTransB(pp.baseAddress!, wp.baseAddress!, rp.baseAddress!,
                                 m: images * outS.pixels, k: k, n: ocpg, ldb: k, ldc: ocpg)
        } } }
        TensorOps.scatter(r, into: &out, images: images, pixels: outS.pixels, outputs: ocpg, firstChannel: g * ocpg,
                          totalChannels: c.outChannels)
      }
    default:
      // Blocks of outputs whose weights take at most 32 MB as doubles.
      let n = l.weightColumns, k = l.weightRows, block = max(1, (1 << 22) / max(1, k))
      for o in stride(from: 0, to: n, by: block) {
        let nb = min(block, n - o), w = stored[(o * k)..<((o + nb) * k)].map { Double($0) }
        xs.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in out.withUnsafeMutableBufferPointer { op in
          Functional.dgemmTransB(xp.baseAddress!, wp.baseAddress!, op.baseAddress! + o, m: images, k: k, n: nb, ldb: k,
                                 ldc: n)
        } } }
      }
    }
    return out.map { Int(clampedCode: $0) }   // exact below 2^53, saturated past it
  }
}
