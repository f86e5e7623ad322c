// MARK: - Tile buffers and the mesh NoC

extension EngineCore {
  /// Moves `bits` through the buffer port of `tile` (`busWidthBits` per cycle, FIFO, then the
  /// access latency); returns when the data is through.
  mutating func reserveBuffer(tile: Int, bits: Int, now: UInt64, stage: Int) -> UInt64 {
    let width = spec.tile.buffer.busWidthBits
    let beats = UInt64((bits + width - 1) / width)
    let end = buffers[tile].reserve(at: Cycle(now), for: Cycles(beats))
    stages[stage].counts[.bufferAccess] += Double(beats)
    return end.value + bufferLatency
  }

  /// The router a tile hangs off (`tilesPerRouter` tiles share one: a concentrated mesh).
  func router(of tile: Int) -> Int { tile / spec.chip.tilesPerRouter }

  /// Routers a flit visits from tile `a` to tile `b`: the Manhattan distance on the mesh, plus
  /// the first router.
  func hops(_ a: Int, _ b: Int) -> Int {
    let ra = router(of: a), rb = router(of: b)
    return abs(ra % meshWidth - rb % meshWidth) + abs(ra / meshWidth - rb / meshWidth) + 1
  }

  /// Sends `bits` from tile `from` to tile `to`: the flits serialise on the source router's
  /// output link (FIFO), then travel `hops` hops; returns the arrival time.
  mutating func transfer(bits: Int, from: Int, to: Int, now: UInt64, stage: Int) -> UInt64 {
    let flits = (bits + spec.tile.router.flitBits - 1) / spec.tile.router.flitBits
    let r = router(of: from), h = hops(from, to)
    let sent = links[r].reserve(at: Cycle(now), for: Cycles(UInt64(flits) * flitCycles))
    stages[stage].counts[.nocFlitHop] += Double(flits * h)
    return sent.value + UInt64(h) * hopCycles
  }
}
