import CrossbarSim

/// Picks, per layer, the layout with the fewest computing cycles among im2col, SDK and VW-SDK
/// (exhaustive search), or with `by=latency` the fewest windows (the latency when every tile sits
/// on its own array) among im2col, SDK and every VW-SDK window, then the fewest arrays. The
/// layout's mapper reads `auto/KIND`.
public struct AutoMapper: ConfigurableMapper {
  public static let kind = "auto"
  public static let options = [
    PluginOption.choice("by", Criterion.self, default: .cycles,
                        help: "fewest computing cycles, or fewest windows (parallel arrays) then fewest arrays"),
    WindowLayoutBuilder.GroupLayout.option,
  ]
  /// Selection criterion.
  public enum Criterion: String, Sendable, CaseIterable { case cycles, latency }
  let criterion: Criterion
  let groupLayout: WindowLayoutBuilder.GroupLayout

  /// Creates the mapper (fewest computing cycles).
  public init() { criterion = .cycles; groupLayout = .smaller }
  public init(options: [String: String]) throws {
    let o = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options)
    criterion = o.choice("by")
    groupLayout = o.choice("groups")
  }

  /// Candidate windows in preference order (the simpler layout wins ties): im2col, SDK, and the
  /// VW-SDK window that is best under `criterion`.
  static func candidates(_ d: ConvDims, _ g: ArrayGeometry, by criterion: Criterion = .cycles) -> [WindowChoice] {
    var c = [WindowSearch.im2col(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow),
             WindowSearch.sdk(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow)]
    guard g.rows >= d.kernelHeight * d.kernelWidth else { return c }
    let v = criterion == .cycles
      ? WindowSearch.vwsdk(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow, search: .exhaustive)
      : WindowSearch.vwsdkFewestWindows(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow)
    if let v { c.append(v) }
    return c
  }

  /// The best candidate under `criterion`.
  static func pick(_ c: [WindowChoice], by criterion: Criterion) -> WindowChoice {
    func key(_ w: WindowChoice) -> (Int, Int, Int) {
      criterion == .cycles ? (w.computingCycles, w.arrays, 0) : (w.windowsY * w.windowsX, w.arrays, w.computingCycles)
    }
    return c.dropFirst().reduce(c[0]) { key($1) < key($0) ? $1 : $0 }
  }

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    try WindowLayoutBuilder.map(layer: index, of: network, geometry: g, kind: kind, groupLayout: groupLayout) {
      let best = Self.pick(Self.candidates($0, g, by: criterion), by: criterion)
      return (best, "auto/\(best.style.rawValue)")
    }
  }
}
