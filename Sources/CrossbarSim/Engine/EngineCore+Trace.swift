// MARK: - Busy accounting of per-crossbar units, trace spans, counter samples

/// Unit classes whose busy time is summed per tile (one per crossbar or IMA, not FIFO servers).
enum UnitClass: Int, CaseIterable {
  case crossbars, adcs, sampleHolds, imaShiftAdds
  /// Stat name under `resources.tileN`.
  var name: String { ["crossbars", "adcs", "sampleHolds", "imaShiftAdds"][rawValue] }
}

extension EngineCore {
  /// Busy time of unit class `c` on `tile` [unit-cycles]: sums over its crossbars.
  func unitBusy(_ c: UnitClass, tile: Int) -> Cycles {
    let per = spec.crossbarsPerTile
    var busy = Cycles.zero
    for x in crossbarStates.tile(tile, perTile: per) {
      switch c {
      case .crossbars: busy += x.readBusy
      case .adcs, .sampleHolds: busy += x.convertBusy
      case .imaShiftAdds:
        let lanes = UInt64(spec.ima.shiftAdd.lanes)
        busy += Cycles((x.converted * UInt64(timing.inputCycles) + lanes - 1) / lanes)
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
  func stageName(_ s: Int) -> String { layout.network.layers[config[s].spec.layer].name }

  /// Records a span of `track` ending at `end`, for stage `s`.
  func traceSpan(stage s: Int, _ track: TraceTrack, end: Cycle, duration: Cycles) {
    guard let trace, duration > .zero else { return }
    guard !trace.isFull else {
      trace.complete(name: "", process: 0, thread: 0, start: 0, end: 0, clock: spec.clock)
      return
    }
    trace.name(process: track.process, track.processName)
    trace.name(process: track.process, thread: track.thread, track.threadName)
    trace.complete(name: stageName(s), process: track.process, thread: track.thread, start: (end - duration).value,
                   end: end.value,
                   clock: spec.clock)
  }

  /// Emits counter samples at every sample time up to `now`, for each tile in use whose values
  /// changed: the bytes its buffer holds, and its crossbars' utilization over the interval.
  mutating func sample(upTo now: Cycle) {
    guard let trace else { return }
    while nextSample <= now {
      for t in tilesInUse {
        let busy = unitBusy(.crossbars, tile: t), delta = busy - sampledBusy[t]
        guard delta > .zero || occupancy[t] != sampledOccupancy[t] else { continue }
        sampledBusy[t] = busy
        sampledOccupancy[t] = occupancy[t]
        trace.counter("tile \(t)", process: t, at: nextSample.value, clock: spec.clock, values: [
          ("bufferBytes", Double(occupancy[t] / 8)),
          ("crossbarUtilization", Double(delta.count) / Double(sampleInterval.count * UInt64(spec.crossbarsPerTile))),
        ])
      }
      nextSample += sampleInterval
    }
  }
}
