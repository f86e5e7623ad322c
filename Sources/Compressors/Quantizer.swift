import CrossbarSim
import Foundation

/// Weight quantization for the array: asymmetric unsigned weights `Q_W in [0, 2^b - 1]` with an
/// integer zero point, `W ~ S_W (Q_W - Z_W)`, which map straight onto non-negative conductances.
///
/// - `quant-pow2` ([XA] integer-only): `S_W = 2^a`, the smallest power of two covering the
///   layer's range, so every rescale after the crossbars is a shift (charged per output).
/// - `quant-fp` (Jacob et al. integer-arithmetic-only baseline): `S_W = (max - min) / (2^b - 1)`,
///   a floating-point scale that needs a multiplier per output (charged per output).
///
/// The range always includes 0, so pruned weights stay exactly zero (`Q_W = Z_W`). `bits=b`
/// defaults to the chip's weight precision and may not exceed it. Inputs are symmetric and need no
/// zero point; they are not simulated numerically here. Targets: every matrix layer, or `layers=`.
/// Each layer is quantized on its own, in place, so a pipeline can stream weights through it.
public struct Quantizer: LayerCompressor {
  /// Scale family.
  public enum Scales: String, Sendable { case powerOfTwo = "quant-pow2", floatingPoint = "quant-fp" }
  public static let options: [PluginOption] = [
    .integer("bits", "B", in: 1...16, help: "weight precision (default: the chip's data.weightBits)"),
    SharedOptions.layers(byDefault: "every matrix layer"),
  ]
  /// The registry entry of the `scales` kind.
  public static func entry(_ scales: Scales) -> CompressorEntry {
    CompressorEntry(kind: scales.rawValue, options: options) { try Quantizer(scales, options: $0) }
  }

  public let description: String
  let scales: Scales
  let options: PluginOptions
  /// Bits per weight (nil: the chip's `data.weightBits`), parsed once.
  let bits: Int?

  /// Creates the quantizer from options.
  public init(_ scales: Scales, options: [String: String]) throws {
    self.scales = scales
    self.options = try PluginOptions(kind: scales.rawValue, options, declared: Self.options)
    description = self.options.description
    bits = self.options.int("bits")
  }

  public func targets(in network: Network, context: CompressionContext) throws -> [Int] {
    let bits = self.bits ?? context.weightBits
    guard bits <= context.weightBits else {
      throw InputError("\(scales.rawValue): bits=\(bits) exceeds the chip's data.weightBits \(context.weightBits)")
    }
    return try LayerTargets(options).select(in: network, kind: scales.rawValue, eligible: { _, l in
      l.operation.isMatrix ? nil : "no weights"
    }, byDefault: { _, _ in true })
  }

  public func compress(layer i: Int, of network: Network, weights w: inout LayerWeights, state: inout LayerCompression,
                       context: CompressionContext) throws -> CompressionRecord {
    let bits = self.bits ?? context.weightBits
    let (q, error) = QuantizedWeights.quantize(&w.values, bits: bits, powerOfTwo: scales == .powerOfTwo)
    state.quantized = q
    state.rescale = scales == .powerOfTwo ? .shift : .multiply
    let scaleText = q.scaleExponent.map { "S=2^\($0)" } ?? String(format: "S=%.4g", q.scale)
    return CompressionRecord(step: description, layer: network.layers[i].name, keptRatio: 1, relativeError: error,
                             note: "\(bits) bits, \(scaleText), Z=\(q.zeroPoint)")
  }
}
