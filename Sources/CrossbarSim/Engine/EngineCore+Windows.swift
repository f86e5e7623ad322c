extension EngineCore {
  // MARK: - Windows

  func isGateOpen(_ s: Int) -> Bool {
    let st = stages[s]
    guard st.spec.round == round, !st.isFinished else { return false }
    if options.schedule == .layer { return roundStages[round][firstUnfinished[round]] == s }
    return true
  }

  /// Whether every producer window that window `w` of stage `s` reads has been delivered
  /// (windows of the run are images back to back; producers stream images in order).
  func inputsAvailable(stage s: Int, window w: Int) -> Bool {
    for ei in stages[s].producers where stages[edges[ei].producer].spec.round == round {
      if edges[ei].prefix < neededPrefix(stage: s, edge: ei, window: w) { return false }
    }
    return true
  }

  /// Issues the stage's next windows while its input register has room, their inputs have been
  /// delivered and its consumers' buffers have room for their outputs; records why it stops.
  mutating func tryIssue(_ s: Int, now: UInt64) {
    guard isGateOpen(s) else { return }
    while stages[s].nextWindow < stages[s].windows, stages[s].nextWindow < stages[s].oldest + stages[s].capacity {
      let w = stages[s].nextWindow
      guard inputsAvailable(stage: s, window: w) else { stall(s, .input, now: now); return }
      guard reserveOutputSpace(stage: s, window: w) else { stall(s, .output, now: now); return }
      endStall(s, now: now)
      stages[s].nextWindow += 1
      issue(stage: s, window: w, now: now)
    }
  }

  mutating func issue(stage s: Int, window w: Int, now: UInt64) {
    let slot = w % stages[s].capacity
    stages[s].isDone[slot] = false
    stages[s].firstStart = min(stages[s].firstStart, now)
    let spilled = readSpilled(stage: s, window: w, now: now)
    releaseInputs(stage: s, window: w, now: now)
    if stages[s].isMatrix {
      let c = w % stages[s].copies.count
      stages[s].remaining[slot] = Int32(stages[s].copies[c].crossbars.count)
      stages[s].windowDone[slot] = 0
      let regBits = Double(spec.ima.inputRegister.accessBits)
      for (u, unit) in stages[s].copies[c].units.enumerated() {
        let done = max(spilled, reserveBuffer(tile: unit.tile, bits: unit.bits, now: now, stage: s))
        stages[s].counts[.busBit] += Double(unit.bits)
        stages[s].counts[.inputRegisterAccess] += (Double(unit.bits) / regBits).rounded(.up)
        queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: Int32(u)), at: Cycle(done))
      }
    } else {
      stages[s].remaining[slot] = 1
      let done = max(spilled, reserveBuffer(tile: stages[s].copies[0].home, bits: stages[s].digitalInputBits, now: now, stage: s))
      queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: 0), at: Cycle(done))
    }
  }

  mutating func inputReady(stage s: Int, window w: Int, unit u: Int, now: UInt64) {
    if !stages[s].isMatrix {
      let tile = stages[s].copies[0].home, busy = Cycles(stages[s].digitalCycles)
      let pooling = stages[s].digitalAction == .maxPoolOp
      let end = pooling ? maxPools[tile].reserve(at: Cycle(now), for: busy).value : shiftAdds[tile].reserve(at: Cycle(now), for: busy).value
      if trace != nil {
        traceTile(stage: s, tile: tile, thread: pooling ? TraceTrack.maxPool : TraceTrack.shiftAdd, end: end, duration: busy.count)
      }
      stages[s].counts[stages[s].digitalAction] += stages[s].digitalOps
      queue.schedule(.windowComputed(stage: Int32(s), window: Int32(w)), at: Cycle(end))
      return
    }
    let c = w % stages[s].copies.count
    for local in stages[s].copies[c].units[u].crossbars {
      let phys = Int(stages[s].copies[c].crossbars[Int(local)].physical)
      crossbarStates[phys].queue.append((Int32(s), Int32(w), local))
      if crossbarStates[phys].readFree <= now && !crossbarStates[phys].isWakePending {
        startNext(crossbar: phys, now: now)
      } else if !crossbarStates[phys].isWakePending {
        crossbarStates[phys].isWakePending = true
        queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(crossbarStates[phys].readFree))
      }
    }
  }

  mutating func windowComputed(stage s: Int, window w: Int, now: UInt64) {
    var arrival = now
    let c = w % stages[s].copies.count, home = stages[s].copies[c].home
    for (tile, bits) in stages[s].copies[c].remote {
      arrival = max(arrival, transfer(bits: bits, from: tile, to: home, now: now, stage: s))
    }
    if arrival == now { reduce(stage: s, window: w, now: now) } else {
      queue.schedule(.reduce(stage: Int32(s), window: Int32(w)), at: Cycle(arrival))
    }
  }

  mutating func reduce(stage s: Int, window w: Int, now: UInt64) {
    var t = now
    let home = stages[s].copies[w % stages[s].copies.count].home
    if stages[s].psumBits > 0 { t = reserveBuffer(tile: home, bits: stages[s].psumBits, now: now, stage: s) }
    let ops = stages[s].reduceOps
    if ops > 0 {
      t = shiftAdds[home].reserve(at: Cycle(t), for: Cycles(ops)).value
      stages[s].counts[.tileShiftAdd] += Double(ops)
      if trace != nil { traceTile(stage: s, tile: home, thread: TraceTrack.shiftAdd, end: t, duration: ops) }
    }
    if t == now { write(stage: s, window: w, now: now) } else {
      queue.schedule(.write(stage: Int32(s), window: Int32(w)), at: Cycle(t))
    }
  }

  mutating func write(stage s: Int, window w: Int, now: UInt64) {
    let home = stages[s].copies[w % stages[s].copies.count].home
    let bits = stages[s].outputBits
    let done = reserveBuffer(tile: home, bits: bits, now: now, stage: s)
    stages[s].counts[.tileOutputRegisterAccess] += (Double(bits) / Double(spec.tile.outputRegister.accessBits)).rounded(.up)
    if stages[s].isMatrix {
      stages[s].counts[.imaOutputRegisterAccess] += (Double(bits) / Double(spec.ima.outputRegister.accessBits)).rounded(.up)
      if stages[s].spec.isFinalChunk {
        stages[s].counts[.sigmoidOp] += (Double(stages[s].outputValues) / Double(spec.tile.sigmoid.lanes)).rounded(.up)
        switch stages[s].rescale {
        case .none: break
        case .shift: stages[s].counts[.rescaleShift] += Double(stages[s].outputValues)
        case .multiply: stages[s].counts[.rescaleMultiply] += Double(stages[s].outputValues)
        }
      }
    }
    queue.schedule(.written(stage: Int32(s), window: Int32(w)), at: Cycle(done))
  }

  mutating func written(stage s: Int, window w: Int, now: UInt64) {
    let cap = stages[s].capacity
    stages[s].isDone[w % cap] = true
    while stages[s].oldest < stages[s].nextWindow && stages[s].isDone[stages[s].oldest % cap] {
      stages[s].isDone[stages[s].oldest % cap] = false
      stages[s].oldest += 1
    }
    stages[s].completed += 1
    stages[s].lastEnd = max(stages[s].lastEnd, now)
    if stages[s].isSink {
      let image = w / stages[s].perImage
      stages[s].writtenInImage[image] += 1
      if Int(stages[s].writtenInImage[image]) == stages[s].perImage { imageDone[image] = max(imageDone[image], now) }
    }
    send(stage: s, window: w, now: now)
    tryIssue(s, now: now)
    checkFinished(s, now: now)
  }

  mutating func checkFinished(_ s: Int, now: UInt64) {
    guard !stages[s].isFinished, stages[s].completed == stages[s].windows, stages[s].outstanding == 0 else { return }
    stages[s].isFinished = true
    let r = stages[s].spec.round
    while firstUnfinished[r] < roundStages[r].count && stages[roundStages[r][firstUnfinished[r]]].isFinished {
      firstUnfinished[r] += 1
    }
    if firstUnfinished[r] == roundStages[r].count {
      roundEnd = max(roundEnd, now)
      if r + 1 < placement.rounds {
        let t = now + programmingTime(round: r + 1)
        queue.schedule(.roundStart(round: Int32(r + 1)), at: Cycle(t))
      }
    } else if options.schedule == .layer {
      tryIssue(roundStages[r][firstUnfinished[r]], now: now)
    }
  }
}
