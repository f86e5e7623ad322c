// MARK: - Results of a finished run

extension EngineCore {

  /// Runs to completion and returns the results, or throws if the run stalled.
  public mutating func simulate() throws -> SimulationResult {
    run()
    return try result()
  }

  /// The results of a finished run.
  public func result() throws -> SimulationResult {
    let net = layout.network
    var problems: [String] = []
    for (i, s) in config.enumerated() where !progress[i].isFinished {
      problems.append("layer \(net.layers[s.spec.layer].name) stuck after \(progress[i].completed) of \(s.windows) " +
          "windows (round \(s.spec.round)): \(waitingFor(i))")
    }
    if !problems.isEmpty {
      let hint = spec.chip.hyperTransport.count == 0 ? " and the chip has no off-chip links to spill to " +
          "(chip.hyperTransport.count 0)" : ""
      throw InputError(problems: ["the run cannot finish: no event can make progress (deadlock)\(hint)"] + problems)
    }
    var layers: [LayerResult] = []
    var total = ActionCounts()
    for (li, layer) in net.layers.enumerated() {
      let mine = config.indices.filter { config[$0].spec.layer == li }, own = mine.map { stats[$0] }
      var counts = ActionCounts()
      for s in own { counts += s.counts + s.activityCounts(inputCycles: timing.inputCycles) }
      total += counts
      let l = layout.layouts[li]
      let kind = layer.operation.kind
      let start = own.map(\.firstStart).min()!
      let end = own.map(\.lastEnd).max()!
      let arrayStart = own.map(\.arrayStart).min()!, arrayEnd = own.map(\.arrayEnd).max()!
      let r = LayerResult(
        name: layer.name, kind: kind, mapper: l?.mapper ?? "-", crossbars: (l?.crossbars.count ?? 0) * replicas[li],
        replicas: replicas[li], adcBits: l?.crossbars.map { spec.adcBits(activeRows: $0.rows.count) }.max() ?? 0,
        activations: (l?.activations ?? 0) * options.images, windows: config[mine[0]].windows, start: start, end: end,
        arrayCycles: arrayStart == .never ? .zero : arrayEnd - arrayStart,
        utilization: l?.utilization(rows: spec.ima.crossbar.rows, columns: spec.ima.crossbar.columns) ?? 0,
        computingCycles: l?.computingCycles ?? 0,
        analyticCycles: timing.read * timing.inputCycles * (l?.computingCycles ?? 0),
        window: l?.window ?? "", note: [l?.note ?? "", layer.note ?? ""].filter { !$0.isEmpty }.joined(separator: "; "),
        counts: counts, rounds: Array(Set(mine.map { config[$0].spec.round })).sorted(),
        stallInputCycles: own.reduce(.zero) { $0 + $1.stallInputCycles },
        stallOutputCycles: own.reduce(.zero) { $0 + $1.stallOutputCycles },
        spilledBytes: own.reduce(0) { $0 + $1.spilledBits } / 8,
        crossbarBusyCycles: own.reduce(.zero) { $0 + $1.crossbarBusy },
        adcBusyCycles: own.reduce(.zero) { $0 + $1.adcBusy })
      guard r.end > r.start else {
        throw InputError("internal error: layer \(layer.name) finished in zero cycles")
      }
      layers.append(r)
    }
    let end = max(roundEnd, stats.map(\.lastEnd).max() ?? .zero) - Cycle.zero
    // The hardware the run occupies: crossbars of every copy and round, their IMAs and tiles, the
    // index table of each crossbar that has one, the tiles rescaling with FP multipliers.
    var phys = Set<CrossbarID>(), tiles = Set<Int>(), multiplierTiles = Set<Int>()
    var tableBits: [CrossbarID: Double] = [:]
    for (st, counted) in zip(config, stats) {
      if counted.counts[.rescaleMultiply] > 0 { multiplierTiles.formUnion(st.copies.map(\.home)) }
      for c in st.copies {
        tiles.insert(c.home); tiles.formUnion(c.tiles)
        for x in c.crossbars {
          phys.insert(x.physical)
          if x.hasTable { tableBits[x.physical] = max(tableBits[x.physical] ?? 0, x.tableBits) }
        }
      }
    }
    // In key order: the same sum in every process.
    let bits = Int(tableBits.keys.sorted().reduce(0.0) { $0 + tableBits[$1]! })
    let adcs = !sharesADCs ? phys.count * spec.adcsPerCrossbar : Set(phys.map { sharedADC(of: $0) }).count
    let occupancy = Occupancy(crossbars: phys.count, adcs: adcs,
                              imas: Set(phys.map { $0.ima(perIMA: spec.ima.crossbars) }).count,
                              tiles: tiles.count, tableBits: bits, multiplierTiles: multiplierTiles.count,
                              offChipLinks: stats.contains { $0.spilledBits > 0 })
    let model = AreaPowerModel(spec: spec)
    let leak = model.leakageMW + Double(bits) * spec.sparsityTable.leakagePerBitMW
    var result = SimulationResult(spec: spec, network: net.name, options: options, layers: layers, totalCycles: end,
                                  rounds: placement.rounds, programmingCycles: programmingCycles,
                                  counts: total, leakagePowerMW: leak, events: queue.processed)
    result.occupancy = occupancy
    result.placement = placementPolicy
    result.placementNote = placementNote
    result.sparsityTables = tableBits.count
    result.tableBits = bits
    result.tableEntries = layout.layouts.enumerated().reduce(0) { acc, p in
      acc + (p.1?.crossbars.reduce(0) { $0 + $1.tableEntries } ?? 0) * replicas[p.0]
    }
    result.resources = resourceStats
    result.imageCompletions = imageDone
    guard result.energyPJ.isFinite, end.count > 0 else {
      throw InputError("internal error: run produced latency \(end) and energy \(result.energyPJ) pJ")
    }
    return result
  }

  /// Every shared resource that served at least one request: per tile in use its crossbars' units
  /// and its servers, then the router ports, then the off-chip links (see `ResourceSet`).
  var resourceStats: [ResourceStats] {
    resources.stats(tileUnits: { t in
      guard unitBusy(.crossbars, tile: t) > .zero else { return [] }
      return UnitClass.allCases.map { c in
        ResourceStats(path: "tile\(t).\(c.name)", server: Server(busy: unitBusy(c, tile: t)), units: units(c))
      }
    }, peakBytes: { peakOccupancy[$0] / 8 })
  }

  /// What an unfinished stage is waiting for, in words.
  func waitingFor(_ s: Int) -> String {
    let st = config[s], p = progress[s], net = layout.network
    if st.spec.round != round { return "its round \(st.spec.round) never started" }
    if !isGateOpen(s), options.schedule == .layer,
       let first = roundStages[round].first(where: { !progress[$0].isFinished }) {
      return "waiting for layer \(net.layers[config[first].spec.layer].name) to finish (layer schedule)"
    }
    if case .output = p.stalled?.0, let t = waiters.indices.first(where: { waiters[$0].contains(s) }) {
      return "waiting for room in tile \(t)'s buffer (\(occupancy[t] / 8) of \(bufferBits / 8) bytes held)"
    }
    let w = p.nextWindow
    if w < st.windows,
       let ei = st.producers.first(where: { edges[$0].prefix < neededPrefix(stage: s, edge: $0, window: w) }) {
      return "window \(w) waits for inputs from layer \(net.layers[config[edges[ei].producer].spec.layer].name)"
    }
    if p.outstanding > 0 { return "\(p.outstanding) outputs not yet delivered" }
    return "\(p.nextWindow - p.completed) windows in flight"
  }
}
