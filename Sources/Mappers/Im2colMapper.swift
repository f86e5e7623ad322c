import CrossbarSim

/// im2col: one window (one output pixel) per activation; the `IC/g * K_h * K_w` weight rows are
/// tiled over `ceil(rows / AR)` crossbars and the output channels over `ceil(OC / floor(AC / cells))`.
///
/// Counts follow the VW-SDK calculator (`function.py`, Rhe et al. DATE 2022): per group,
/// `AR_cycle = ceil(K_h K_w IC / AR)`, `AC_cycle = ceil(OC / usable columns)`.
public struct Im2colMapper: WeightMapper {
  public var kind: String { "im2col" }
  /// Creates the mapper.
  public init() {}

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    let layer = network.layers[index]
    let perArray = g.weightsPerRow
    guard perArray >= 1 else {
      throw InputError("layer \(layer.name): an array of \(g.columns) columns cannot hold one weight of \(g.columnsPerWeight) columns")
    }
    // Rows of one group, in im2col order (channel-major, then ky, kx).
    var groups = 1, kh = 1, kw = 1, stride = 1, padding = 0
    var windowsY = 1, windowsX = 1
    let rowsPerGroup: [[RowSource]]
    switch layer.operation {
    case .conv(let c):
      groups = c.groups; kh = c.kernelHeight; kw = c.kernelWidth; stride = c.stride; padding = c.padding
      windowsY = layer.outputShape.height; windowsX = layer.outputShape.width
      let icpg = layer.inputShape.channels / groups
      rowsPerGroup = (0..<groups).map { gi in
        var r: [RowSource] = []
        r.reserveCapacity(icpg * kh * kw)
        for ch in 0..<icpg { for y in 0..<kh { for x in 0..<kw { r.append(RowSource(channel: gi * icpg + ch, dy: y, dx: x)) } } }
        return r
      }
    case .fullyConnected:
      rowsPerGroup = [(0..<layer.inputShape.elements).map { RowSource(channel: $0) }]
    default:
      throw InputError("layer \(layer.name): im2col maps only conv and fully connected layers")
    }
    let ocpg = layer.weightColumns / groups
    var crossbars: [CrossbarTile] = []
    var outputGroup = 0, inputGroup = 0
    for gi in 0..<groups {
      let rows = rowsPerGroup[gi]
      let rowTiles = (rows.count + g.rows - 1) / g.rows
      let colTiles = (ocpg + perArray - 1) / perArray
      for rt in 0..<rowTiles {
        let rowSlice = Array(rows[(rt * g.rows)..<min(rows.count, (rt + 1) * g.rows)])
        for ct in 0..<colTiles {
          let outs = (ct * perArray)..<min(ocpg, (ct + 1) * perArray)
          let cols = outs.flatMap { g.sinks(outChannel: gi * ocpg + $0) }
          crossbars.append(CrossbarTile(rows: rowSlice, columns: cols, outputGroup: outputGroup + ct,
                                        inputGroup: inputGroup + rt, usefulCells: rowSlice.count * cols.count))
        }
      }
      outputGroup += colTiles
      inputGroup += rowTiles
    }
    return LayerLayout(layer: index, mapper: kind, crossbars: crossbars, windowsY: windowsY, windowsX: windowsX,
                       windowStepY: stride, windowStepX: stride, outputsPerWindowY: 1, outputsPerWindowX: 1,
                       padding: padding, stride: stride)
  }
}
