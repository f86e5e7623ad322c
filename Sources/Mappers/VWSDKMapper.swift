import CrossbarSim

/// Variable-window SDK (VW-SDK, Rhe et al. DATE 2022): rectangular parallel windows with partial
/// input-channel (`ICt`) and output-channel (`OCt`) tiles, chosen to minimise computing cycles,
/// falling back to im2col when no window is better.
///
/// `search=calculator` (default) keeps the candidate exactly as the public calculator does,
/// including its habit of keeping a non-minimal candidate (see `WindowSearch.Search`);
/// `search=exhaustive` takes the true minimum. `window=IxJ` forces `I x J` outputs per window.
public struct VWSDKMapper: ConfigurableMapper {
  public static let kind = "vw-sdk"
  public static let options = [
    PluginOption.choice("search", WindowSearch.Search.self, default: .calculator,
                        help: "reproduce the public calculator's choice, or the true minimum"),
    PluginOption("window", .size, placeholder: "IxJ",
                 help: "force I x J outputs per window"), WindowLayoutBuilder.GroupLayout.option,
  ]
  let groupLayout: WindowLayoutBuilder.GroupLayout
  let search: WindowSearch.Search
  let forced: (Int, Int)?

  /// Creates the mapper with the calculator's search.
  public init() { groupLayout = .smaller; search = .calculator; forced = nil }
  /// Creates the mapper with a search policy.
  public init(search: WindowSearch.Search) { groupLayout = .smaller; self.search = search; forced = nil }
  public init(options: [String: String]) throws {
    let o = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options)
    groupLayout = o.choice("groups")
    search = o.choice("search")
    forced = o.size("window")
  }

  /// The window this mapper uses for `d`.
  func choice(_ d: ConvDims, _ g: ArrayGeometry, layer: String) throws -> WindowChoice {
    guard g.rows >= d.kernelHeight * d.kernelWidth else {
      throw InputError("layer \(layer): a \(d.kernelHeight)x\(d.kernelWidth) kernel column " +
          "needs \(d.kernelHeight * d.kernelWidth) rows per input channel; the array has \(g.rows)")
    }
    let im2col = WindowSearch.im2col(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow)
    if let (i, j) = forced {
      let ph = d.kernelHeight + (i - 1) * d.stride, pw = d.kernelWidth + (j - 1) * d.stride
      guard ph <= d.inputHeight, pw <= d.inputWidth else {
        throw InputError("layer \(layer): vw-sdk window \(ph)x\(pw) (\(i)x\(j) outputs) is larger than the " +
            "padded \(d.inputHeight)x\(d.inputWidth) map")
      }
      let ict = g.rows / (ph * pw), oct = g.weightsPerRow / (i * j)
      guard ict >= 1 else { throw InputError("layer \(layer): vw-sdk window \(ph)x\(pw) needs \(ph * pw) rows per " +
          "channel; the array has \(g.rows)") }
      guard oct >= 1 else { throw InputError("layer \(layer): vw-sdk window of \(i)x\(j) outputs needs \(i * j) " +
          "weights per row; the array holds \(g.weightsPerRow)") }
      return WindowChoice(style: .vwsdk, windowHeight: ph, windowWidth: pw, outputsHigh: i, outputsWide: j,
                          channelsPerTile: min(ict, d.inChannels), outChannelsPerTile: min(oct, d.outChannels),
                          rowTiles: WindowSearch.ceilDiv(d.inChannels,
                                                         ict), colTiles: WindowSearch.ceilDiv(d.outChannels, oct),
                          windowsY: WindowSearch.windows(d.inputHeight, ph, i, d.stride),
                          windowsX: WindowSearch.windows(d.inputWidth, pw, j, d.stride))
    }
    guard let v = WindowSearch.vwsdk(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow, search: search),
          v.computingCycles < im2col.computingCycles else { return im2col }
    return v
  }

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    try WindowLayoutBuilder.map(layer: index, of: network, geometry: g, kind: kind, groupLayout: groupLayout) {
      (try choice($0, g, layer: network.layers[index].name), kind)
    }
  }
}
