// MARK: - Counted actions and their component classes

/// A counted hardware action; energy is counts x the spec's per-action energy, after the run.
public enum Action: Int, CaseIterable, Sendable {
  case dacDrive, crossbarRead, sampleHold, adcConvert, imaShiftAdd, inputRegisterAccess,
       imaOutputRegisterAccess, tileShiftAdd, tileOutputRegisterAccess, bufferAccess, busBit,
       nocFlitHop, tableLookup, tableRoute, maxPoolOp, sigmoidOp, crossbarRowWrite, rescaleShift, rescaleMultiply,
       offChipBit

  /// Stat name, `component.action`.
  public var name: String {
    switch self {
    case .dacDrive: "dac.drive"
    case .crossbarRead: "crossbar.read"
    case .sampleHold: "sampleHold.sample"
    case .adcConvert: "adc.convert"
    case .imaShiftAdd: "ima.shiftAdd.op"
    case .inputRegisterAccess: "ima.inputRegister.access"
    case .imaOutputRegisterAccess: "ima.outputRegister.access"
    case .tileShiftAdd: "tile.shiftAdd.op"
    case .tileOutputRegisterAccess: "tile.outputRegister.access"
    case .bufferAccess: "buffer.access"
    case .busBit: "bus.bit"
    case .nocFlitHop: "noc.flitHop"
    case .tableLookup: "table.read"
    case .tableRoute: "table.route"
    case .rescaleShift: "rescale.shift"
    case .rescaleMultiply: "rescale.multiply"
    case .maxPoolOp: "maxPool.op"
    case .sigmoidOp: "sigmoid.op"
    case .crossbarRowWrite: "crossbar.rowWrite"
    case .offChipBit: "offChip.bit"
    }
  }

  /// Unit of the count.
  public var unit: String {
    switch self {
    case .crossbarRead: "full-array reads"
    case .busBit, .offChipBit, .tableLookup: "bits"
    case .nocFlitHop: "flit-hops"
    case .crossbarRowWrite: "rows"
    default: "count"
    }
  }

  /// Component class in the energy breakdown.
  public var energyClass: EnergyClass {
    switch self {
    case .dacDrive: .dac
    case .crossbarRead: .crossbar
    case .sampleHold: .sampleHold
    case .adcConvert: .adc
    case .imaShiftAdd, .tileShiftAdd: .shiftAdd
    case .inputRegisterAccess, .imaOutputRegisterAccess, .tileOutputRegisterAccess: .registers
    case .bufferAccess, .busBit: .buffer
    case .nocFlitHop: .noc
    case .tableLookup, .tableRoute: .sparsityTables
    case .rescaleShift, .rescaleMultiply: .rescale
    case .maxPoolOp, .sigmoidOp: .digital
    case .crossbarRowWrite: .programming
    case .offChipBit: .offChip
    }
  }

  /// Energy of one action under `spec` [pJ].
  public func energyPJ(_ spec: ArchSpec) -> Double {
    switch self {
    case .dacDrive: spec.ima.dac.energyPerDrivePJ
    case .crossbarRead: spec.array.readEnergyPJ
    case .sampleHold: spec.ima.sampleHold.energyPerSamplePJ
    case .adcConvert: spec.ima.adc.energyPerConversionPJ(bits: spec.chipADCBits)
    case .imaShiftAdd: spec.ima.shiftAdd.energyPerOpPJ
    case .inputRegisterAccess: spec.ima.inputRegister.energyPerAccessPJ
    case .imaOutputRegisterAccess: spec.ima.outputRegister.energyPerAccessPJ
    case .tileShiftAdd: spec.tile.shiftAdd.energyPerOpPJ
    case .tileOutputRegisterAccess: spec.tile.outputRegister.energyPerAccessPJ
    case .bufferAccess: spec.tile.buffer.energyPerAccessPJ
    case .busBit: spec.tile.bus.energyPerBitPJ
    case .nocFlitHop: spec.tile.router.energyPerFlitHopPJ
    case .tableLookup: spec.sparsityTable.readEnergyPerBitPJ
    case .tableRoute: spec.sparsityTable.routeEnergyPerValuePJ
    case .rescaleShift: spec.tile.rescale.shiftEnergyPJ
    case .rescaleMultiply: spec.tile.rescale.multiplyEnergyPJ
    case .maxPoolOp: spec.tile.maxPool.energyPerOpPJ
    case .sigmoidOp: spec.tile.sigmoid.energyPerOpPJ
    case .crossbarRowWrite: spec.array.writeEnergyPerRowPJ
    case .offChipBit: spec.chip.hyperTransport.energyPerBitPJ
    }
  }
}

/// Component classes of the energy breakdown.
public enum EnergyClass: String, CaseIterable, Sendable {
  case adc = "ADC", dac = "DAC", crossbar, sampleHold = "S+H", shiftAdd = "S+A", registers, buffer,
       noc = "NoC", sparsityTables, rescale, digital, programming, offChip = "off-chip", leakage
}

/// Action counts of one layer or run.
public struct ActionCounts: Sendable, Equatable {
  /// Count per action, indexed by `Action.rawValue`.
  public var values = [Double](repeating: 0, count: Action.allCases.count)
  /// Energy of the `adcConvert` conversions, each at its crossbar's resolution (see `ADCSpec`) [pJ].
  public var adcEnergyPJ = 0.0
  /// Creates zero counts.
  public init() {}
  /// The count of `a`.
  public subscript(_ a: Action) -> Double {
    get { values[a.rawValue] }
    set { values[a.rawValue] = newValue }
  }
  /// Adds `other` in place.
  public static func += (a: inout ActionCounts, b: ActionCounts) {
    for i in a.values.indices { a.values[i] += b.values[i] }
    a.adcEnergyPJ += b.adcEnergyPJ
  }
  /// The sum of two count sets.
  public static func + (a: ActionCounts, b: ActionCounts) -> ActionCounts {
    var c = a
    c += b
    return c
  }
  /// Dynamic energy per class [pJ].
  public func energyByClass(_ spec: ArchSpec) -> [EnergyClass: Double] {
    var e: [EnergyClass: Double] = [:]
    for a in Action.allCases { e[a.energyClass, default: 0] += energyPJ(a, spec) }
    return e
  }
  /// Total dynamic energy [pJ].
  public func energyPJ(_ spec: ArchSpec) -> Double {
    Action.allCases.reduce(0) { $0 + energyPJ($1, spec) }
  }
  /// Energy of the `a` actions [pJ]: count x energy each (ADC conversions: at their resolutions).
  public func energyPJ(_ a: Action, _ spec: ArchSpec) -> Double {
    a == .adcConvert ? adcEnergyPJ : self[a] * a.energyPJ(spec)
  }
}
