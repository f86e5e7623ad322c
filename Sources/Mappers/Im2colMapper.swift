import CrossbarSim

/// im2col: one window (one output pixel) per activation; the `IC/g * K_h * K_w` weight rows are
/// tiled over `ceil(rows / AR)` crossbars and the output channels over `ceil(OC / floor(AC / cells))`.
///
/// Counts follow the VW-SDK calculator (`function.py`, Rhe et al. DATE 2022): per group,
/// `AR_cycle = ceil(K_h K_w IC / AR)`, `AC_cycle = ceil(OC / usable columns)`.
public struct Im2colMapper: ConfigurableMapper {
  public static let kind = "im2col"
  public static let options = [WindowLayoutBuilder.GroupLayout.option]
  let groupLayout: WindowLayoutBuilder.GroupLayout

  /// Creates the mapper (grouped convs per group).
  public init() { groupLayout = .smaller }
  public init(options: [String: String]) throws {
    let o = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options)
    groupLayout = o.choice("groups")
  }

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    let layer = network.layers[index]
    guard g.weightsPerRow >= 1 else {
      throw InputError("layer \(layer.name): an array of \(g.columns) columns cannot hold one weight " +
          "of \(g.columnsPerWeight) columns")
    }
    switch layer.operation {
    case .conv:
      return try WindowLayoutBuilder.resolving(groupLayout, layer: layer) { gl in
        let d = WindowLayoutBuilder.dims(of: layer, groupLayout: gl)!
        return try WindowLayoutBuilder.build(layer: index, of: network,
                                             choice: WindowSearch.im2col(d, arrayRows: g.rows,
                                                                         weightsPerRow: g.weightsPerRow),
                                             geometry: g, mapper: kind, groupLayout: gl)
      }
    case .fullyConnected:
      let rows = (0..<layer.inputShape.elements).map { RowSource(channel: $0) }
      var crossbars: [CrossbarTile] = []
      // Each column tile's sinks are built once and shared (copy-on-write) by all its row tiles.
      let colChunks = stride(from: 0, to: layer.weightColumns, by: g.weightsPerRow).map { start in
        (start..<min(layer.weightColumns, start + g.weightsPerRow)).flatMap { g.sinks(outChannel: $0) }
      }
      crossbars.reserveCapacity(colChunks.count * ((rows.count + g.rows - 1) / g.rows))
      for (rt, start) in stride(from: 0, to: rows.count, by: g.rows).enumerated() {
        let slice = Array(rows[start..<min(rows.count, start + g.rows)])
        for (ct, cols) in colChunks.enumerated() {
          crossbars.append(CrossbarTile(rows: slice, columns: cols, outputGroup: ct, inputGroup: rt,
                                        usefulCells: slice.count * cols.count))
        }
      }
      return LayerLayout(layer: index, mapper: kind, crossbars: crossbars, windowsY: 1, windowsX: 1, windowStepY: 1,
                         windowStepX: 1, outputsPerWindowY: 1, outputsPerWindowX: 1, padding: 0, stride: 1)
    default:
      throw InputError("layer \(layer.name): im2col maps only conv and fully connected layers")
    }
  }
}
