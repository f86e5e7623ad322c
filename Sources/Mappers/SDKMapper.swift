import CrossbarSim

/// Shift-and-duplicate-kernel mapping (SDK, Zhang et al. TCAD 2021): a `P x P` parallel window of
/// all input channels drives the rows; the kernel is duplicated `n x n` times, shifted, on the
/// columns, so one activation yields `n x n` output pixels. The window is the calculator's choice
/// (`tiles=calculator`: im2col's tile counts kept), the fewest computing cycles with free tile
/// counts (`tiles=free`), or a fixed `n` (option `n=3`).
public struct SDKMapper: ConfigurableMapper {
  public static let kind = "sdk"
  /// How the window search counts tiles.
  public enum Tiles: String, Sendable, CaseIterable { case calculator, free }
  public static let options = [
    PluginOption("n", .size, placeholder: "N",
                 help: "force N x N outputs per window"), WindowLayoutBuilder.GroupLayout.option,
    PluginOption.choice("tiles", Tiles.self, default: .calculator,
                        help: "keep im2col's row and column tile counts (the public calculator), or let them grow " +
                            "(the fewest computing cycles; the SDK of [LR] Theorem 2 for factors)"),
  ]
  let groupLayout: WindowLayoutBuilder.GroupLayout
  let forced: Int?
  let tiles: Tiles

  /// Creates the mapper with the calculator's window choice.
  public init() { groupLayout = .smaller; forced = nil; tiles = .calculator }
  public init(options: [String: String]) throws {
    let o = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options)
    groupLayout = o.choice("groups")
    tiles = o.choice("tiles")
    if let (a, b) = o.size("n") {
      guard a == b else { throw InputError("mapper sdk: option n=\(a)x\(b) must be square (use vw-sdk for " +
          "rectangles)") }
      forced = a
    } else { forced = nil }
  }

  /// The window this mapper uses for `d`.
  func choice(_ d: ConvDims, _ g: ArrayGeometry, layer: String) throws -> WindowChoice {
    guard let n = forced else {
      return tiles == .free ? WindowSearch.sdkFreeTiles(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow)
        : WindowSearch.sdk(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow)
    }
    let ph = d.kernelHeight + (n - 1) * d.stride, pw = d.kernelWidth + (n - 1) * d.stride
    guard ph <= d.inputHeight, pw <= d.inputWidth else {
      throw InputError("layer \(layer): sdk window \(ph)x\(pw) (n=\(n)) is larger than the " +
          "padded \(d.inputHeight)x\(d.inputWidth) map")
    }
    return WindowChoice(style: .sdk, windowHeight: ph, windowWidth: pw, outputsHigh: n, outputsWide: n,
                        channelsPerTile: d.inChannels, outChannelsPerTile: d.outChannels,
                        rowTiles: WindowSearch.ceilDiv(ph * pw * d.inChannels, g.rows),
                        colTiles: WindowSearch.ceilDiv(n * n * d.outChannels, g.weightsPerRow),
                        windowsY: WindowSearch.windows(d.inputHeight, ph, n, d.stride),
                        windowsX: WindowSearch.windows(d.inputWidth, pw, n, d.stride))
  }

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    try WindowLayoutBuilder.map(layer: index, of: network, geometry: g, kind: kind, groupLayout: groupLayout) {
      (try choice($0, g, layer: network.layers[index].name), kind)
    }
  }
}
