// MARK: - The concentrated mesh: routers, their coordinates and XY routes

/// The chip's network: `chip.tilesPerRouter` tiles share a router, and the routers form the
/// smallest square mesh that holds them. The engine sends every packet along `route`, and the
/// planner's `PortLoad` estimates the same routes.
struct Mesh: Sendable {
  /// Tiles per router.
  let tilesPerRouter: Int
  /// Routers on the chip.
  let routers: Int
  /// Routers per mesh row.
  let width: Int

  init(_ spec: ArchSpec) {
    tilesPerRouter = spec.chip.tilesPerRouter
    routers = (spec.chip.tiles + tilesPerRouter - 1) / tilesPerRouter
    var w = 1
    while w * w < routers { w += 1 }
    width = w
  }

  /// The router a tile hangs off.
  @inline(__always) func router(of tile: Int) -> Int { tile / tilesPerRouter }
  /// Mesh coordinates of router `r`: x = r mod width, y = r / width.
  @inline(__always) func coordinates(_ r: Int) -> (x: Int, y: Int) { (r % width, r / width) }

  /// The output ports a packet from tile `from` to tile `to` crosses, XY routing: along x to the
  /// destination column (east 0, west 1), along y (north 2, south 3), then the destination
  /// router's local port 4. `distance + 1` ports: `hops`.
  func route(from: Int, to: Int) -> [PortID] {
    var r = router(of: from)
    let target = router(of: to), (tx, ty) = coordinates(target)
    var ports: [PortID] = []
    while true {
      let (x, y) = coordinates(r)
      if x != tx {
        ports.append(PortID(router: r, direction: x < tx ? 0 : 1)); r += x < tx ? 1 : -1
      } else if y != ty {
        ports.append(PortID(router: r, direction: y > ty ? 2 : 3)); r += y > ty ? -width : width
      } else {
        ports.append(PortID(router: r, direction: 4))
        return ports
      }
    }
  }
}
