// MARK: - Busy accounting of per-crossbar units, trace spans of shared units, counter samples

/// Unit classes whose busy time is summed per tile (one per crossbar or IMA, not FIFO servers).
enum UnitClass: Int, CaseIterable {
  case crossbars, adcs, sampleHolds, imaShiftAdds
  /// Stat name under `resources.tileN`.
  var name: String { ["crossbars", "adcs", "sampleHolds", "imaShiftAdds"][rawValue] }
}

/// Trace threads of a tile's shared units, and the processes beyond the tiles.
enum TraceTrack {
  static let adcBase = 10_000, buffer = 20_000, shiftAdd = 20_001, maxPool = 20_002
  static let routerBase = 100_000, offChip = 200_000
  static let portNames = ["east", "west", "north", "south", "local"]
}

extension EngineCore {
  /// Busy time of unit class `c` on `tile` [unit-cycles]: sums over its crossbars.
  func unitBusy(_ c: UnitClass, tile: Int) -> UInt64 {
    let per = spec.crossbarsPerTile
    var busy: UInt64 = 0
    for x in crossbarStates[(tile * per)..<((tile + 1) * per)] {
      switch c {
      case .crossbars: busy += x.readBusy
      case .adcs, .sampleHolds: busy += x.convertBusy
      case .imaShiftAdds:
        let lanes = UInt64(spec.ima.shiftAdd.lanes)
        busy += (x.converted * UInt64(inputCycles) + lanes - 1) / lanes
      }
    }
    return busy
  }

  /// Units of class `c` in one tile.
  func units(_ c: UnitClass) -> Int {
    switch c {
    case .crossbars, .adcs, .sampleHolds: spec.crossbarsPerTile
    case .imaShiftAdds: spec.tile.imas * spec.ima.shiftAdd.count
    }
  }

  /// Name of stage `s`'s layer.
  func stageName(_ s: Int) -> String { layout.network.layers[stages[s].spec.layer].name }

  /// Records a span of `thread` of process `pid` ending at `end`, for stage `s`.
  func traceSpan(stage s: Int, process pid: Int, processName: String, thread: Int, threadName: String, end: UInt64, duration: UInt64) {
    guard let trace, duration > 0 else { return }
    guard !trace.isFull else { trace.complete(name: "", process: 0, thread: 0, start: 0, end: 0, clock: spec.clock); return }
    trace.name(process: pid, processName)
    trace.name(process: pid, thread: thread, threadName)
    trace.complete(name: stageName(s), process: pid, thread: thread, start: end - duration, end: end, clock: spec.clock)
  }

  /// Records a span of a tile's shared unit (buffer port, shift-and-add, max-pool).
  func traceTile(stage s: Int, tile: Int, thread: Int, end: UInt64, duration: UInt64) {
    let names = [TraceTrack.buffer: "buffer port", TraceTrack.shiftAdd: "shift-and-add", TraceTrack.maxPool: "max-pool"]
    traceSpan(stage: s, process: tile, processName: "tile \(tile)", thread: thread, threadName: names[thread]!, end: end, duration: duration)
  }

  /// Records a span of one router output port.
  func tracePort(stage s: Int, port: Int, end: UInt64, duration: UInt64) {
    let r = port / Self.portsPerRouter
    traceSpan(stage: s, process: TraceTrack.routerBase + r, processName: "router \(r)", thread: port % Self.portsPerRouter,
              threadName: TraceTrack.portNames[port % Self.portsPerRouter], end: end, duration: duration)
  }

  /// Emits counter samples at every sample time up to `now`, for each tile in use whose values
  /// changed: the bytes its buffer holds, and its crossbars' utilization over the interval.
  mutating func sample(upTo now: UInt64) {
    guard let trace else { return }
    while nextSample <= now {
      for t in tilesInUse {
        let busy = unitBusy(.crossbars, tile: t), delta = busy - sampledBusy[t]
        guard delta > 0 || occupancy[t] != sampledOccupancy[t] else { continue }
        sampledBusy[t] = busy
        sampledOccupancy[t] = occupancy[t]
        trace.counter("tile \(t)", process: t, at: nextSample, clock: spec.clock, values: [
          ("bufferBytes", Double(occupancy[t] / 8)),
          ("crossbarUtilization", Double(delta) / Double(sampleInterval * UInt64(spec.crossbarsPerTile))),
        ])
      }
      nextSample += sampleInterval
    }
  }
}

extension EngineCore.StageState {
  /// The action counts of the stage's activations: every input bit drives the rows, reads the
  /// array's active fraction, samples, converts and shift-adds the converted columns.
  func activityCounts(inputCycles: Int) -> ActionCounts {
    var c = ActionCounts(), b = Double(inputCycles), a = activity
    c[.dacDrive] = a.rows * b
    c[.crossbarRead] = a.readFraction * b
    c[.sampleHold] = a.converted * b
    c[.adcConvert] = a.converted * b
    c.adcEnergyPJ = a.adcEnergyPJ * b
    c[.imaShiftAdd] = a.converted * b
    c[.tableLookup] = a.lookups
    c[.tableRoute] = a.routed
    return c
  }
}
