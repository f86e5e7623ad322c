// MARK: - The planner's estimate of the busiest router port

/// Per-image flits through each router output port under a placement, as the engine sends them:
/// a producer window's outputs travel from its copy's home tile along the XY route (`Mesh`) to
/// every tile of the consumer copies that read it (once per tile, however many consumers sit
/// there); a tile on the same router still crosses that router's local port, a window landing on
/// its own home tile crosses nothing.
///
/// Estimated, not simulated: a consumer replicated k times deals its windows round-robin, so a
/// producer pixel goes to the tiles of the copies among the consumer windows that read it
/// (their pattern counted for a pixel in the middle of the map; `tileShares`), and a producer
/// replicated k times sends a k-th of its windows from each copy's home. Partial sums between the
/// tiles of one copy and the network input (already in the first layer's buffer) are not counted.
/// `PlacementChoice` uses it to weigh `router` against `ima` and `crossbar`.
public struct PortLoad: Sendable, Equatable {
  /// Flits per image through each port (`PortID.index`: router x 5 + direction).
  public var flits: [Int]

  /// The load of `placement` of `layout` on `spec`'s chip.
  public init(_ layout: NetworkLayout, placement: Placement, spec: ArchSpec) {
    let net = layout.network, mesh = Mesh(spec)
    var bits = [Double](repeating: 0, count: mesh.routers * EngineCore.portsPerRouter)
    var copies: [Int: [Placement.Copy]] = [:]   // the final chunk's copies per layer
    for s in placement.stages where s.isFinalChunk { copies[s.layer] = s.copies }
    for (c, layer) in net.layers.enumerated() {
      guard let consumers = copies[c] else { continue }
      let shares = Self.tileShares(layer, layout.layouts[c], copies: consumers)
      for p in layer.inputs {
        guard let producers = copies[p] else { continue }
        let perCopy = Double(net.layers[p].outputShape.elements * spec.data.outputBits) / Double(producers.count)
        for (t, share) in shares {
          for copy in producers where copy.homeTile != t {
            for port in mesh.route(from: copy.homeTile, to: t) { bits[port.index] += share * perCopy }
          }
        }
      }
    }
    let width = Double(spec.tile.router.flitBits)
    flits = bits.map { Int(($0 / width).rounded(.up)) }
  }

  /// The share of the producer's outputs each tile of `copies` of `layer` (laid out as `l`)
  /// receives: 1 for one copy; else, with windows dealt round-robin, the residues r mod k for
  /// which some window reading a pixel (`r` plus an offset of the windows that read a pixel in
  /// the middle of the input) is a copy on that tile, over k. A tile holding several copies
  /// receives a window once.
  static func tileShares(_ layer: Layer, _ l: LayerLayout?, copies: [Placement.Copy]) -> [(tile: Int, share: Double)] {
    let k = copies.count
    var onTile: [Int: [Int]] = [:]
    for (i, copy) in copies.enumerated() { for t in copy.tiles { onTile[t, default: []].append(i) } }
    let tiles = onTile.keys.sorted()
    guard k > 1 else { return tiles.map { ($0, 1) } }
    let offsets = readerOffsets(layer, l)
    return tiles.map { t in
      var mine = [Bool](repeating: false, count: k)
      for i in onTile[t]! { mine[i] = true }
      let hit = (0..<k).filter { r in offsets.contains { mine[(r + $0) % k] } }.count
      return (t, Double(hit) / Double(k))
    }
  }

  /// Window indices, relative to the first, of the windows that read a pixel in the middle of
  /// the input; `[0]` (one window) for a layer that is not a convolution.
  static func readerOffsets(_ layer: Layer, _ l: LayerLayout?) -> [Int] {
    guard let l, case .conv(let c) = layer.operation else { return [0] }
    func range(_ pixel: Int, step: Int, span: Int, count: Int) -> ClosedRange<Int>? {
      let step = max(1, step)
      let lo = max(0, (pixel - span + step) / step), hi = min(count - 1, pixel / step)
      return lo <= hi ? lo...hi : nil
    }
    let input = layer.inputShape
    let spanY = (l.outputsPerWindowY - 1) * l.stride + c.kernelHeight
    let spanX = (l.outputsPerWindowX - 1) * l.stride + c.kernelWidth
    guard let ys = range(l.padding + input.height / 2, step: l.windowStepY, span: spanY, count: l.windowsY),
          let xs = range(l.padding + input.width / 2, step: l.windowStepX, span: spanX, count: l.windowsX) else {
      return [0]
    }
    let windows = ys.flatMap { y in xs.map { y * l.windowsX + $0 } }
    return windows.map { $0 - windows[0] }
  }

  /// Per-image time of the busiest port.
  func busiest(_ timing: EngineTiming) -> Cycles {
    timing.flit * (flits.max() ?? 0)
  }
}
