// MARK: - Delivering a window's outputs to the tiles that will read them

extension EngineCore {
  /// The tiles window `w` of stage `s` goes to, and per tile which of the stage's consumer edges
  /// (bit k: `consumers[k]`, at most 16) read it there. Without replicated consumers, always the same.
  func destinations(stage s: Int, window w: Int) -> (tiles: [Int], readers: [UInt64]) {
    if let fixed = config[s].fixedDestinations { return fixed }
    if !progress[s].destinationCache.isEmpty, let cached = progress[s].destinationCache[w % config[s].capacity],
       cached.window == w {
      return (cached.tiles, cached.readers)
    }
    var tiles: [Int] = [], readers: [UInt64] = []
    for (k, ei) in config[s].consumers.enumerated() {
      for t in targets(edge: ei, window: w) {
        if let i = tiles.firstIndex(of: t) {
          readers[i] |= 1 << UInt64(k)
        } else {
          tiles.append(t)
          readers.append(1 << UInt64(k))
        }
      }
    }
    return (tiles, readers)
  }

  /// Sends the outputs of window `w` of stage `s` from its copy's home tile to every tile where a
  /// consumer window reads them: each destination tile gets one transfer and one buffer write,
  /// however many consumers sit on it.
  mutating func send(stage s: Int, window w: Int, now: Cycle) {
    let home = config[s].copies[w % config[s].copies.count].home
    let (tiles, readers) = destinations(stage: s, window: w)
    for k in config[s].consumers.indices {
      let ei = config[s].consumers[k]
      var expected: UInt16 = 0
      for r in readers where r & (1 << UInt64(k)) != 0 { expected += 1 }
      progress[s].outstanding += 1
      edges[ei].expected[w] = expected
      if expected == 0 { delivered(edge: ei, window: w, now: now) }
    }
    var offChipDone: Cycle?
    for (i, t) in tiles.enumerated() {
      if hasSpilled, isSpilled(stage: s, window: w, tile: t) {
        // One copy to off-chip memory for all spilled tiles; consumers read it back when they need it.
        let done = offChipDone ?? offChip(bits: config[s].outputBits, now: now, stage: s)
        offChipDone = done
        queue.schedule(.landed(stage: Int32(s), window: Int32(w), tile: UInt16(t), readers: UInt16(readers[i])),
                       at: done)
        continue
      }
      if t == home { land(stage: s, window: w, readers: readers[i], now: now); continue }
      let arrival = transfer(bits: config[s].outputBits, from: home, to: t, now: now, stage: s)
      queue.schedule(.arrived(stage: Int32(s), window: Int32(w), tile: UInt16(t), readers: UInt16(readers[i])),
                     at: arrival)
    }
  }

  /// The outputs reached tile `t` over the NoC: one buffer write, then they have landed.
  mutating func arrived(stage s: Int, window w: Int, tile t: Int, readers: UInt64, now: Cycle) {
    let done = reserveBuffer(tile: t, bits: config[s].outputBits, now: now, stage: s)
    queue.schedule(.landed(stage: Int32(s), window: Int32(w), tile: UInt16(t), readers: UInt16(readers)), at: done)
  }

  /// The outputs are in a tile's buffer: the consumer edges in `readers` have them there.
  mutating func land(stage s: Int, window w: Int, readers: UInt64, now: Cycle) {
    var r = readers
    while r != 0 {
      let k = r.trailingZeroBitCount
      r &= r - 1
      let ei = config[s].consumers[k]
      edges[ei].arrivals[w] += 1
      if edges[ei].arrivals[w] == edges[ei].expected[w] { delivered(edge: ei, window: w, now: now) }
    }
  }

  /// Window `w` of the producer has reached every tile that reads it for edge `ei`.
  mutating func delivered(edge ei: Int, window w: Int, now: Cycle) {
    edges[ei].isDelivered[w] = true
    while edges[ei].prefix < edges[ei].isDelivered.count && edges[ei].isDelivered[edges[ei].prefix] {
      edges[ei].prefix += 1
    }
    if isPooling(edges[ei].consumer) { free(edge: ei, below: edges[ei].prefix, now: now) }
    let p = edges[ei].producer
    progress[p].outstanding -= 1
    stats[p].lastEnd = max(stats[p].lastEnd, now)
    tryIssue(edges[ei].consumer, now: now)
    checkFinished(p, now: now)
  }

  /// Tiles of the consumer copies whose windows read producer window `w` of edge `ei`. With one
  /// copy, all its tiles. With several (windows dealt round-robin), only the copies of the
  /// consumer windows whose input rows and columns overlap the producer window's outputs.
  func targets(edge ei: Int, window w: Int) -> [Int] {
    let c = edges[ei].consumer, k = config[c].copies.count
    guard k > 1 else { return edges[ei].tiles }
    let p = edges[ei].producer, pPer = config[p].perImage
    let image = w / pPer, local = w % pPer, base = image * config[c].perImage
    var copies: [Int] = []
    if edges[ei].isFlatten {
      copies = [base % k]
    } else {
      let pad = config[c].padding, pwx = config[p].windowsX
      let py = local / pwx, px = local % pwx
      func range(_ first: Int, _ count: Int, _ size: Int, offset: Int, step: Int, extent: Int,
                 windows: Int) -> ClosedRange<Int>? {
        let lo = first + offset + pad - extent + 1, hi = min(first + count, size) - 1 + offset + pad
        let from = max(0, lo <= 0 ? 0 : (lo + step - 1) / step), to = min(windows - 1, hi < 0 ? -1 : hi / step)
        return from <= to ? from...to : nil
      }
      let oy = config[p].outputsPerWindowY, ox = config[p].outputsPerWindowX, cwx = config[c].windowsX
      guard let ys = range(py * oy, oy, edges[ei].producerHeight, offset: edges[ei].offsetY, step: config[c].stepY,
                           extent: config[c].extentY, windows: config[c].windowsY),
            let xs = range(px * ox, ox, edges[ei].producerWidth, offset: edges[ei].offsetX, step: config[c].stepX,
                           extent: config[c].extentX, windows: cwx) else { return [] }
      for y in ys {
        for x in xs {
          let copy = (base + y * cwx + x) % k
          if !copies.contains(copy) { copies.append(copy) }
        }
      }
      if copies.count == k { return edges[ei].tiles }
    }
    var tiles: [Int] = []
    for copy in copies { for t in config[c].copies[copy].tiles where !tiles.contains(t) { tiles.append(t) } }
    return tiles.sorted()
  }
}
