// MARK: - One crossbar: activations resolved into bit-cycles (ISAAC's read / convert pipeline)

extension EngineCore {
  /// Starts the crossbar's next queued activation and resolves its bit-cycles.
  mutating func startNext(crossbar phys: Int, now: UInt64) {
    guard let (s32, w32, local) = crossbarStates[phys].queue.popFirst() else { return }
    let s = Int(s32)
    let info = stages[s].copies[Int(w32) % stages[s].copies.count].crossbars[Int(local)]
    var t = max(now, crossbarStates[phys].readFree) + info.lookup
    let start = t
    var hold = crossbarStates[phys].holdFree
    for _ in 0..<inputCycles {
      t = max(t + readCycles, hold)       // read, then latch once the S+H is free
      hold = t + info.batch               // the ADCs convert the held columns
    }
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
    if let trace {
      trace.complete(name: layout.network.layers[stages[s].spec.layer].name, tile: phys / spec.crossbarsPerTile,
                     track: phys % spec.crossbarsPerTile, start: start - info.lookup, end: t, clock: spec.clock,
                     args: ["window": w32])
    }
    queue.schedule(.activationDone(stage: s32, window: w32), at: Cycle(done))
    if !crossbarStates[phys].queue.isEmpty {
      crossbarStates[phys].isWakePending = true
      queue.schedule(.wake(crossbar: Int32(phys)), at: Cycle(t))
    }
  }
}
