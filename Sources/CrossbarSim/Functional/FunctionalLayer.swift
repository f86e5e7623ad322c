// MARK: - Whole-layer bit-accurate execution of a layout (batched through GEMM)

/// Integer weights of one matrix layer, `[outChannels][inChannels/groups][K_h][K_w]` flattened
/// (for FC: `[outFeatures][inFeatures]`).
public struct IntegerWeights: Sendable, Equatable {
  /// Values, row-major.
  public var values: [Int]
  /// Creates weights.
  public init(_ values: [Int]) { self.values = values }
}

/// Executes a layer's layout exactly as its crossbars would (one image, checked inputs; the work is
/// `CrossbarExecutor`'s): per crossbar, per input bit-plane and weight slice, column sums through a
/// clipping ADC, shift-and-add, partial sums across crossbars, zero-point correction.
public enum FunctionalLayer {
  /// Output of a quantized layer's layout with the integer weights and zero point `compressed`
  /// holds for it, so the result is exactly what its crossbars hold; `model` gives the number formats.
  public static func execute(compressed: CompressedModel, layout: LayerLayout, input: [Int],
                             model: BitSerialModel) throws -> [Int] {
    guard let w = compressed.integerWeights(layer: layout.layer),
          let q = compressed.layers[layout.layer].quantized else {
      throw InputError("layer \(compressed.network.layers[layout.layer].name): no integer weights (quantize it first)")
    }
    var m = model
    m.customZeroPoint = q.zeroPoint
    return try execute(layout: layout, network: compressed.network, weights: w, input: input, model: m)
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
      throw InputError("layer \(layer.name): weight \(bad) outside the \(model.weightBits)-bit " +
          "range \(model.weightRange)")
    }
    if let bad = input.first(where: { !model.inputRange.contains($0) }) {
      throw InputError("layer \(layer.name): input \(bad) outside \(model.inputRange)")
    }
    guard layer.operation.isMatrix else { throw InputError("layer \(layer.name): not a matrix layer") }
    return CrossbarExecutor(layout: layout, network: network, weights: weights, model: model).run(input, images: 1)
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
