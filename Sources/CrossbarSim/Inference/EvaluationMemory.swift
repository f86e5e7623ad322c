// MARK: - What an evaluation holds in memory, estimated before it starts

/// The memory an evaluation needs: fixed (weights, integer weights, programmed crossbars) and per
/// image of a batch (activations), and the batch size that keeps the whole within a budget.
public struct EvaluationMemory: Sendable, Equatable {
  /// Bytes that do not depend on the batch.
  public var fixedBytes: Int
  /// Bytes per image of a batch.
  public var perImageBytes: Int
  /// Images per batch.
  public var batch: Int

  /// Activation budget of a batch [bytes]: 512 MiB.
  public static let activationBudget = 1 << 29

  /// The estimate for evaluating `network` (laid out as `layout`) through `scopes` integer paths,
  /// `crossbarScopes` of them through the crossbars (`noisy`: with read noise), on `images` images.
  ///
  /// Fixed: float weights twice (reference and compressed model, 4 bytes each), the exact path's
  /// integer weights (4 bytes each), and per programmed crossbar its GEMM matrix (4 bytes a cell and
  /// a column of ones, 1 byte with ideal cells; with read noise the squared cells too) and its
  /// window maps, one per distinct set of rows and of columns of a layer (4 bytes per window and row
  /// or column). Per image: every
  /// layer's output in the float reference and in each path (4 bytes a value), the integer codes
  /// (at most all, 8 bytes), and the largest im2col patch matrix (8 bytes a value: the exact path).
  public init(network: Network, layout: NetworkLayout?, scopes: Int, crossbarScopes: Int, ideal: Bool = true,
              noisy: Bool = false, images: Int) {
    let weights = network.layers.reduce(0) { $0 + $1.parameters }
    var crossbarBytes = 0
    for l in layout?.layouts.compactMap({ $0 }) ?? [] {
      var rowSets = Set<[RowSource]>(), columnSets = Set<[Int32]>()
      for x in l.crossbars {
        crossbarBytes += (ideal ? 1 : 4) * x.rows.count * (x.columns.count + 1) + (noisy ? 4 * x.rows.count *
          x.columns.count : 0)
        rowSets.insert(x.rows)
        columnSets.insert(x.columns.flatMap { [$0.outChannel, Int32($0.dy), Int32($0.dx)] })
      }
      let mapped = rowSets.reduce(0) { $0 + $1.count } + columnSets.reduce(0) { $0 + $1.count / 3 }
      crossbarBytes += 4 * l.windows * mapped
    }
    fixedBytes = 8 * weights + 4 * weights + crossbarBytes * crossbarScopes
    let activations = network.layers.reduce(0) { $0 + $1.outputShape.elements }
    let patches = network.layers.map { $0.operation.isMatrix ? $0.weightRows * $0.outputShape.pixels : 0 }.max() ?? 0
    perImageBytes = 4 * activations * (1 + scopes) + 8 * activations + 8 * patches
    batch = max(1, min(Evaluation.batchSize, images, Self.activationBudget / max(1, perImageBytes)))
  }

  /// The estimated peak [bytes].
  public var peakBytes: Int { fixedBytes + perImageBytes * batch }

  /// One line for the progress output.
  public var summary: String {
    func gib(_ b: Int) -> String { String(format: "%.2f GiB", Double(b) / Double(1 << 30)) }
    return "eval: estimated peak \(gib(peakBytes)) (weights and programmed crossbars \(gib(fixedBytes)), " +
        "\(gib(perImageBytes * batch)) of activations for batches of \(batch) images)"
  }
}
