import Foundation

// MARK: - Named presets

extension ArchSpec {
  /// Digital logic clock of ISAAC [GHz]; per-op energies of digital units are power / this clock.
  static let isaacLogicGHz = 1.2

  /// ISAAC (Shafiee et al., ISCA 2016) at 32 nm: 168 tiles x 12 IMAs x 8 crossbars of 128x128,
  /// 2-bit cells, 1-bit DACs, one 8-bit 1.28 GS/s ADC per crossbar, 16-bit weights and inputs.
  ///
  /// Power and area per unit are the ISAAC table divided by unit counts; per-action energies are
  /// power x action time (see `shared/reference/imc-methods.md` section 1). Design choices, not in
  /// the paper: base clock 1.28 GHz (one ADC conversion per cycle, a 100 ns read = 128 cycles),
  /// buffer access latency 1 ns, router hop 1 ns and one 32-bit flit per cycle (0.78125 ns), the
  /// router's energy per flit and hop its power spread over its peak throughput, one flit per port
  /// per flit time: 42 mW x 0.78125 ns / 8 ports = 4.102 pJ, digital units 64
  /// lanes wide, row programming 100 ns and 1280 pJ per row, leakage 0 (ISAAC publishes none),
  /// sparsity tables as SRAM priced per bit like ISAAC's input register with 1 ns lookups and
  /// 0.05 pJ per routed value, a rescale shift costing one S+A op, FP32 multipliers from Horowitz
  /// (ISSCC 2014) scaled to 32 nm; the table's 4 HyperTransport links (10.4 W, 22.88 mm² in all)
  /// at 6.4 GB/s each, a bit costing a link's power over its bandwidth (2.6 W / 51.2 Gb/s =
  /// 50.78 pJ), and an off-chip access latency of 100 ns; of the 100 ns read, 10 ns are word-line and
  /// bit-line RC settling at 128x128 (ISAAC does not split its read; the rest, DAC drive, sensing and
  /// sample-and-hold, does not depend on the array size), which sets how the read grows with arrays.
  public static let isaac: ArchSpec = {
    // Per-op energies of digital units: power / logic clock, to 4 significant digits so the
    // resolved YAML (15 significant digits) reproduces the preset exactly.
    func perOp(_ powerMW: Double) -> Double { (powerMW / isaacLogicGHz).roundedTo4Digits }
    let logic = isaacLogicGHz
    let dacsPerIMA = 8.0 * 128, holdsPerIMA = 8.0 * 128
    return ArchSpec(
      name: "isaac", clockGHz: 1.28,
      data: DataSpec(weightBits: 16, inputBits: 16, outputBits: 16, weightEncoding: .offset),
      chip: ChipSpec(
        tiles: 168, tilesPerRouter: 4,
        hyperTransport: OffChipSpec(count: 4, bandwidthGBps: 6.4, accessLatencyNs: 100,
                                    energyPerBitPJ: (2600.0 / (6.4 * 8)).roundedTo4Digits, powerMW: 2600, leakageMW: 0,
                                    areaMm2: 22.88 / 4)),
      tile: TileSpec(
        imas: 12,
        buffer: BufferSpec(sizeKB: 64, banks: 4, busWidthBits: 256, accessLatencyNs: 1,
                           energyPerAccessPJ: 20.5, powerMW: 20.7, leakageMW: 0, areaMm2: 0.083),
        bus: BusSpec(wires: 384, energyPerBitPJ: (7.0 / (384 * logic)).roundedTo4Digits, powerMW: 7, leakageMW: 0,
                     areaMm2: 0.090),
        router: RouterSpec(flitBits: 32, ports: 8, hopLatencyNs: 1, flitLatencyNs: 0.78125,
                           energyPerFlitHopPJ: (42.0 * 0.78125 / 8).roundedTo4Digits, powerMW: 42, leakageMW: 0,
                           areaMm2: 0.151),
        sigmoid: UnitSpec(count: 2, lanes: 64, energyPerOpPJ: perOp(0.26), powerMW: 0.26,
                          leakageMW: 0, areaMm2: 0.0003),
        shiftAdd: UnitSpec(count: 1, lanes: 64, energyPerOpPJ: perOp(0.05), powerMW: 0.05,
                           leakageMW: 0, areaMm2: 0.00006),
        maxPool: UnitSpec(count: 1, lanes: 64, energyPerOpPJ: perOp(0.4), powerMW: 0.4,
                          leakageMW: 0, areaMm2: 0.00024),
        outputRegister: RegisterSpec(sizeBytes: .auto, referenceBytes: 3072, accessBits: 128,
                                     energyPerAccessPJ: perOp(1.68),
                                     powerMW: 1.68, leakageMW: 0, areaMm2: 0.0032),
        // FP32 multiplier (Horowitz, ISSCC 2014, 45 nm: 3.7 pJ, 7,700 µm²) scaled to 32 nm (energy
        // x 32/45, area x (32/45)²), busy every cycle at 1.28 GHz at peak; three per tile, the
        // outputs an ISAAC tile can produce per cycle (96 crossbars x 32 outputs / 800 ns x 0.78 ns).
        rescale: RescaleSpec(shiftEnergyPJ: perOp(0.05), multiplyEnergyPJ: (3.7 * 32 / 45).roundedTo4Digits,
                             multipliersPerTile: 3, multiplierPowerMW: (3.7 * 32 / 45 * 1.28).roundedTo4Digits,
                             multiplierAreaMm2: (0.0077 * 32 * 32 / (45 * 45)).roundedTo4Digits)),
      ima: IMASpec(
        crossbars: 8,
        crossbar: CrossbarSpec(rows: 128, columns: 128, bitsPerCell: 2, referenceRows: 128, referenceColumns: 128,
                               readLatencyNs: 100, wireDelayNs: 10, readEnergyPJ: 30, writeLatencyPerRowNs: 100,
                               writeEnergyPerRowPJ: 1280,
                               powerMW: 0.3, leakageMW: 0, areaMm2: 0.0002 / 8),
        dac: DACSpec(bits: 1, energyPerDrivePJ: 4.0 / dacsPerIMA * 100, powerMW: 4.0 / dacsPerIMA,
                     leakageMW: 0, areaMm2: 0.00017 / dacsPerIMA),
        sampleHold: SampleHoldSpec(energyPerSamplePJ: 0.01 / holdsPerIMA * 100, powerMW: 0.01 / holdsPerIMA,
                                   leakageMW: 0, areaMm2: 0.00004 / holdsPerIMA),
        adc: ADCSpec(countPerCrossbar: .auto, columnsPerADC: 128, bits: .bits(8), flipEncoding: true,
                     sampleRateGSps: 1.28,
                     energyPerConversionPJ: 2.0 / 1.28,
                     powerMW: 2, leakageMW: 0, areaMm2: 0.0096 / 8),
        shiftAdd: UnitSpec(count: 4, lanes: 1, energyPerOpPJ: perOp(0.05), powerMW: 0.05,
                           leakageMW: 0, areaMm2: 0.00006),
        inputRegister: RegisterSpec(sizeBytes: .auto, referenceBytes: 2048, accessBits: 128,
                                    energyPerAccessPJ: perOp(1.24),
                                    powerMW: 1.24, leakageMW: 0, areaMm2: 0.0021),
        outputRegister: RegisterSpec(sizeBytes: .auto, referenceBytes: 256, accessBits: 128,
                                     energyPerAccessPJ: perOp(0.23),
                                     powerMW: 0.23, leakageMW: 0, areaMm2: 0.00077)),
      // Table SRAM per bit from ISAAC's 2 KB input register (CACTI 6.5, 32 nm): 0.0021 mm² / 16,384
      // bits, and one 128-bit access (1.24 mW at the logic clock) / 128 per bit read.
      sparsityTable: SparsityTableSpec(lookupLatencyNs: 1, readEnergyPerBitPJ: (perOp(1.24) / 128).roundedTo4Digits,
                                       routeEnergyPerValuePJ: 0.05, leakagePerBitMW: 0,
                                       areaPerBitUm2: (0.0021e6 / 16384).roundedTo4Digits))
  }()

  /// The ISAAC chip with 8-bit weights on 4 cells and 8-bit inputs, as used by crossbar-aligned
  /// pruning [XA]: the same hardware, so its registers keep ISAAC's sizes (2 KB, 256 B, 3 KB)
  /// rather than the smaller ones 8-bit data would need (set them to `auto` for those).
  public static let isaac8bit: ArchSpec = {
    var s = isaac
    s.name = "isaac-8bit"
    s.data = DataSpec(weightBits: 8, inputBits: 8, outputBits: 8, weightEncoding: .offset)
    s.ima.inputRegister.sizeBytes = 2048
    s.ima.outputRegister.sizeBytes = 256
    s.tile.outputRegister.sizeBytes = 3072
    return s
  }()

  /// Every named preset, in the order `simrun` lists them.
  public static let allPresets: [(name: String, spec: ArchSpec)] = [
    ("isaac", isaac), ("isaac-8bit", isaac8bit),
  ]

  /// The preset called `name`, or an error listing the known ones.
  public static func preset(named name: String) throws -> ArchSpec {
    guard let p = allPresets.first(where: { $0.name == name }) else {
      throw InputError("unknown arch preset '\(name)' (known: \(allPresets.map(\.name).joined(separator: ", ")))")
    }
    return p.spec
  }
}

extension Double {
  /// The value rounded to 4 significant digits.
  var roundedTo4Digits: Double {
    guard self != 0, isFinite else { return self }
    let scale = pow(10, 3 - floor(log10(abs(self))))
    return (self * scale).rounded() / scale
  }
}
