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
    t += UInt64(inputCycles - 1) * max(readCycles, info.batch)
    let hold = t + info.batch
    crossbarStates[phys].readFree = t
    crossbarStates[phys].holdFree = hold
    let done = hold + shiftAddLatency
    activationsStarted += 1
    let b = Double(inputCycles), rows = Double(info.rows), cols = Double(info.converted)
    stages[s].counts.values[Action.dacDrive.rawValue] += rows * b
    stages[s].counts.values[Action.crossbarRead.rawValue] += info.readFraction * b
    stages[s].counts.values[Action.sampleHold.rawValue] += cols * b
    stages[s].counts.values[Action.adcConvert.rawValue] += cols * b
    stages[s].counts.values[Action.imaShiftAdd.rawValue] += cols * b
    if info.hasTable {
      stages[s].counts.values[Action.tableLookup.rawValue] += 1
      stages[s].counts.values[Action.tableRoute.rawValue] += info.routed
    }
    stages[s].arrayStart = min(stages[s].arrayStart, start)
    stages[s].arrayEnd = max(stages[s].arrayEnd, t)
    // Busy time: the reads, every bit's conversions (the S+H holds the bit meanwhile), and the
    // IMA shift-and-add ops folding the converted columns.
    let tile = phys / spec.crossbarsPerTile, conversions = UInt64(inputCycles) * info.batch
    charge(.crossbars, tile: tile, t - start)
    charge(.adcs, tile: tile, conversions)
    charge(.sampleHolds, tile: tile, conversions)
    charge(.imaShiftAdds, tile: tile, UInt64((Int(info.converted) * inputCycles + spec.ima.shiftAdd.lanes - 1) / spec.ima.shiftAdd.lanes))
    stages[s].crossbarBusy += t - start
    stages[s].adcBusy += conversions
    if let trace {
      trace.complete(name: stageName(s), tile: tile, track: phys % spec.crossbarsPerTile, start: start - info.lookup, end: t,
                     clock: spec.clock, args: ["window": w32])
      traceSpan(stage: s, process: tile, processName: "tile \(tile)", thread: TraceTrack.adcBase + phys % spec.crossbarsPerTile,
                threadName: "crossbar \(phys % spec.crossbarsPerTile) ADCs", end: hold, duration: hold - firstLatch)
    }
    queue.schedule(.activationDone(stage: s32, window: w32), at: Cycle(done))
    if !crossbarStates[phys].queue.isEmpty {
      crossbarStates[phys].isWakePending = true
      queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(t))
    }
  }
}
