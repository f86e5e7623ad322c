extension EngineCore {
  // MARK: - Windows

  func isGateOpen(_ s: Int) -> Bool {
    guard config[s].spec.round == round, !progress[s].isFinished else { return false }
    if options.schedule == .layer { return roundStages[round][firstUnfinished[round]] == s }
    return true
  }

  /// Whether every producer window that window `w` of stage `s` reads has been delivered
  /// (windows of the run are images back to back; producers stream images in order).
  func inputsAvailable(stage s: Int, window w: Int) -> Bool {
    for ei in config[s].producers where config[edges[ei].producer].spec.round == round {
      if edges[ei].prefix < neededPrefix(stage: s, edge: ei, window: w) { return false }
    }
    return true
  }

  /// Issues the stage's next windows while its input register has room, their inputs have been
  /// delivered and its consumers' buffers have room for their outputs; records why it stops.
  mutating func tryIssue(_ s: Int, now: Cycle) {
    guard isGateOpen(s) else { return }
    while progress[s].nextWindow < config[s].windows, progress[s].nextWindow < progress[s].oldest + config[s].capacity {
      let w = progress[s].nextWindow
      guard inputsAvailable(stage: s, window: w) else { stall(s, .input, now: now); return }
      guard reserveOutputSpace(stage: s, window: w) else { stall(s, .output, now: now); return }
      endStall(s, now: now)
      progress[s].nextWindow += 1
      issue(stage: s, window: w, now: now)
    }
  }

  mutating func issue(stage s: Int, window w: Int, now: Cycle) {
    let slot = w % config[s].capacity
    progress[s].isDone[slot] = false
    stats[s].firstStart = min(stats[s].firstStart, now)
    let spilled = readSpilled(stage: s, window: w, now: now)
    releaseInputs(stage: s, window: w, now: now)
    if config[s].isMatrix {
      let c = w % config[s].copies.count
      progress[s].remaining[slot] = Int32(config[s].copies[c].crossbars.count)
      progress[s].windowDone[slot] = .zero
      let regBits = Double(spec.ima.inputRegister.accessBits)
      for (u, unit) in config[s].copies[c].units.enumerated() {
        let done = max(spilled, reserveBuffer(tile: unit.tile, bits: unit.bits, now: now, stage: s))
        stats[s].counts[.busBit] += Double(unit.bits)
        stats[s].counts[.inputRegisterAccess] += (Double(unit.bits) / regBits).rounded(.up)
        queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: Int32(u)), at: done)
      }
    } else {
      progress[s].remaining[slot] = 1
      let done = max(spilled, reserveBuffer(tile: config[s].copies[0].home, bits: config[s].digitalInputBits, now: now,
                                            stage: s))
      queue.schedule(.inputReady(stage: Int32(s), window: Int32(w), unit: 0), at: done)
    }
  }

  mutating func inputReady(stage s: Int, window w: Int, unit u: Int, now: Cycle) {
    if !config[s].isMatrix {
      let tile = config[s].copies[0].home
      let end = use(config[s].digitalResource, tile, at: now,
                    for: config[s].digitalCycles, stage: s)
      stats[s].counts[config[s].digitalAction] += config[s].digitalOps
      queue.schedule(.windowComputed(stage: Int32(s), window: Int32(w)), at: end)
      return
    }
    let c = w % config[s].copies.count
    for local in config[s].copies[c].units[u].crossbars {
      let phys = config[s].copies[c].crossbars[Int(local)].physical
      crossbarStates[phys].queue.append((Int32(s), Int32(w), local))
      if crossbarStates[phys].readFree <= now && !crossbarStates[phys].isWakePending {
        startNext(crossbar: phys, now: now)
      } else if !crossbarStates[phys].isWakePending {
        crossbarStates[phys].isWakePending = true
        queue.schedule(.wake(crossbar: phys.raw), at: crossbarStates[phys].readFree)
      }
    }
  }

  mutating func windowComputed(stage s: Int, window w: Int, now: Cycle) {
    var arrival = now
    let c = w % config[s].copies.count, home = config[s].copies[c].home
    for (tile, bits) in config[s].copies[c].remote {
      arrival = max(arrival, transfer(bits: bits, from: tile, to: home, now: now, stage: s))
    }
    if arrival == now { reduce(stage: s, window: w, now: now) } else {
      queue.schedule(.reduce(stage: Int32(s), window: Int32(w)), at: arrival)
    }
  }

  mutating func reduce(stage s: Int, window w: Int, now: Cycle) {
    var t = now
    let home = config[s].copies[w % config[s].copies.count].home
    if config[s].psumBits > 0 { t = reserveBuffer(tile: home, bits: config[s].psumBits, now: now, stage: s) }
    let ops = config[s].reduceOps
    if ops > .zero {
      t = use(.shiftAdd, home, at: t, for: ops, stage: s)
      stats[s].counts[.tileShiftAdd] += Double(ops.count)
    }
    if t == now { write(stage: s, window: w, now: now) } else {
      queue.schedule(.write(stage: Int32(s), window: Int32(w)), at: t)
    }
  }

  mutating func write(stage s: Int, window w: Int, now: Cycle) {
    let home = config[s].copies[w % config[s].copies.count].home
    let bits = config[s].outputBits
    let done = reserveBuffer(tile: home, bits: bits, now: now, stage: s)
    let tileRegister = Double(spec.tile.outputRegister.accessBits)
    let imaRegister = Double(spec.ima.outputRegister.accessBits)
    stats[s].counts[.tileOutputRegisterAccess] += (Double(bits) / tileRegister).rounded(.up)
    if config[s].isMatrix {
      stats[s].counts[.imaOutputRegisterAccess] += (Double(bits) / imaRegister).rounded(.up)
      if config[s].spec.isFinalChunk {
        stats[s].counts[.sigmoidOp] += (Double(config[s].outputValues) / Double(spec.tile.sigmoid.lanes)).rounded(.up)
        switch config[s].rescale {
        case .none: break
        case .shift: stats[s].counts[.rescaleShift] += Double(config[s].outputValues)
        case .multiply: stats[s].counts[.rescaleMultiply] += Double(config[s].outputValues)
        }
      }
    }
    queue.schedule(.written(stage: Int32(s), window: Int32(w)), at: done)
  }

  mutating func written(stage s: Int, window w: Int, now: Cycle) {
    let cap = config[s].capacity
    progress[s].isDone[w % cap] = true
    while progress[s].oldest < progress[s].nextWindow && progress[s].isDone[progress[s].oldest % cap] {
      progress[s].isDone[progress[s].oldest % cap] = false
      progress[s].oldest += 1
    }
    progress[s].completed += 1
    stats[s].lastEnd = max(stats[s].lastEnd, now)
    if config[s].isSink {
      let image = w / config[s].perImage
      progress[s].writtenInImage[image] += 1
      if Int(progress[s].writtenInImage[image]) == config[s].perImage { imageDone[image] = max(imageDone[image], now) }
    }
    send(stage: s, window: w, now: now)
    tryIssue(s, now: now)
    checkFinished(s, now: now)
  }

  mutating func checkFinished(_ s: Int, now: Cycle) {
    guard !progress[s].isFinished, progress[s].completed == config[s].windows, progress[s].outstanding == 0 else {
      return
    }
    progress[s].isFinished = true
    let r = config[s].spec.round
    while firstUnfinished[r] < roundStages[r].count && progress[roundStages[r][firstUnfinished[r]]].isFinished {
      firstUnfinished[r] += 1
    }
    if firstUnfinished[r] == roundStages[r].count {
      roundEnd = max(roundEnd, now)
      if r + 1 < placement.rounds {
        queue.schedule(.roundStart(round: Int32(r + 1)), at: now + programmingTime(round: r + 1))
      }
    } else if options.schedule == .layer {
      tryIssue(roundStages[r][firstUnfinished[r]], now: now)
    }
  }
}
