import DequeModule

// MARK: - Finite tile buffers: reservations, line-buffer freeing, stalls, spilling to off-chip memory

/// Producer windows held in one tile's buffer for the consumers reading them there.
struct BufferGroup {
  /// Producer stage.
  var producer: Int
  /// Tile holding the windows.
  var tile: Int
  /// Consumer edges of the producer that read on this tile.
  var edges: [Int]
  /// Producer windows held, in issue order.
  var resident = Deque<Int32>()
  /// Whether windows for this tile go to off-chip memory instead (after a would-be deadlock,
  /// until the consumers here have read back everything spilled).
  var isSpilling = false
  /// Windows spilled for this tile, as ranges in issue order.
  var spilled: [Range<Int>] = []
  /// Per edge in `edges`: spilled windows below this one have been read back.
  var readBack: [Int] = []
  /// What the group's consumers need held at once, and its share of the tile [bits].
  var needBits = 0, shareBits = 0
}

/// Why a stage that could otherwise issue its next window does not.
enum StallReason { case input, output }

extension EngineCore {
  /// Tile buffer capacity [bits].
  var bufferBits: Int { spec.tile.buffer.sizeKB * 8192 }

  /// One past the last producer window (run index) that window `w` of consumer `s` reads through
  /// edge `ei`: its bottom-right input pixel's producer window, or the whole image for a flatten.
  func neededPrefix(stage s: Int, edge ei: Int, window w: Int) -> Int {
    // Field by field: copying a whole stage or edge would retain every array in it.
    let per = config[s].perImage, p = edges[ei].producer, pPer = config[p].perImage
    let image = w / per, local = w % per, before = image * pPer
    if edges[ei].isFlatten { return before + pPer }
    let wx = config[s].windowsX, wy = local / wx, wxi = local % wx
    let y = min(max(wy * config[s].stepY - config[s].padding + config[s].extentY - 1 - edges[ei].offsetY, 0),
                edges[ei].producerHeight - 1)
    let x = min(max(wxi * config[s].stepX - config[s].padding + config[s].extentX - 1 - edges[ei].offsetX, 0),
                edges[ei].producerWidth - 1)
    let need = (y / config[p].outputsPerWindowY) * config[p].windowsX + x / config[p].outputsPerWindowX + 1
    return before + min(need, pPer)
  }

  /// The first producer window (run index) that window `w` of consumer `s` reads through edge
  /// `ei`: its top-left input pixel's window. Windows before it are read by no later consumer
  /// window either (windows issue in raster order), so they can leave the buffer.
  func firstNeeded(stage s: Int, edge ei: Int, window w: Int) -> Int {
    let per = config[s].perImage, p = edges[ei].producer
    let image = w / per, local = w % per, before = image * config[p].perImage
    if edges[ei].isFlatten { return before }
    let wx = config[s].windowsX, wy = local / wx, wxi = local % wx
    let y = min(max(wy * config[s].stepY - config[s].padding - edges[ei].offsetY, 0), edges[ei].producerHeight - 1)
    let x = min(max(wxi * config[s].stepX - config[s].padding - edges[ei].offsetX, 0), edges[ei].producerWidth - 1)
    return before + (y / config[p].outputsPerWindowY) * config[p].windowsX + x / config[p].outputsPerWindowX
  }

  /// Producer windows one window of consumer `s` reads at once through edge `ei` (1 for pooling,
  /// which folds its inputs as they arrive).
  func span(stage s: Int, edge ei: Int) -> Int {
    guard !isPooling(s) else { return 1 }
    var span = 1
    for w in 0..<config[s].perImage {
      span = max(span, neededPrefix(stage: s, edge: ei, window: w) - firstNeeded(stage: s, edge: ei, window: w))
    }
    return span
  }

  /// Windows of producer `p` a consumer on edge `ei` must be able to hold at once: the line
  /// buffer one of its windows reads, or, for an input of a join (a residual addition), the skew
  /// to the join's other branches. They fork at a common ancestor F; the join's window w cannot
  /// issue before the longer branch delivers its part, which needs F up to its composed need for
  /// w, and from those F windows `p` can run ahead to window `ahead` of F's count. `p` must be
  /// able to hold its windows from the join's first needed one to `ahead`. Either way plus the
  /// producer's windows in flight, which hold room from the moment they issue (Little's law).
  func need(edge ei: Int) -> Int {
    let c = edges[ei].consumer, p = edges[ei].producer
    var need = span(stage: c, edge: ei)
    for o in config[c].producers where o != ei {
      let q = edges[o].producer
      guard let fork = ancestors[p].union([p]).intersection(ancestors[q].union([q])).max() else { continue }
      for w in 0..<config[c].perImage {
        let fromFork = fork == q ? neededPrefix(stage: c, edge: o, window: w)
          : composedNeed(of: fork, at: q, window: neededPrefix(stage: c, edge: o, window: w) - 1)
        need = max(need, windows(of: p, from: fork, given: fromFork) - firstNeeded(stage: c, edge: ei, window: w))
      }
    }
    // Room is reserved when a window issues, so the producer's windows in flight hold some too.
    return need + config[p].capacity
  }

  /// How many windows stage `p` can complete once its ancestor `fork` has delivered `n`.
  func windows(of p: Int, from fork: Int, given n: Int) -> Int {
    guard p != fork else { return n }
    var lo = 0, hi = config[p].perImage   // the count is the first window that needs more than n
    while lo < hi {
      let mid = (lo + hi) / 2
      if composedNeed(of: fork, at: p, window: mid) <= n { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// One past the last window of ancestor `p` that window `w` of stage `s` depends on.
  func composedNeed(of p: Int, at s: Int, window w: Int) -> Int {
    var latest = 0
    for e in config[s].producers {
      let q = edges[e].producer, n = neededPrefix(stage: s, edge: e, window: max(0, w))
      if q == p { latest = max(latest, n) } else if ancestors[q].contains(p) {
        latest = max(latest, composedNeed(of: p, at: q, window: n - 1))
      }
    }
    return latest
  }

  /// Shares each tile's buffer among the groups it holds, in proportion to what each needs at
  /// once (see `need(edge:)`): every group gets its need and a share of the rest, and never holds
  /// more than its share, so a fast branch of a fork cannot take the room the other branch's
  /// outputs must reach (the deadlock of a residual join). A tile whose groups need more than it
  /// holds cannot promise that; there they share it first come, first served (and a deadlock spills).
  mutating func shareBuffers() {
    ancestors = Array(repeating: [], count: config.count)
    for s in config.indices {
      for e in config[s].producers {
        ancestors[s].insert(edges[e].producer)
        ancestors[s].formUnion(ancestors[edges[e].producer])
      }
    }
    for g in groups.indices {
      let bits = config[groups[g].producer].outputBits
      groups[g].needBits = groups[g].edges.map { need(edge: $0) * bits }.max() ?? 0
      tileGroups[groups[g].tile].append(g)
    }
    for t in tileGroups.indices {
      let total = tileGroups[t].reduce(0) { $0 + groups[$1].needBits }
      for g in tileGroups[t] {
        // A tile too small for all its groups' needs cannot promise them anything: first come, first served.
        groups[g].shareBits = total == 0 || total > bufferBits ? bufferBits
          : Int(Double(bufferBits) * Double(groups[g].needBits) / Double(total))
      }
    }
  }

  /// Bits group `g` holds.
  func heldBits(_ g: Int) -> Int { groups[g].resident.count * config[groups[g].producer].outputBits }

  /// Whether group `g` can take `bits` more: within its share, and within the tile.
  func hasRoom(group g: Int, bits: Int) -> Bool {
    heldBits(g) + bits <= groups[g].shareBits && occupancy[groups[g].tile] + bits <= bufferBits
  }

  /// Checks that one window of every consumer can have its inputs in its tile's buffer at once;
  /// throws naming the layer and the sizes when it cannot.
  func checkWindowsFit() throws {
    let net = layout.network
    for (s, st) in config.enumerated() where !st.producers.isEmpty && !isPooling(s) {
      var bits = 0, parts: [String] = []
      for ei in st.producers where config[edges[ei].producer].spec.round == st.spec.round {
        var span = 0
        for w in 0..<st.perImage {
          span = max(span, neededPrefix(stage: s, edge: ei, window: w) - firstNeeded(stage: s, edge: ei, window: w))
        }
        let p = config[edges[ei].producer]
        bits += span * p.outputBits
        parts.append("\(span) windows x \(p.outputBits / 8) bytes of \(net.layers[p.spec.layer].name)")
      }
      guard bits <= bufferBits else {
        throw InputError("layer \(net.layers[st.spec.layer].name): one window reads \(bits / 8) bytes of inputs that " +
            "must be in its tile's buffer at once (\(parts.joined(separator: " + "))), but " +
            "tile.buffer.sizeKB \(spec.tile.buffer.sizeKB) holds \(bufferBits / 8) bytes")
      }
    }
  }

  /// Reserves buffer space on every tile that will receive window `w` of producer `s`; returns
  /// false, leaving nothing reserved and the stage waiting on the first full tile, when one lacks room.
  /// Reserves buffer space on every tile that will receive window `w` of producer `s` (a tile
  /// being spilled to gets the window off chip instead); returns false, leaving nothing reserved
  /// and the stage waiting on the first full tile, when one lacks room.
  mutating func reserveOutputSpace(stage s: Int, window w: Int) -> Bool {
    guard !config[s].groups.isEmpty else { return true }
    let bits = config[s].outputBits
    let (tiles, readers) = destinations(stage: s, window: w)
    if config[s].fixedDestinations == nil { progress[s].destinationCache[w % config[s].capacity] = (w, tiles, readers) }
    func group(_ t: Int) -> Int { config[s].groups.first { groups[$0].tile == t }! }
    func skipped(_ g: Int) -> Bool { groups[g].edges.allSatisfy { edges[$0].freedBefore > w } }
    let full = tiles.first {
      !groups[group($0)].isSpilling && !skipped(group($0)) && !hasRoom(group: group($0), bits: bits)
    }
    if let full {
      if !waiters[full].contains(s) { waiters[full].append(s) }
      return false
    }
    for t in tiles {
      let g = group(t)
      // Below every consumer's free pointer (a strided consumer skips it): nobody will read it here.
      if groups[g].edges.allSatisfy({ edges[$0].freedBefore > w }) { continue }
      if groups[g].isSpilling {
        hasSpilled = true
        if let last = groups[g].spilled.last, last.upperBound == w {
          groups[g].spilled[groups[g].spilled.count - 1] = last.lowerBound..<(w + 1)
        } else {
          groups[g].spilled.append(w..<(w + 1))
        }
        continue
      }
      occupancy[t] += bits
      peakOccupancy[t] = max(peakOccupancy[t], occupancy[t])
      groups[g].resident.append(Int32(w))
    }
    return true
  }

  /// Whether window `w` of stage `s` went off chip for tile `t`.
  func isSpilled(stage s: Int, window w: Int, tile t: Int) -> Bool {
    guard let g = config[s].groups.first(where: { groups[$0].tile == t }) else { return false }
    return groups[g].spilled.contains { $0.contains(w) }
  }

  /// Consumer `s` has issued window `w`: producer windows it and later windows no longer read
  /// leave the buffers, and producers waiting for that space try again.
  mutating func releaseInputs(stage s: Int, window w: Int, now: Cycle) {
    guard !isPooling(s) else { return }   // pooling released its inputs as they arrived
    for ei in config[s].producers {
      free(edge: ei, below: w + 1 < config[s].windows ? firstNeeded(stage: s, edge: ei, window: w + 1) : Int.max,
           now: now)
    }
  }

  /// Whether stage `s` pools: it folds each input into running partial results as the input
  /// arrives (a global average keeps one sum per channel), so its inputs leave the buffer on arrival.
  func isPooling(_ s: Int) -> Bool { config[s].isPooling }

  /// Producer windows of edge `ei` below `bound` are no longer read by its consumer: windows no
  /// consumer on their tile still reads leave the buffer, and producers waiting for room try again.
  mutating func free(edge ei: Int, below bound: Int, now: Cycle) {
    guard bound > edges[ei].freedBefore else { return }
    edges[ei].freedBefore = bound
    var freedTiles: [Int] = []
    for g in config[edges[ei].producer].groups where groups[g].edges.contains(ei) {
      var held = Int.max
      for e in groups[g].edges { held = min(held, edges[e].freedBefore) }
      let bits = config[groups[g].producer].outputBits
      while let first = groups[g].resident.first, Int(first) < held {
        groups[g].resident.removeFirst()
        occupancy[groups[g].tile] -= bits
        if !freedTiles.contains(groups[g].tile) { freedTiles.append(groups[g].tile) }
      }
    }
    for t in freedTiles { wake(tile: t, now: now) }
  }

  /// Room may have appeared on tile `t`: its waiting producers try again, in an event of this
  /// same cycle (never from inside another stage's issue).
  mutating func wake(tile t: Int, now: Cycle) {
    guard !waiters[t].isEmpty, !isWakeScheduled[t] else { return }
    isWakeScheduled[t] = true
    queue.schedule(.retry(tile: Int32(t)), at: now)
  }

  /// The `retry` event: every producer waiting for room on tile `t` tries again.
  mutating func retry(tile t: Int, now: Cycle) {
    isWakeScheduled[t] = false
    let waiting = waiters[t]
    waiters[t] = []
    for p in waiting { tryIssue(p, now: now) }
  }

  /// Reads back over the off-chip links the spilled producer windows window `w` of stage `s`
  /// newly needs; returns when they are in (now when none are).
  mutating func readSpilled(stage s: Int, window w: Int, now: Cycle) -> Cycle {
    guard hasSpilled else { return now }
    var done = now
    let tiles = config[s].copies[w % config[s].copies.count].tiles
    for ei in config[s].producers {
      let p = edges[ei].producer
      for g in config[p].groups where !groups[g].spilled.isEmpty && tiles.contains(groups[g].tile) {
        guard let k = groups[g].edges.firstIndex(of: ei) else { continue }
        let needed = neededPrefix(stage: s, edge: ei, window: w), from = groups[g].readBack[k]
        guard needed > from else { continue }
        groups[g].readBack[k] = needed
        let count = groups[g].spilled.reduce(0) { $0 + $1.clamped(to: from..<needed).count }
        if count > 0 { done = max(done, offChip(bits: count * config[p].outputBits, now: now, stage: s)) }
        // Every consumer here has caught up with what was spilled: the tile's buffer takes over again.
        if groups[g].isSpilling, groups[g].readBack.min()! >= groups[g].spilled.last!.upperBound {
          groups[g].isSpilling = false
        }
      }
    }
    return done
  }

  /// Moves `bits` over the off-chip links (FIFO, their combined bandwidth, then the access
  /// latency), charged to stage `stage`; returns when the data is through.
  mutating func offChip(bits: Int, now: Cycle, stage: Int) -> Cycle {
    let h = spec.chip.hyperTransport
    let ns = Double(bits) / (Double(h.count) * h.bandwidthGBps * 8)
    let end = use(.offChip, 0, at: now, for: spec.clock.cycles(ns: ns), stage: stage)
    stats[stage].counts[.offChipBit] += Double(bits)
    stats[stage].spilledBits += bits
    return end + timing.offChipAccess
  }

  /// Starts counting a stall of stage `s` (if it is not already stalled for this reason).
  mutating func stall(_ s: Int, _ reason: StallReason, now: Cycle) {
    // Before its first window a stage waiting for inputs is filling the pipeline, not stalling.
    guard progress[s].nextWindow > 0 || reason == .output else { return }
    if let (r, _) = progress[s].stalled, r == reason { return }
    endStall(s, now: now)
    progress[s].stalled = (reason, now)
  }

  /// Ends the stall of stage `s`, if any, adding its length to the reason's count.
  mutating func endStall(_ s: Int, now: Cycle) {
    guard let (reason, since) = progress[s].stalled else { return }
    progress[s].stalled = nil
    if reason == .input { stats[s].stallInputCycles += now - since } else { stats[s].stallOutputCycles += now - since }
  }

  /// Nothing can happen any more but stages are unfinished. Producers waiting for room on a full
  /// tile then send that tile's windows to off-chip memory instead, until the consumers there
  /// have read back everything spilled, if the chip has links to it; returns whether that let
  /// anything move.
  mutating func resolveDeadlock(now: Cycle) -> Bool {
    guard spec.chip.hyperTransport.count > 0 else { return false }
    var moved = false
    for t in waiters.indices where !waiters[t].isEmpty {
      // The waiting producer holding the most of the full tile spills (a join's early branch).
      let candidates = waiters[t].filter { !progress[$0].isFinished }
      guard let s = candidates.max(by: { held(stage: $0, tile: t) < held(stage: $1, tile: t) }),
            let g = config[s].groups.first(where: { groups[$0].tile == t }) else { continue }
      groups[g].isSpilling = true
      waiters[t].removeAll { $0 == s }
      let before = progress[s].nextWindow
      tryIssue(s, now: now)
      moved = moved || progress[s].nextWindow > before
    }
    return moved
  }

  /// Windows of stage `s` held on tile `t`.
  func held(stage s: Int, tile t: Int) -> Int {
    config[s].groups.first { groups[$0].tile == t }.map { groups[$0].resident.count } ?? 0
  }
}
