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
}

/// Why a stage that could otherwise issue its next window does not.
enum StallReason { case input, output }

extension EngineCore {
  /// Tile buffer capacity [bits].
  var bufferBits: Int { spec.tile.buffer.sizeKB * 8192 }

  /// One past the last producer window (run index) that window `w` of consumer `s` reads through
  /// edge `ei`: its bottom-right input pixel's producer window, or the whole image for a flatten.
  func neededPrefix(stage s: Int, edge ei: Int, window w: Int) -> Int {
    let st = stages[s], e = edges[ei], producer = stages[e.producer]
    let image = w / st.perImage, local = w % st.perImage, before = image * producer.perImage
    if e.isFlatten { return before + producer.perImage }
    let wy = local / st.windowsX, wx = local % st.windowsX
    let y = min(max(wy * st.stepY - st.padding + st.extentY - 1 - e.offsetY, 0), e.producerHeight - 1)
    let x = min(max(wx * st.stepX - st.padding + st.extentX - 1 - e.offsetX, 0), e.producerWidth - 1)
    let need = (y / producer.outputsPerWindowY) * producer.windowsX + x / producer.outputsPerWindowX + 1
    return before + min(need, producer.perImage)
  }

  /// The first producer window (run index) that window `w` of consumer `s` reads through edge
  /// `ei`: its top-left input pixel's window. Windows before it are read by no later consumer
  /// window either (windows issue in raster order), so they can leave the buffer.
  func firstNeeded(stage s: Int, edge ei: Int, window w: Int) -> Int {
    let st = stages[s], e = edges[ei], producer = stages[e.producer]
    let image = w / st.perImage, local = w % st.perImage, before = image * producer.perImage
    if e.isFlatten { return before }
    let wy = local / st.windowsX, wx = local % st.windowsX
    let y = min(max(wy * st.stepY - st.padding - e.offsetY, 0), e.producerHeight - 1)
    let x = min(max(wx * st.stepX - st.padding - e.offsetX, 0), e.producerWidth - 1)
    return before + (y / producer.outputsPerWindowY) * producer.windowsX + x / producer.outputsPerWindowX
  }

  /// Checks that one window of every consumer can have its inputs in its tile's buffer at once;
  /// throws naming the layer and the sizes when it cannot.
  func checkWindowsFit() throws {
    let net = layout.network
    for (s, st) in stages.enumerated() where !st.producers.isEmpty && !isPooling(s) {
      var bits = 0, parts: [String] = []
      for ei in st.producers where stages[edges[ei].producer].spec.round == st.spec.round {
        var span = 0
        for w in 0..<st.perImage { span = max(span, neededPrefix(stage: s, edge: ei, window: w) - firstNeeded(stage: s, edge: ei, window: w)) }
        let p = stages[edges[ei].producer]
        bits += span * p.outputBits
        parts.append("\(span) windows x \(p.outputBits / 8) bytes of \(net.layers[p.spec.layer].name)")
      }
      guard bits <= bufferBits else {
        throw InputError("layer \(net.layers[st.spec.layer].name): one window reads \(bits / 8) bytes of inputs that must be in its tile's buffer at once (\(parts.joined(separator: " + "))), but tile.buffer.sizeKB \(spec.tile.buffer.sizeKB) holds \(bufferBits / 8) bytes")
      }
    }
  }

  /// Reserves buffer space on every tile that will receive window `w` of producer `s`; returns
  /// false, leaving nothing reserved and the stage waiting on the first full tile, when one lacks room.
  mutating func reserveOutputSpace(stage s: Int, window w: Int) -> Bool {
    guard !stages[s].groups.isEmpty, w < stages[s].spilledFrom else { return true }
    let bits = stages[s].outputBits
    var tiles: [Int] = []
    for ei in stages[s].consumers { for t in targets(edge: ei, window: w) where !tiles.contains(t) { tiles.append(t) } }
    if let full = tiles.first(where: { occupancy[$0] + bits > bufferBits }) {
      if !waiters[full].contains(s) { waiters[full].append(s) }
      return false
    }
    for t in tiles {
      occupancy[t] += bits
      peakOccupancy[t] = max(peakOccupancy[t], occupancy[t])
      let g = stages[s].groups.first { groups[$0].tile == t }!
      groups[g].resident.append(Int32(w))
    }
    return true
  }

  /// Consumer `s` has issued window `w`: producer windows it and later windows no longer read
  /// leave the buffers, and producers waiting for that space try again.
  mutating func releaseInputs(stage s: Int, window w: Int, now: UInt64) {
    guard !isPooling(s) else { return }   // pooling released its inputs as they arrived
    for ei in stages[s].producers {
      free(edge: ei, below: w + 1 < stages[s].windows ? firstNeeded(stage: s, edge: ei, window: w + 1) : Int.max, now: now)
    }
  }

  /// Whether stage `s` pools: it folds each input into running partial results as the input
  /// arrives (a global average keeps one sum per channel), so its inputs leave the buffer on arrival.
  func isPooling(_ s: Int) -> Bool { !stages[s].isMatrix && stages[s].digitalAction == .maxPoolOp }

  /// Producer windows of edge `ei` below `bound` are no longer read by its consumer: windows no
  /// consumer on their tile still reads leave the buffer, and producers waiting for room try again.
  mutating func free(edge ei: Int, below bound: Int, now: UInt64) {
    guard bound > edges[ei].freedBefore else { return }
    edges[ei].freedBefore = bound
    var freedTiles: [Int] = []
    for g in stages[edges[ei].producer].groups where groups[g].edges.contains(ei) {
      let held = groups[g].edges.map { edges[$0].freedBefore }.min()!
      let bits = stages[groups[g].producer].outputBits
      while let first = groups[g].resident.first, Int(first) < held {
        groups[g].resident.removeFirst()
        occupancy[groups[g].tile] -= bits
        if !freedTiles.contains(groups[g].tile) { freedTiles.append(groups[g].tile) }
      }
    }
    for t in freedTiles where !waiters[t].isEmpty {
      let waiting = waiters[t]
      waiters[t] = []
      for p in waiting { tryIssue(p, now: now) }
    }
  }

  /// Reads back over the off-chip links the spilled producer windows window `w` of stage `s`
  /// newly needs; returns when they are in (now when none are).
  mutating func readSpilled(stage s: Int, window w: Int, now: UInt64) -> UInt64 {
    var done = now
    for ei in stages[s].producers {
      let p = edges[ei].producer
      guard stages[p].spilledFrom < Int.max else { continue }
      let needed = neededPrefix(stage: s, edge: ei, window: w)
      let from = max(edges[ei].readBack, stages[p].spilledFrom)
      guard needed > from else { continue }
      edges[ei].readBack = needed
      done = max(done, offChip(bits: (needed - from) * stages[p].outputBits, now: now, stage: s))
    }
    return done
  }

  /// Moves `bits` over the off-chip links (FIFO, their combined bandwidth, then the access
  /// latency), charged to stage `stage`; returns when the data is through.
  mutating func offChip(bits: Int, now: UInt64, stage: Int) -> UInt64 {
    let h = spec.chip.hyperTransport
    let ns = Double(bits) / (Double(h.count) * h.bandwidthGBps * 8)
    let end = offChipLink.reserve(at: Cycle(now), for: spec.clock.cycles(ns: ns))
    stages[stage].counts[.offChipBit] += Double(bits)
    stages[stage].spilledBits += bits
    return end.value + offChipLatency
  }

  /// Starts counting a stall of stage `s` (if it is not already stalled for this reason).
  mutating func stall(_ s: Int, _ reason: StallReason, now: UInt64) {
    // Before its first window a stage waiting for inputs is filling the pipeline, not stalling.
    guard stages[s].nextWindow > 0 || reason == .output else { return }
    if let (r, _) = stages[s].stalled, r == reason { return }
    endStall(s, now: now)
    stages[s].stalled = (reason, now)
  }

  /// Ends the stall of stage `s`, if any, adding its length to the reason's count.
  mutating func endStall(_ s: Int, now: UInt64) {
    guard let (reason, since) = stages[s].stalled else { return }
    stages[s].stalled = nil
    if reason == .input { stages[s].stallInputCycles += now - since } else { stages[s].stallOutputCycles += now - since }
  }

  /// Nothing can happen any more but stages are unfinished. Producers waiting for buffer space
  /// then spill their windows from now on to off-chip memory, if the chip has links to it; returns
  /// whether that let anything move.
  mutating func resolveDeadlock(now: UInt64) -> Bool {
    guard spec.chip.hyperTransport.count > 0 else { return false }
    var moved = false
    for s in roundStages[round] where !stages[s].isFinished {
      guard let (reason, _) = stages[s].stalled, reason == .output else { continue }
      stages[s].spilledFrom = stages[s].nextWindow
      for t in waiters.indices { waiters[t].removeAll { $0 == s } }
      let before = stages[s].nextWindow
      tryIssue(s, now: now)
      moved = moved || stages[s].nextWindow > before
    }
    return moved
  }
}
