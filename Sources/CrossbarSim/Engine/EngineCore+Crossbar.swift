// MARK: - One crossbar: activations resolved into bit-cycles (ISAAC's read / convert pipeline)

extension EngineCore {
  /// Starts the crossbar's next queued activation and resolves its bit-cycles.
  mutating func startNext(crossbar phys: CrossbarID, now: Cycle) {
    guard let (s32, w32, local) = crossbarStates[phys].queue.popFirst() else { return }
    let s = Int(s32)
    let info = config[s].copies[Int(w32) % config[s].copies.count].crossbars[Int(local)]
    let read = timing.read, inputCycles = timing.inputCycles
    var t = max(now, crossbarStates[phys].readFree) + info.lookup
    let start = t
    // Each bit: read, then latch once the S+H is free; the ADCs convert the held columns while
    // the next bit is read. After the first latch every bit takes max(read, conversions).
    t = max(t + read, crossbarStates[phys].holdFree)
    let firstLatch = t
    var hold: Cycle
    if !sharesADCs {
      t += max(read, info.batch) * (inputCycles - 1)
      hold = t + info.batch
    } else {
      // A shared ADC converts each latched bit when it is free (FIFO over its crossbars); the S+H
      // holds the bit until then, and the next read latches only after that conversion.
      let adc = sharedADC(of: phys)
      hold = resources.reserve(.sharedADC, adc, at: t, for: info.batch)
      for _ in 1..<max(1, inputCycles) {
        t = max(t + read, hold)
        hold = resources.reserve(.sharedADC, adc, at: t, for: info.batch)
      }
    }
    crossbarStates[phys].readFree = t
    crossbarStates[phys].holdFree = hold
    let done = hold + timing.shiftAdd
    activationsStarted += 1
    // Per-activation sums, turned into action counts and unit busy times with the results
    // (plain fields: nested arrays here cost a uniqueness check per write).
    stats[s].activity.rows += Double(info.rows)
    stats[s].activity.readFraction += info.readFraction
    stats[s].activity.converted += Double(info.converted)
    stats[s].activity.adcEnergyPJ += info.adcEnergyPJ
    if info.hasTable { stats[s].activity.lookups += info.tableBits; stats[s].activity.routed += info.routed }
    stats[s].arrayStart = min(stats[s].arrayStart, start)
    stats[s].arrayEnd = max(stats[s].arrayEnd, t)
    // Busy time: the reads, every bit's conversions (the S+H holds the bit meanwhile), and the
    // IMA shift-and-add ops folding the converted columns.
    let conversions = info.batch * inputCycles
    crossbarStates[phys].readBusy += t - start
    crossbarStates[phys].convertBusy += conversions
    crossbarStates[phys].converted += UInt64(info.converted)
    stats[s].crossbarBusy += t - start
    stats[s].adcBusy += conversions
    if let trace {
      let tile = phys.tile(perTile: spec.crossbarsPerTile), k = phys.slot(perTile: spec.crossbarsPerTile)
      trace.complete(name: stageName(s), tile: tile, track: k, start: (start - info.lookup).value, end: t.value,
                     clock: spec.clock, args: ["window": w32])
      traceSpan(stage: s, TraceTrack(process: tile, processName: "tile \(tile)", thread: TraceTrack.adcBase + k,
                                     threadName: "crossbar \(k) ADCs"), end: hold, duration: hold - firstLatch)
    }
    // The window is computed when its last crossbar is done: the last one to start schedules that.
    let slot = Int(w32) % config[s].capacity
    progress[s].windowDone[slot] = max(progress[s].windowDone[slot], done)
    progress[s].remaining[slot] -= 1
    if progress[s].remaining[slot] == 0 {
      queue.schedule(.windowComputed(stage: s32, window: w32), at: progress[s].windowDone[slot])
    }
    if !crossbarStates[phys].queue.isEmpty {
      crossbarStates[phys].isWakePending = true
      queue.schedule(.wake(crossbar: phys.raw), at: t)
    }
  }

  /// The shared ADC of physical crossbar `phys`: `crossbarsPerADC` neighbours of one IMA share one.
  func sharedADC(of phys: CrossbarID) -> Int {
    let perIMA = spec.ima.crossbars, ima = phys.ima(perIMA: perIMA)
    return ima * spec.adcCount(crossbars: perIMA) + (phys.index % perIMA) / spec.ima.adc.crossbarsPerADC
  }
}
