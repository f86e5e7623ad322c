// MARK: - Options and results

/// How layers are scheduled in time.
public enum Schedule: String, CaseIterable, Sendable, Codable {
  /// A layer starts when every earlier layer has finished.
  case layer
  /// ISAAC-style inter-layer pipeline: a layer starts a window as soon as its inputs exist.
  case pipeline
}

/// Options of one simulation run.
public struct SimulationOptions: Sendable, Equatable, Codable {
  /// Layer-by-layer or pipelined.
  public var schedule: Schedule
  /// Whether a model larger than the chip runs in rounds that reprogram the crossbars.
  public var allowRounds: Bool
  /// Whether each layer runs all its tiles on one physical array, one after another (the
  /// reuse that computing cycles assume), instead of one array per tile.
  public var singleArrayPerLayer: Bool
  /// Images fed back to back through the network.
  public var images: Int
  /// Copies of each layer's weights.
  public var replication: ReplicationPlan
  /// Where layers start on the chip.
  public var placement: PlacementPolicy = .auto
  /// Interval of the trace's counter samples [ns].
  public var traceSampleNs: Double = 5000
  /// Creates options.
  public init(schedule: Schedule = .pipeline, allowRounds: Bool = false, singleArrayPerLayer: Bool = false,
              images: Int = 1,
              replication: ReplicationPlan = .none, placement: PlacementPolicy = .auto) {
    self.schedule = schedule; self.allowRounds = allowRounds; self.singleArrayPerLayer = singleArrayPerLayer
    self.images = images; self.replication = replication; self.placement = placement
  }
}

/// What one layer did in a run.
public struct LayerResult: Sendable {
  /// Layer name.
  public var name: String
  /// Operation kind (`conv`, `fc`, `pool`, `add`).
  public var kind: String
  /// Mapper kind, or `-` for layers without weights.
  public var mapper: String
  /// Crossbars holding the layer, all copies.
  public var crossbars: Int
  /// Copies of the layer's weights (1 unless replicated).
  public var replicas: Int
  /// Resolution of the layer's ADC conversions (the highest of its crossbars; 0 without crossbars) [bits].
  public var adcBits: Int
  /// Crossbar activations over the run (all images).
  public var activations: Int
  /// Windows (input vectors) processed over the run (all images).
  public var windows: Int
  /// First cycle the layer did anything.
  public var start: Cycle
  /// Cycle its last output reached the buffer.
  public var end: Cycle
  /// From the first array read to the last array read end (0 for digital layers) [cycles].
  public var arrayCycles: Cycles
  /// Useful weight cells / (crossbars x rows x columns).
  public var utilization: Double
  /// Computing cycles of one image (activations if one array were reused for every tile).
  public var computingCycles: Int
  /// Computing cycles x input cycles x read cycle: one image's array time with one array reused [cycles].
  public var analyticCycles: Cycles
  /// The layout's window (`PW_h x PW_w x ICt x OCt`), empty for digital layers.
  public var window: String
  /// The layout's note (group layout, factor role).
  public var note: String
  /// Actions the layer caused.
  public var counts: ActionCounts
  /// Programming rounds the layer ran in.
  public var rounds: [Int]
  /// Time the layer could have issued a window but its inputs had not arrived, after its first
  /// window [cycles].
  public var stallInputCycles: Cycles = .zero
  /// Time the layer could have issued a window but its consumers' buffers were full [cycles].
  public var stallOutputCycles: Cycles = .zero
  /// Bytes the layer moved over the off-chip links: outputs it spilled, inputs it read back.
  public var spilledBytes = 0
  /// Time the layer's crossbars were reading (first drive to last latch), summed over them [cycles].
  public var crossbarBusyCycles: Cycles = .zero
  /// Time the layer's ADC groups were converting, summed over them [cycles].
  public var adcBusyCycles: Cycles = .zero
  /// Span from start to end [cycles].
  public var cycles: Cycles { end - start }
}

/// What one shared resource did over a run.
public struct ResourceStats: Sendable, Equatable {
  /// Component path, e.g. `tile3.buffer` or `router0.link`.
  public var path: String
  /// The resource's server at the end of the run: busy and wait time, requests.
  public var server: Server
  /// For a tile buffer, the most bytes of activations it held at once.
  public var peakBytes: Int? = nil
  /// Identical units the stats sum over (crossbars of a tile, ...); 1 for a single server.
  public var units = 1
  /// Fraction of the run the units were busy, on average.
  public func utilization(over span: Cycles) -> Double {
    span.count == 0 ? 0 : Double(server.busy.count) / (Double(units) * Double(span.count))
  }
}

/// The outcome of a run: per-layer results, totals, energy and event statistics.
public struct SimulationResult: Sendable {
  /// The hardware simulated.
  public var spec: ArchSpec
  /// Network name.
  public var network: String
  /// Run options.
  public var options: SimulationOptions
  /// Per-layer results in network order.
  public var layers: [LayerResult]
  /// End of the run [cycles since 0].
  public var totalCycles: Cycles
  /// Programming rounds.
  public var rounds: Int
  /// Time spent programming crossbars between rounds [cycles].
  public var programmingCycles: Cycles
  /// Actions of the whole run.
  public var counts: ActionCounts
  /// Chip leakage power charged over the run [mW].
  public var leakagePowerMW: Double
  /// Events processed.
  public var events: UInt64
  /// Crossbars with a sparsity index table (all copies).
  public var sparsityTables: Int = 0
  /// Index-table entries over all crossbars.
  public var tableEntries: Int = 0
  /// The hardware the run occupies (all copies and rounds).
  public var occupancy = Occupancy(crossbars: 0, adcs: 0, imas: 0, tiles: 0)
  /// `area.csv` rows: area and peak power per class, of the occupied hardware and of the chip.
  public var areaRows: [AreaRow] { AreaPowerModel(spec: spec).areaRows(used: occupancy) }
  /// Shared resources (tile buffers, shift-and-add and max-pool units, router links) that served
  /// at least one request.
  public var resources: [ResourceStats] = []
  /// When each image left the network: its last output written by every output layer.
  public var imageCompletions: [Cycle] = []
  /// Where layers started on the chip (`options.placement` resolved).
  public var placement = PlacementPolicy.ima
  /// What `auto` placement chose and why, when its candidates differed.
  public var placementNote: String?

  /// Images streamed through the network.
  public var images: Int { options.images }
  /// Completion of the first image [ns].
  public var firstImageLatencyNs: Double { spec.clock.ns(imageCompletions.first ?? Cycle(totalCycles.count)) }
  /// Steady-state time between image completions [ns]. Pipeline: the mean interval over the
  /// second half of the images (the first half includes filling the pipeline). Layer by layer, or
  /// in several programming rounds, the images go through each layer or round as one batch and
  /// finish together, so it is the whole run / images. With one image, its latency.
  public var initiationIntervalNs: Double {
    let c = imageCompletions, n = c.count
    guard n >= 2 else { return firstImageLatencyNs }
    guard options.schedule == .pipeline, rounds == 1 else { return latencyNs / Double(n) }
    let h = n / 2
    return spec.clock.ns(c[n - 1] - c[h - 1]) / Double(n - h)
  }
  /// Steady-state throughput [images/s].
  public var imagesPerSecond: Double { initiationIntervalNs > 0 ? 1e9 / initiationIntervalNs : 0 }
  /// Time layers waited for room in their consumers' buffers, summed over layers [cycles].
  public var bufferStallCycles: Cycles { Cycles(layers.reduce(0) { $0 + $1.stallOutputCycles.count }) }
  /// Bytes moved over the off-chip links (spilled outputs and their reads).
  public var spilledBytes: Int { layers.reduce(0) { $0 + $1.spilledBytes } }
  /// Energy per image, leakage included [pJ].
  public var energyPerImagePJ: Double { energyPJ / Double(max(1, images)) }

  /// Index-table storage over all crossbars and copies [bits].
  public var tableBits: Int = 0
  /// Area of the index tables in use [mm²].
  public var tableAreaMm2: Double { Double(tableBits) * spec.sparsityTable.areaPerBitUm2 * 1e-6 }

  /// End-to-end latency [ns].
  public var latencyNs: Double { spec.clock.ns(totalCycles) }
  /// Leakage energy over the run [pJ] (mW x ns = pJ).
  public var leakageEnergyPJ: Double { leakagePowerMW * latencyNs }
  /// Energy per component class including leakage [pJ].
  public var energyByClass: [(EnergyClass, Double)] {
    let dyn = counts.energyByClass(spec)
    return EnergyClass.allCases.map { c in (c, c == .leakage ? leakageEnergyPJ : dyn[c, default: 0]) }
  }
  /// Total energy including leakage [pJ].
  public var energyPJ: Double { counts.energyPJ(spec) + leakageEnergyPJ }
}
