import Testing
@testable import CrossbarSim

@Suite("Area, power and energy classes")
struct AreaPowerModelTests {
  func rows(_ m: AreaPowerModel) -> [String: AreaPowerModel.Row] {
    Dictionary(uniqueKeysWithValues: (m.imaRows + m.tileRows + m.chipRows).map { ($0.path, $0) })
  }

  @Test("per-row and per-column periphery follow a non-square array: DACs per row, S+H per column, ADCs per crossbar")
  func nonSquare() {
    var s = ArchSpec.isaac8bit
    s.ima.crossbar.rows = 64; s.ima.crossbar.columns = 32; s.ima.adc.countPerCrossbar = 2
    let r = rows(AreaPowerModel(spec: s))
    #expect(r["tile.ima.dac"]!.count == 8 * 64)
    #expect(r["tile.ima.sampleHold"]!.count == 8 * 32)
    #expect(r["tile.ima.adc"]!.count == 8 * 2)
    #expect(abs(r["tile.ima.adc"]!.powerMW - 16 * s.ima.adc.powerMW) < 1e-12)
    #expect(abs(r["tile.ima.sampleHold"]!.areaMm2 - 256 * s.ima.sampleHold.areaMm2) < 1e-18)
  }

  @Test("chip leakage adds every IMA of every tile, each tile's router share, and the chip links")
  func leakage() {
    var s = ArchSpec.isaac
    s.ima.adc.leakageMW = 0.5; s.tile.buffer.leakageMW = 2; s.tile.router.leakageMW = 4
    s.chip.hyperTransport.leakageMW = 2.5
    // 4 links x 2.5 + 168 tiles x (buffer 2 + router 4 / 4 tiles + 12 IMAs x 8 crossbars x 1 ADC x 0.5).
    let m = AreaPowerModel(spec: s)
    #expect(abs(m.tile.leakageMW - (2 + 1 + 48)) < 1e-9)
    #expect(abs(m.chip.leakageMW - (10 + 168 * 51)) < 1e-9)
  }

  @Test("each action's energy lands in its documented class, and the classes add up to the total")
  func energyClasses() {
    let documented: [EnergyClass: [Action]] = [
      .adc: [.adcConvert], .dac: [.dacDrive], .crossbar: [.crossbarRead], .sampleHold: [.sampleHold],
      .shiftAdd: [.imaShiftAdd, .tileShiftAdd],
      .registers: [.inputRegisterAccess, .imaOutputRegisterAccess, .tileOutputRegisterAccess],
      .buffer: [.bufferAccess, .busBit], .noc: [.nocFlitHop], .sparsityTables: [.tableLookup, .tableRoute],
      .rescale: [.rescaleShift, .rescaleMultiply], .digital: [.maxPoolOp, .sigmoidOp], .programming: [.crossbarRowWrite],
      .offChip: [.offChipBit],
    ]
    #expect(Set(documented.values.flatMap { $0 }) == Set(Action.allCases))
    var counts = ActionCounts()
    for a in Action.allCases { counts[a] = Double(a.rawValue + 1) }
    let spec = ArchSpec.isaac8bit
    // Conversions carry their energy (each at its crossbar's resolution): here all at 8 bits.
    counts.adcEnergyPJ = counts[.adcConvert] * Action.adcConvert.energyPJ(spec)
    let byClass = counts.energyByClass(spec)
    for (c, actions) in documented {
      let expected = actions.reduce(0.0) { $0 + counts[$1] * $1.energyPJ(spec) }
      #expect(abs(byClass[c, default: 0] - expected) <= 1e-9 * max(1, expected), "\(c)")
    }
    #expect(abs(byClass.values.reduce(0, +) - counts.energyPJ(spec)) < 1e-6)
  }
}

@Suite("ArchSpec derived quantities")
struct ArchSpecDerivedTests {
  @Test("input cycles are ceil(input bits / DAC bits); cells per weight double for differential pairs")
  func derived() {
    var s = ArchSpec.isaac8bit
    s.ima.dac.bits = 3
    #expect(s.inputCycles == 3)
    #expect(s.slicesPerWeight == 4 && s.cellsPerWeight == 4)
    s.data.weightEncoding = .differential
    #expect(s.cellsPerWeight == 8 && s.slicesPerWeight == 4)
    s.data.weightBits = 7
    #expect(s.slicesPerWeight == 4)
  }

  @Test("ISAAC's lossless rule gives the fewest bits that hold the largest column sum when rows are a power of two, never fewer otherwise")
  func losslessRule() {
    for rows in 1...300 {
      for v in 1...3 {
        for w in 1...3 {
          let largest = rows * ((1 << v) - 1) * ((1 << w) - 1)
          var needed = 0
          while (1 << needed) <= largest { needed += 1 }
          let rule = BitSerialModel.losslessADCBits(rows: rows, dacBits: v, cellBits: w)
          if rows & (rows - 1) == 0 {
            #expect(rule == needed, "rows \(rows), v \(v), w \(w)")
          } else {
            #expect(rule >= needed, "rows \(rows), v \(v), w \(w)")
          }
        }
      }
    }
  }

  @Test("whole weights per array row: floor(columns / columns per weight)")
  func weightsPerRow() {
    #expect(ArrayGeometry(rows: 16, columns: 10, slicesPerWeight: 4).weightsPerRow == 2)
    #expect(ArrayGeometry(rows: 16, columns: 10, slicesPerWeight: 4, isDifferential: true).weightsPerRow == 1)
    #expect(ArrayGeometry(rows: 16, columns: 7, slicesPerWeight: 4, isDifferential: true).weightsPerRow == 0)
  }

  @Test("zero-sized flits, lanes and registers are refused with their key paths", arguments: [
    "tile.router.flitBits=0", "tile.maxPool.lanes=0", "ima.inputRegister.sizeBytes=0", "tile.buffer.busWidthBits=0",
    "ima.dac.bits=0", "sparsityTable.entries=0",
  ])
  func zeroSizes(assignment: String) {
    let key = String(assignment.split(separator: "=")[0])
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: [assignment]) }
    do { _ = try ArchSpec.load("isaac", overrides: [assignment]) } catch { #expect("\(error)".contains("'\(key)'"), "\(error)") }
  }
}
