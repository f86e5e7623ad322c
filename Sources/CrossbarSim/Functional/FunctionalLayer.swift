// MARK: - Whole-layer bit-accurate execution of a layout (batched through GEMM)

/// Integer weights of one matrix layer, `[outChannels][inChannels/groups][K_h][K_w]` flattened
/// (for FC: `[outFeatures][inFeatures]`).
public struct IntegerWeights: Sendable, Equatable {
  /// Values, row-major.
  public var values: [Int]
  /// Creates weights.
  public init(_ values: [Int]) { self.values = values }
}

/// Executes a layer's layout exactly as its crossbars would: per crossbar, per input bit-plane and
/// weight slice, column sums through a clipping ADC, shift-and-add, partial sums across crossbars,
/// zero-point correction. The column sums of all windows are one `cblas_sgemm` per
/// (crossbar, bit-plane).
public enum FunctionalLayer {
  /// Output of a quantized layout with the integer weights and zero point it carries, so the
  /// result is exactly what its crossbars hold; `model` gives the number formats.
  public static func execute(layout: LayerLayout, network: Network, input: [Int], model: BitSerialModel) throws -> [Int] {
    guard let w = layout.integerWeights else {
      throw InputError("layer \(network.layers[layout.layer].name): the layout carries no integer weights (quantize it first)")
    }
    var m = model
    m.customZeroPoint = layout.zeroPoint ?? m.customZeroPoint
    return try execute(layout: layout, network: network, weights: w, input: input, model: m)
  }

  /// Output `[outChannels][outH][outW]` of `layer` (index `layout.layer` of `network`) for integer
  /// `input` `[C][H][W]` (unsigned, `< 2^inputBits`).
  public static func execute(layout: LayerLayout, network: Network, weights: IntegerWeights, input: [Int],
                             model: BitSerialModel) throws -> [Int] {
    let layer = network.layers[layout.layer]
    let inS = layer.inputShape, outS = layer.outputShape
    guard input.count == inS.elements else {
      throw InputError("layer \(layer.name): input has \(input.count) values, expected \(inS.elements) (\(inS))")
    }
    guard weights.values.count == layer.parameters else {
      throw InputError("layer \(layer.name): \(weights.values.count) weights, expected \(layer.parameters)")
    }
    if let bad = weights.values.first(where: { !model.weightRange.contains($0) }) {
      throw InputError("layer \(layer.name): weight \(bad) outside the \(model.weightBits)-bit range \(model.weightRange)")
    }
    if let bad = input.first(where: { !model.inputRange.contains($0) }) {
      throw InputError("layer \(layer.name): input \(bad) outside \(model.inputRange)")
    }
    guard layer.operation.isMatrix else { throw InputError("layer \(layer.name): not a matrix layer") }
    var isFC = false
    if case .fullyConnected = layer.operation { isFC = true }
    let windows = layout.windows
    var out = [Int](repeating: 0, count: outS.elements)

    let resolver = CellResolver(layer: layer, stride: layout.stride)
    func weight(_ r: RowSource, _ c: ColumnSink) -> Int? { resolver.index(r, c).map { weights.values[$0] } }
    func stored(_ w: Int, _ c: ColumnSink) -> Int {
      switch model.encoding {
      case .offset: return w + model.zeroPoint
      case .differential: return c.sign > 0 ? max(w, 0) : max(-w, 0)
      }
    }

    for xb in layout.crossbars {
      let R = xb.rows.count, C = xb.columns.count
      let model = model.forRows(R)
      // Input matrix: windows x rows, full values (0 outside the map: zero padding).
      var x = [Int](repeating: 0, count: windows * R)
      for w in 0..<windows {
        let oy = (w / layout.windowsX) * layout.windowStepY - layout.padding
        let ox = (w % layout.windowsX) * layout.windowStepX - layout.padding
        for (ri, r) in xb.rows.enumerated() {
          if isFC { x[w * R + ri] = input[Int(r.channel)]; continue }
          let y = oy + Int(r.dy), xx = ox + Int(r.dx)
          guard y >= 0, y < inS.height, xx >= 0, xx < inS.width else { continue }
          x[w * R + ri] = input[(Int(r.channel) * inS.height + y) * inS.width + xx]
        }
      }
      // Cell matrix: rows x columns of slice values; mask of real weights for zero-point correction.
      var cells = [Float](repeating: 0, count: R * C)
      var mask = [Float](repeating: 0, count: R * C)
      for (ci, c) in xb.columns.enumerated() {
        for (ri, r) in xb.rows.enumerated() {
          guard let w = weight(r, c) else { continue }
          cells[ri * C + ci] = Float(model.slice(stored(w, c), Int(c.slice)))
          mask[ri * C + ci] = 1
        }
      }
      // Flip encoding: a column whose cells sum above half of full scale holds `full - q` in every row.
      let full = (1 << model.cellBits) - 1
      var flipped = [Bool](repeating: false, count: C)
      if model.flipEncoding {
        for ci in 0..<C {
          var total: Float = 0
          for ri in 0..<R { total += cells[ri * C + ci] }
          guard 2 * Int(total) > R * full else { continue }
          flipped[ci] = true
          for ri in 0..<R { cells[ri * C + ci] = Float(full) - cells[ri * C + ci] }
        }
      }
      var acc = [Int](repeating: 0, count: windows * C)
      for k in 0..<model.cycles {
        let plane = x.map { Float(model.inputSlice($0, k)) }
        let sums = Functional.gemm(plane, cells, m: windows, k: R, n: C)
        var inputs = [Int](repeating: 0, count: flipped.contains(true) ? windows : 0)
        for w in inputs.indices { for ri in 0..<R { inputs[w] += Int(plane[w * R + ri]) } }
        for (ci, c) in xb.columns.enumerated() {
          let scale = model.cycleWeight(k) << (Int(c.slice) * model.cellBits)
          for w in 0..<windows {
            let converted = model.convert(Int(sums[w * C + ci]))
            acc[w * C + ci] += (flipped[ci] ? full * inputs[w] - converted : converted) * scale
          }
        }
      }
      // Zero point: subtract Z * sum of the inputs that meet a real weight, once per weight (slice 0).
      var correction = [Int](repeating: 0, count: windows * C)
      if model.encoding == .offset {
        let xs = x.map { Float($0) }
        let sums = Functional.gemm(xs, mask, m: windows, k: R, n: C)
        for (ci, c) in xb.columns.enumerated() where c.slice == 0 {
          for w in 0..<windows { correction[w * C + ci] = model.zeroPoint * Int(sums[w * C + ci].rounded()) }
        }
      }
      for (ci, c) in xb.columns.enumerated() {
        for w in 0..<windows {
          let oy = (w / layout.windowsX) * layout.outputsPerWindowY + Int(c.dy)
          let ox = (w % layout.windowsX) * layout.outputsPerWindowX + Int(c.dx)
          guard oy < outS.height, ox < outS.width else { continue }
          let v = (acc[w * C + ci] - correction[w * C + ci]) * Int(c.sign)
          out[(Int(c.outChannel) * outS.height + oy) * outS.width + ox] += v
        }
      }
    }
    return out
  }

  /// The direct (reference) convolution or FC product in exact integer arithmetic.
  public static func reference(layer: Layer, weights: IntegerWeights, input: [Int]) -> [Int] {
    let inS = layer.inputShape, outS = layer.outputShape
    var out = [Int](repeating: 0, count: outS.elements)
    switch layer.operation {
    case .conv(let c):
      let icpg = inS.channels / c.groups, ocpg = c.outChannels / c.groups
      for o in 0..<c.outChannels {
        let g = o / ocpg
        for y in 0..<outS.height {
          for x in 0..<outS.width {
            var s = 0
            for ci in 0..<icpg {
              for ky in 0..<c.kernelHeight {
                let iy = y * c.stride - c.padding + ky
                guard iy >= 0, iy < inS.height else { continue }
                for kx in 0..<c.kernelWidth {
                  let ix = x * c.stride - c.padding + kx
                  guard ix >= 0, ix < inS.width else { continue }
                  s += weights.values[((o * icpg + ci) * c.kernelHeight + ky) * c.kernelWidth + kx]
                    * input[((g * icpg + ci) * inS.height + iy) * inS.width + ix]
                }
              }
            }
            out[(o * outS.height + y) * outS.width + x] = s
          }
        }
      }
    case .fullyConnected(let n):
      for o in 0..<n {
        var s = 0
        for i in 0..<inS.elements { s += weights.values[o * inS.elements + i] * input[i] }
        out[o] = s
      }
    default: break
    }
    return out
  }
}
