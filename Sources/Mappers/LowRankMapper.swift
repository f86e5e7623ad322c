import CrossbarSim

/// Low-rank-aware mapping ([LR], Jeon et al. DATE 2025): for a pair `W ~ L R`, R (K x K conv to
/// the rank channels) is mapped with SDK/VW-SDK, which fills the columns im2col leaves idle with
/// duplicated kernels, and L (1x1 conv) is mapped with the same window mapper on the output map,
/// where duplicating L over the window's outputs is exactly `I_N (x) L` (Theorem 2). A grouped R
/// (group low-rank) is laid out per group, block-diagonally, or (default) whichever takes fewer
/// crossbars; layers that are not
/// factors use the base mapper. The per-layer note names the factor and the group layout.
public struct LowRankMapper: ConfigurableMapper {
  public static let kind = "lowrank"
  public static let options = [
    PluginOption.choice("base", Base.self, default: .auto, help: "the window mapper for both factors"),
    PluginOption.choice("groups", WindowLayoutBuilder.GroupLayout.self, default: .smaller,
                        help: "layout of a grouped R: per group, block-diagonal, or whichever takes fewer crossbars"),
    PluginOption.choice("l", LLayout.self, default: .independent,
                        help: "map L with its own best window, or as I_N (x) L on R's window of N outputs (Theorem 2 " +
                            "literally)"),
  ]
  /// How L is laid out.
  public enum LLayout: String, Sendable, CaseIterable { case independent, tied }
  /// Window mappers the pair can use.
  public enum Base: String, Sendable, CaseIterable { case auto, vwsdk = "vw-sdk", sdk, sdkFree = "sdk-free", im2col }
  let base: any WeightMapper
  let groupLayout: WindowLayoutBuilder.GroupLayout
  let lLayout: LLayout

  /// Creates the mapper (auto windows, the smaller layout of a grouped R).
  public init() { try! self.init(options: [:]) }
  public init(options: [String: String]) throws {
    let o = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options)
    groupLayout = o.choice("groups")
    lLayout = o.choice("l")
    let sub = ["groups": groupLayout.rawValue]
    switch o.choice("base") as Base {
    case .auto: base = try AutoMapper(options: sub)
    case .vwsdk: base = try VWSDKMapper(options: sub)
    case .sdk: base = try SDKMapper(options: sub)
    case .sdkFree: base = try SDKMapper(options: sub.merging(["tiles": "free"]) { a, _ in a })
    case .im2col: base = try Im2colMapper(options: sub)
    }
  }

  public func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    let layer = network.layers[index]
    var l: LayerLayout
    var how = ""
    if let f = layer.factor, f.part == .l {
      if lLayout == .tied,
         let ri = network.layers.firstIndex(where: { $0.factor?.original == f.original && $0.factor?.part == .r }) {
        // Theorem 2: D(SDK(W)) = (I_N (x) L) SDK(R). L, a 1x1 conv on R's output map, takes R's
        // window of i x j outputs: each array holds L once per output position, block-diagonally.
        let r = try base.map(layer: ri, of: network, geometry: g)
        let (i, j) = (r.outputsPerWindowY, r.outputsPerWindowX)
        do {
          l = try VWSDKMapper(options: ["window": "\(i)x\(j)"]).map(layer: index, of: network, geometry: g)
        } catch let e as InputError {
          throw InputError("layer \(layer.name): l=tied cannot lay L out on R's \(i)x\(j) outputs per " +
              "window: \(e.description)")
        }
        how = ", tied to R's \(i)x\(j) outputs per window"
      } else {
        l = try base.map(layer: index, of: network, geometry: g)
        how = ", own window"
      }
    } else {
      l = try base.map(layer: index, of: network, geometry: g)
    }
    if let f = layer.factor {
      let group = f.groups > 1 && f.part == .r && !l.note.isEmpty ? ", \(l.note)" : ""
      l.note = "\(f.part.rawValue) of \(f.original) (rank \(f.rank) x \(f.groups) " +
          "group\(f.groups > 1 ? "s" : "")\(group)\(how))"
    }
    l.mapper = "lowrank/\(l.mapper)"
    return l
  }
}
