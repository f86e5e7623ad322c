// MARK: - The mapper plug-in protocol

/// A plug-in that lays a layer's weights out on crossbars.
///
/// Contract: a pure transform (same inputs, same layout, no I/O); it places every weight of the
/// layer exactly once or throws an `InputError` naming the layer and the limit it exceeds.
public protocol WeightMapper: Sendable {
  /// The `kind` string that selects this mapper.
  var kind: String { get }
  /// Lays out layer `index` of `network` for arrays of `geometry`.
  func map(layer index: Int, of network: Network, geometry: ArrayGeometry) throws -> LayerLayout
}
