// MARK: - A network, its weights, and what compression did to each layer

/// How a layout treats the weights a pruning step zeroed.
public enum PruningStructure: String, Sendable, Codable {
  /// Nothing pruned (or pruned values simply stored as zeros).
  case dense
  /// Whole crossbar blocks removed ([XA]); a crossbar with no weight left disappears, no tables.
  case crossbarBlocks
  /// Output-channel groups removed from the network itself ([XA]); the layout is simply smaller.
  case kernelGroups
  /// Rows removed inside crossbar blocks and the survivors compacted; input index tables select
  /// each crossbar's inputs (PIM-Prune, XBA, SNrram; also SDK row skipping for pattern pruning).
  case rows
  /// Columns removed inside crossbar blocks and compacted; output index tables align partial sums.
  case columns
}

/// How outputs are rescaled after the crossbars.
public enum Rescale: String, Sendable, Codable {
  /// No rescale modelled.
  case none
  /// Power-of-two scales: a shift per output ([XA] integer-only).
  case shift
  /// Floating-point scales: a multiplier per output (Jacob et al. integer-arithmetic-only baseline).
  case multiply
}

/// How a layer's weights are quantized: unsigned `Q_W` in `[0, 2^bits - 1]` with a zero point,
/// the real weight being `scale * (Q_W - Z_W)`.
///
/// The integers are not stored twice: a quantized layer's `LayerWeights.values` hold exactly
/// `Float(scale * (Q_W - Z_W))`, from which `stored(_:)` recovers `Q_W` (the Float's relative error,
/// 2^-24, is far below half a level for any `|Q_W - Z_W| < 2^16`). VGG-13's 133 M weights thus cost
/// 4 bytes each, not 4 + 8 + 8.
public struct QuantizedWeights: Sendable, Equatable {
  /// Integer zero point `Z_W`.
  public var zeroPoint: Int
  /// Precision [bits].
  public var bits: Int
  /// Scale `S_W`.
  public var scale: Double
  /// `log2(scale)` when the scale is a power of two.
  public var scaleExponent: Int?
  /// Creates the quantization of a layer.
  public init(zeroPoint: Int, bits: Int, scale: Double, scaleExponent: Int?) {
    self.zeroPoint = zeroPoint; self.bits = bits; self.scale = scale; self.scaleExponent = scaleExponent
  }
  /// Signed integer weights `Q_W - Z_W` of the layer's (dequantized) `values`.
  public func signed(_ values: [Float]) -> [Int] { values.map { Int((Double($0) / scale).rounded()) } }
  /// Stored values `Q_W` of the layer's (dequantized) `values`, row-major like `LayerWeights`.
  public func stored(_ values: [Float]) -> [Int] { signed(values).map { $0 + zeroPoint } }
}

/// What compression left on one layer.
public struct LayerCompression: Sendable, Equatable {
  /// Which weights remain (nil: all); same order as `LayerWeights.values`.
  public var keep: [Bool]?
  /// How the layout treats pruned weights.
  public var structure: PruningStructure = .dense
  /// Integer weights, when quantized.
  public var quantized: QuantizedWeights?
  /// Output rescale.
  public var rescale: Rescale = .none
  /// Creates a dense, unquantized state.
  public init() {}
  /// Weights of `w` this state keeps.
  public func kept(of w: LayerWeights) -> Int { keep.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? w.values.count }
}

/// A network with weights and per-layer compression state: what compressors transform.
public struct CompressedModel: Sendable {
  /// The network (factor layers replace factored ones, pruned channels are gone).
  public var network: Network
  /// Real-valued weights (pruned values are 0; quantized layers hold their dequantized values).
  public var weights: NetworkWeights
  /// Per-layer compression state.
  public var layers: [LayerCompression]

  /// An uncompressed model; weights are validated against the network.
  public init(network: Network, weights: NetworkWeights, source: String = "weights") throws {
    try weights.validate(for: network, source: source)
    self.network = network; self.weights = weights
    layers = Array(repeating: LayerCompression(), count: network.layers.count)
  }

  /// Creates a model without validation (compressors building a transformed model).
  public init(unchecked network: Network, weights: NetworkWeights, layers: [LayerCompression]) {
    self.network = network; self.weights = weights; self.layers = layers
  }

  /// Replaces one layer's weights and state.
  public mutating func set(_ i: Int, weights: LayerWeights, state: LayerCompression) {
    self.weights.layers[i] = weights
    layers[i] = state
  }

  /// Weights that remain (nonzero and kept) over all matrix layers.
  public var keptParameters: Int { layers.indices.reduce(0) { $0 + keptParameters(layer: $1) } }

  /// Weights layer `i` keeps (0 for a layer without weights).
  public func keptParameters(layer i: Int) -> Int {
    weights.layers[i].map { layers[i].kept(of: $0) } ?? 0
  }

  /// Weights kept by layer `name`, or by its low-rank pair.
  public func keptParameters(named name: String) -> Int {
    network.layers.indices.reduce(0) { acc, i in
      let l = network.layers[i]
      return l.name == name || l.factor?.original == name ? acc + keptParameters(layer: i) : acc
    }
  }
}

/// What a compressor needs to know about the hardware.
public struct CompressionContext: Sendable {
  /// Array geometry and weight columns.
  public var geometry: ArrayGeometry
  /// Weight precision of the chip [bits].
  public var weightBits: Int
  /// The mapper layouts are made with (for crossbar counts and budgets).
  public var mapper: any WeightMapper
  /// Creates a context.
  public init(geometry: ArrayGeometry, weightBits: Int, mapper: any WeightMapper) {
    self.geometry = geometry; self.weightBits = weightBits; self.mapper = mapper
  }
}

/// One row of a compression report: what a step did to one layer.
public struct CompressionRecord: Sendable, Equatable {
  /// The step (`kind` of the compressor, with its options).
  public var step: String
  /// Layer name (before the step).
  public var layer: String
  /// Rank kept (low-rank steps; per group).
  public var rank: Int?
  /// Weights kept / weights before.
  public var keptRatio: Double
  /// Crossbars of the layer (or its pair) before and after.
  public var crossbarsBefore: Int, crossbarsAfter: Int
  /// Sparsity-table entries after the step.
  public var tableEntries: Int
  /// Weights the layer (or its pair) keeps before and after the step.
  public var parametersBefore = 0, parametersAfter = 0
  /// Relative reconstruction error `||W - W'||_F / ||W||_F`.
  public var relativeError: Double
  /// Anything else (left dense and why, groups, scale).
  public var note: String
  /// Creates a record.
  public init(step: String, layer: String, rank: Int? = nil, keptRatio: Double, crossbarsBefore: Int = 0,
              crossbarsAfter: Int = 0, tableEntries: Int = 0, relativeError: Double, note: String = "") {
    self.step = step; self.layer = layer; self.rank = rank; self.keptRatio = keptRatio
    self.crossbarsBefore = crossbarsBefore; self.crossbarsAfter = crossbarsAfter; self.tableEntries = tableEntries
    self.relativeError = relativeError; self.note = note
  }
}

extension Array where Element == CompressionRecord {
  /// RMS of the records' relative errors, each layer weighted by `weight` (its weights): one
  /// figure for a whole step or run (0 without records).
  public func weightedRelativeError(weight: (CompressionRecord) -> Int) -> Double {
    var weighted = 0.0, weights = 0.0
    for r in self {
      let n = Double(weight(r))
      weighted += n * r.relativeError * r.relativeError
      weights += n
    }
    return weights > 0 ? (weighted / weights).squareRoot() : 0
  }
}
