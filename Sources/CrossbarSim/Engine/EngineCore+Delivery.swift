// MARK: - Delivering a window's outputs to the tiles that will read them

extension EngineCore {
  /// Sends the outputs of window `w` of stage `s` from its copy's home tile to every tile where a
  /// consumer window reads them: each destination tile gets one transfer and one buffer write,
  /// however many consumers sit on it.
  mutating func send(stage s: Int, window w: Int, now: UInt64) {
    let home = stages[s].copies[w % stages[s].copies.count].home
    var destinations: [Int] = []
    for ei in stages[s].consumers {
      stages[s].outstanding += 1
      let tiles = targets(edge: ei, window: w)
      edges[ei].expected[w] = UInt16(tiles.count)
      if tiles.isEmpty { delivered(edge: ei, window: w, now: now) }
      for t in tiles where !destinations.contains(t) { destinations.append(t) }
    }
    var offChipDone: UInt64?
    for t in destinations {
      if isSpilled(stage: s, window: w, tile: t) {
        // One copy to off-chip memory for all spilled tiles; consumers read it back when they need it.
        let done = offChipDone ?? offChip(bits: stages[s].outputBits, now: now, stage: s)
        offChipDone = done
        queue.schedule(.landed(stage: Int32(s), window: Int32(w), tile: Int32(t)), at: Cycle(done))
        continue
      }
      if t == home { land(stage: s, window: w, tile: t, now: now); continue }
      let arrival = transfer(bits: stages[s].outputBits, from: home, to: t, now: now, stage: s)
      queue.schedule(.arrived(stage: Int32(s), window: Int32(w), tile: Int32(t)), at: Cycle(arrival))
    }
  }

  /// The outputs reached tile `t` over the NoC: one buffer write, then they have landed.
  mutating func arrived(stage s: Int, window w: Int, tile t: Int, now: UInt64) {
    let done = reserveBuffer(tile: t, bits: stages[s].outputBits, now: now, stage: s)
    queue.schedule(.landed(stage: Int32(s), window: Int32(w), tile: Int32(t)), at: Cycle(done))
  }

  /// The outputs are in tile `t`'s buffer: every consumer reading them there has them.
  mutating func land(stage s: Int, window w: Int, tile t: Int, now: UInt64) {
    for ei in stages[s].consumers where targets(edge: ei, window: w).contains(t) {
      edges[ei].arrivals[w] += 1
      if edges[ei].arrivals[w] == edges[ei].expected[w] { delivered(edge: ei, window: w, now: now) }
    }
  }

  /// Window `w` of the producer has reached every tile that reads it for edge `ei`.
  mutating func delivered(edge ei: Int, window w: Int, now: UInt64) {
    edges[ei].isDelivered[w] = true
    while edges[ei].prefix < edges[ei].isDelivered.count && edges[ei].isDelivered[edges[ei].prefix] {
      edges[ei].prefix += 1
    }
    if isPooling(edges[ei].consumer) { free(edge: ei, below: edges[ei].prefix, now: now) }
    let p = edges[ei].producer
    stages[p].outstanding -= 1
    stages[p].lastEnd = max(stages[p].lastEnd, now)
    tryIssue(edges[ei].consumer, now: now)
    checkFinished(p, now: now)
  }

  /// Tiles of the consumer copies whose windows read producer window `w` of edge `ei`. With one
  /// copy, all its tiles. With several (windows dealt round-robin), only the copies of the
  /// consumer windows whose input rows and columns overlap the producer window's outputs.
  func targets(edge ei: Int, window w: Int) -> [Int] {
    let e = edges[ei], c = stages[e.consumer]
    guard c.copies.count > 1 else { return e.tiles }
    let p = stages[e.producer], k = c.copies.count
    let image = w / p.perImage, local = w % p.perImage, base = image * c.perImage
    var copies: [Int] = []
    if e.isFlatten {
      copies = [base % k]
    } else {
      let py = local / p.windowsX, px = local % p.windowsX
      func range(_ first: Int, _ count: Int, _ size: Int, offset: Int, step: Int, extent: Int, windows: Int) -> ClosedRange<Int>? {
        let lo = first + offset + c.padding - extent + 1, hi = min(first + count, size) - 1 + offset + c.padding
        let from = max(0, lo <= 0 ? 0 : (lo + step - 1) / step), to = min(windows - 1, hi < 0 ? -1 : hi / step)
        return from <= to ? from...to : nil
      }
      guard let ys = range(py * p.outputsPerWindowY, p.outputsPerWindowY, e.producerHeight, offset: e.offsetY, step: c.stepY,
                           extent: c.extentY, windows: c.windowsY),
            let xs = range(px * p.outputsPerWindowX, p.outputsPerWindowX, e.producerWidth, offset: e.offsetX, step: c.stepX,
                           extent: c.extentX, windows: c.windowsX) else { return [] }
      for y in ys { for x in xs { let copy = (base + y * c.windowsX + x) % k; if !copies.contains(copy) { copies.append(copy) } } }
      if copies.count == k { return e.tiles }
    }
    var tiles: [Int] = []
    for copy in copies.sorted() { for t in c.copies[copy].tiles where !tiles.contains(t) { tiles.append(t) } }
    return tiles.sorted()
  }
}
