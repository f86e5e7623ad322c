// MARK: - Tile buffers and the mesh NoC

extension EngineCore {
  /// Moves `bits` through the buffer port of `tile` (`busWidthBits` per cycle, FIFO, then the
  /// access latency); returns when the data is through.
  mutating func reserveBuffer(tile: Int, bits: Int, now: Cycle, stage: Int) -> Cycle {
    let width = spec.tile.buffer.busWidthBits
    let beats = (bits + width - 1) / width
    let end = use(.buffer, tile, at: now, for: Cycles(UInt64(beats)), stage: stage)
    stats[stage].counts[.bufferAccess] += Double(beats)
    return end + timing.bufferAccess
  }

  /// Output ports of one router: four mesh directions and the local port into its tiles.
  static let portsPerRouter = ResourceKind.portNames.count

  /// The ports a packet from tile `from` to tile `to` crosses (`Mesh.route`).
  func route(from: Int, to: Int) -> [PortID] { fixed.mesh.route(from: from, to: to) }

  /// Sends `bits` from tile `from` to tile `to` along its XY route: on every port the flits
  /// serialise behind earlier packets (FIFO), and the head moves on to the next router one hop
  /// latency after it starts (cut-through); the packet has arrived one hop after its last port
  /// has sent the tail. Uncontended: serialisation + hops x hop latency. Returns the arrival time.
  mutating func transfer(bits: Int, from: Int, to: Int, now: Cycle, stage: Int) -> Cycle {
    let flits = timing.flits(bits: bits)
    let serialise = timing.flit * flits
    let ports = route(from: from, to: to)
    var head = now, end = now
    for port in ports {
      end = use(.link, port.index, at: head, for: serialise, stage: stage)
      head = end - serialise + timing.hop
    }
    stats[stage].counts[.nocFlitHop] += Double(flits * ports.count)
    return end + timing.hop
  }
}
