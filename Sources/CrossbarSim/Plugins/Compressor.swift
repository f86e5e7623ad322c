// MARK: - The compressor plug-in protocol

/// A plug-in that compresses a model.
///
/// Contract: a pure transform (same model and context, same result, no I/O). It returns the new
/// model and one record per layer it touched; bad options or values (rank out of range, ratios
/// outside [0, 1), groups that do not divide the channels) throw an `InputError` naming the
/// layer and the value.
public protocol Compressor: Sendable {
  /// The kind string with its options, as reported.
  var description: String { get }
  /// Compresses `model`.
  func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel, [CompressionRecord])
}
