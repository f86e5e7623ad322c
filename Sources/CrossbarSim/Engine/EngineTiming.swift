// MARK: - The timing rules, derived once from a spec: what the engine executes and the planner estimates

/// Latencies and per-crossbar conversion times in cycles of the base clock. The engine reads
/// them when it resolves activations and transfers; the replication planner (`ReplicationPlan`)
/// estimates a layer's busy time and the digital floor from the same rules, so the two cannot drift.
struct EngineTiming: Sendable {
  /// One bit-serial read of an array: DAC drive, array, sample-and-hold.
  let read: Cycles
  /// Input cycles per activation (`ceil(input bits / DAC bits)`).
  let inputCycles: Int
  /// A sparsity-table lookup before the first drive of a crossbar that has one.
  let tableLookup: Cycles
  /// The IMA shift-and-add after a bit's last conversion.
  let shiftAdd = Cycles(1)
  /// Tile buffer access, after the bus has moved the data.
  let bufferAccess: Cycles
  /// One flit through a router port (at least one cycle), and one hop's head latency.
  let flit: Cycles, hop: Cycles
  /// Off-chip access, after the links have moved the data.
  let offChipAccess: Cycles
  let spec: ArchSpec

  /// The rules of `spec`; a read that rounds to no time is an error naming the key.
  init(_ spec: ArchSpec) throws {
    self.spec = spec
    let clock = spec.clock
    read = clock.cycles(ns: spec.array.readLatencyNs)
    guard read > .zero else { throw InputError("ima.crossbar.readLatencyNs (\(spec.array.readLatencyNs) ns at " +
        "\(spec.ima.crossbar.rows)x\(spec.ima.crossbar.columns)) rounds to 0 cycles at clockGHz \(spec.clockGHz)") }
    inputCycles = spec.inputCycles
    tableLookup = clock.cycles(ns: spec.sparsityTable.lookupLatencyNs)
    bufferAccess = clock.cycles(ns: spec.tile.buffer.accessLatencyNs)
    flit = max(Cycles(1), clock.cycles(ns: spec.tile.router.flitLatencyNs))
    hop = clock.cycles(ns: spec.tile.router.hopLatencyNs)
    offChipAccess = clock.cycles(ns: spec.chip.hyperTransport.accessLatencyNs)
  }

  /// Resolution of crossbar `x`'s conversions [bits].
  func adcBits(_ x: CrossbarTile) -> Int { spec.adcBits(activeRows: x.rows.count) }

  /// Time its ADCs take to convert the columns of one input bit (all-zero columns skip theirs).
  func conversions(_ x: CrossbarTile) -> Cycles {
    Cycles(spec.adcBatchCycles(columns: x.columns.count - x.zeroColumns, bits: adcBits(x)))
  }

  /// The lookup an activation of `x` starts with (none without an index table).
  func lookup(_ x: CrossbarTile) -> Cycles { x.tableEntries > 0 ? tableLookup : .zero }

  /// What the planner counts for one window on `x`: its lookup, then every input bit at the pace
  /// of a read or of its conversions, whichever is slower; a shared ADC as if every crossbar
  /// sharing it converts at once.
  func activationEstimate(_ x: CrossbarTile) -> Cycles {
    lookup(x) + max(read, conversions(x) * spec.ima.adc.crossbarsPerADC) * inputCycles
  }

  /// Cycles of `units` processing `values`: `ceil(values / (lanes x count))`.
  static func unitCycles(values: Int, _ unit: UnitSpec) -> Cycles {
    Cycles(UInt64((values + unit.lanes * unit.count - 1) / (unit.lanes * unit.count)))
  }

  /// Flits of `bits`: `ceil(bits / flitBits)`.
  func flits(bits: Int) -> Int { (bits + spec.tile.router.flitBits - 1) / spec.tile.router.flitBits }
}

/// What a layer without weights does per output pixel: the values it processes, on which tile
/// unit, charged as which action. Pooling reads `kernel^2` values per output channel on the
/// max-pool unit; an addition reads every input's channels, a concatenation and the channel moves
/// (slice, pad, shuffle) move each output value once, all on the shift-and-add unit; a standalone
/// activation runs each value through the sigmoid unit; a product or a per-channel affine takes a
/// multiply per value on the tile's multipliers (`tile.rescale`, FP32: `multipliersPerTile` lanes,
/// `multiplyEnergyPJ` each).
struct DigitalWork: Sendable {
  /// Values the unit processes.
  let values: Int
  /// Values read from the buffer.
  let inputValues: Int
  let unit: UnitSpec
  let action: Action
  let resource: ResourceKind

  init(_ layer: Layer, spec: ArchSpec) {
    let out = layer.outputShape
    values = switch layer.operation {
    case .pool(let p): p.kernel * p.kernel * out.channels
    case .add: layer.inputs.count * out.channels
    default: out.channels
    }
    inputValues = layer.operation == .multiply ? 2 * out.channels : values
    switch layer.operation {
    case .pool: (unit, action, resource) = (spec.tile.maxPool, .maxPoolOp, .maxPool)
    case .activation: (unit, action, resource) = (spec.tile.sigmoid, .sigmoidOp, .sigmoid)
    case .multiply, .affine:
      let r = spec.tile.rescale
      unit = UnitSpec(count: 1, lanes: max(1, r.multipliersPerTile), energyPerOpPJ: r.multiplyEnergyPJ,
                      powerMW: r.multiplierPowerMW, leakageMW: 0, areaMm2: r.multiplierAreaMm2)
      (action, resource) = (.rescaleMultiply, .multiplier)
    default: (unit, action, resource) = (spec.tile.shiftAdd, .tileShiftAdd, .shiftAdd)
    }
  }

  /// Unit cycles per output pixel.
  var cycles: Cycles { EngineTiming.unitCycles(values: values, unit) }
  /// Unit operations per output pixel, each charged as `action`: `ceil(values / lanes)` unit-cycles,
  /// or one multiply per value.
  var operations: Double {
    action == .rescaleMultiply ? Double(values) : Double((values + unit.lanes - 1) / unit.lanes)
  }
}
