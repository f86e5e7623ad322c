// MARK: - One crossbar: activations resolved into bit-cycles (ISAAC's read / convert pipeline)

extension EngineCore {
  /// Starts the crossbar's next queued activation and resolves its bit-cycles.
  mutating func startNext(crossbar phys: Int, now: UInt64) {
    guard let (s32, w32, local) = crossbarStates[phys].queue.popFirst() else { return }
    let s = Int(s32)
    let info = stages[s].copies[Int(w32) % stages[s].copies.count].crossbars[Int(local)]
    var t = max(now, crossbarStates[phys].readFree) + info.lookup
    let start = t
    // Each bit: read, then latch once the S+H is free; the ADCs convert the held columns while
    // the next bit is read. After the first latch every bit takes max(read, conversions).
    t = max(t + readCycles, crossbarStates[phys].holdFree)
    let firstLatch = t
    var hold: UInt64
    if sharedADCs.isEmpty {
      t += UInt64(inputCycles - 1) * max(readCycles, info.batch)
      hold = t + info.batch
    } else {
      // A shared ADC converts each latched bit when it is free (FIFO over its crossbars); the S+H
      // holds the bit until then, and the next read latches only after that conversion.
      let adc = sharedADC(of: phys)
      hold = sharedADCs[adc].reserve(at: Cycle(t), for: Cycles(info.batch)).value
      for _ in 1..<max(1, inputCycles) {
        t = max(t + readCycles, hold)
        hold = sharedADCs[adc].reserve(at: Cycle(t), for: Cycles(info.batch)).value
      }
    }
    crossbarStates[phys].readFree = t
    crossbarStates[phys].holdFree = hold
    let done = hold + shiftAddLatency
    activationsStarted += 1
    // Per-activation sums, turned into action counts and unit busy times with the results
    // (plain fields: nested arrays here cost a uniqueness check per write).
    stages[s].activity.rows += Double(info.rows)
    stages[s].activity.readFraction += info.readFraction
    stages[s].activity.converted += Double(info.converted)
    stages[s].activity.adcEnergyPJ += info.adcEnergyPJ
    if info.hasTable { stages[s].activity.lookups += info.tableBits; stages[s].activity.routed += info.routed }
    stages[s].arrayStart = min(stages[s].arrayStart, start)
    stages[s].arrayEnd = max(stages[s].arrayEnd, t)
    // Busy time: the reads, every bit's conversions (the S+H holds the bit meanwhile), and the
    // IMA shift-and-add ops folding the converted columns.
    let conversions = UInt64(inputCycles) * info.batch
    crossbarStates[phys].readBusy += t - start
    crossbarStates[phys].convertBusy += conversions
    crossbarStates[phys].converted += UInt64(info.converted)
    stages[s].crossbarBusy += t - start
    stages[s].adcBusy += conversions
    if let trace {
      let tile = phys / spec.crossbarsPerTile
      trace.complete(name: stageName(s), tile: tile, track: phys % spec.crossbarsPerTile, start: start - info.lookup, end: t,
                     clock: spec.clock, args: ["window": w32])
      traceSpan(stage: s, process: tile, processName: "tile \(tile)", thread: TraceTrack.adcBase + phys % spec.crossbarsPerTile,
                threadName: "crossbar \(phys % spec.crossbarsPerTile) ADCs", end: hold, duration: hold - firstLatch)
    }
    // The window is computed when its last crossbar is done: the last one to start schedules that.
    let slot = Int(w32) % stages[s].capacity
    stages[s].windowDone[slot] = max(stages[s].windowDone[slot], done)
    stages[s].remaining[slot] -= 1
    if stages[s].remaining[slot] == 0 {
      queue.schedule(.windowComputed(stage: s32, window: w32), at: Cycle(stages[s].windowDone[slot]))
    }
    if !crossbarStates[phys].queue.isEmpty {
      crossbarStates[phys].isWakePending = true
      queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(t))
    }
  }
}

extension EngineCore {
  /// The shared ADC of physical crossbar `phys`: `crossbarsPerADC` neighbours of one IMA share one.
  func sharedADC(of phys: Int) -> Int {
    let perIMA = spec.ima.crossbars, ima = phys / perIMA
    return ima * spec.ima.adc.count(crossbars: perIMA) + (phys % perIMA) / spec.ima.adc.crossbarsPerADC
  }
}
