import Testing
@testable import CrossbarSim
import Mappers

/// Array costs follow the geometry by the laws of `ArchSpec.array`, checked against numbers worked
/// by hand from ISAAC's 128x128 point (25 µm², 30 pJ per full read, 100 ns of which 10 ns wire).
@Suite("Array geometry")
struct ArrayGeometryTests {
  func isaac(_ side: Int, _ edit: (inout ArchSpec) -> Void = { _ in }) -> ArchSpec {
    var s = ArchSpec.isaac
    s.ima.crossbar.rows = side; s.ima.crossbar.columns = side
    edit(&s)
    return s
  }

  @Test("area, read energy, read latency, ADCs and registers at 64², 128², 256² and 512², by hand",
        arguments: [
          // side, area [mm²], read [pJ], read [ns], read cycles at 1.28 GHz, ADCs, input register [B]
          (64, 6.25e-6, 7.5, 92.5, 119, 1, 1024),   // 90 + 10 x (1/4 + 1/4) / 2; 118.4 cycles, rounded up
          (128, 25e-6, 30.0, 100.0, 128, 1, 2048),
          (256, 100e-6, 120.0, 130.0, 167, 2, 4096),  // 90 + 10 x (4 + 4) / 2; 166.4 cycles
          (512, 400e-6, 480.0, 250.0, 320, 4, 8192),  // 90 + 10 x (16 + 16) / 2
        ])
  func laws(side: Int, area: Double, energy: Double, ns: Double, cycles: UInt64, adcs: Int, input: Int) throws {
    let s = isaac(side)
    #expect(s.validate().isEmpty)
    let a = s.array, cells = Double(side * side)
    #expect(abs(a.areaMm2 - area) < 1e-15)
    #expect(abs(a.readEnergyPJ - energy) < 1e-9)
    // Per cell, both stay ISAAC's: 25 µm² / 16,384 and 30 pJ / 16,384.
    #expect(abs(a.areaMm2 / cells - 25e-6 / 16384) < 1e-18)
    #expect(abs(a.readEnergyPJ / cells - 30.0 / 16384) < 1e-15)
    #expect(abs(a.readLatencyNs - ns) < 1e-9)
    #expect(s.clock.cycles(ns: a.readLatencyNs).count == cycles)
    #expect(s.adcsPerCrossbar == adcs)
    // 8 crossbars x rows x 16-bit inputs; 8 x (columns / 8 cells) x 16-bit outputs; 12 IMAs of those.
    #expect(s.registerBytes(.imaInput) == input)
    #expect(s.registerBytes(.imaOutput) == side * 2)
    #expect(s.registerBytes(.tileOutput) == 12 * side * 2)
    // The IMA row of `simrun arch`: the array and register rows follow, the DACs and S+Hs count rows and columns.
    let m = AreaPowerModel(spec: s)
    let row = { (p: String) in m.imaRows.first { $0.path == p }! }
    #expect(abs(row("tile.ima.crossbar").areaMm2 - 8 * area) < 1e-15)
    #expect(row("tile.ima.dac").count == Double(8 * side))
    #expect(row("tile.ima.sampleHold").count == Double(8 * side))
    #expect(row("tile.ima.adc").count == Double(8 * adcs))
    #expect(abs(row("tile.ima.inputRegister").areaMm2 - 0.0021 * Double(side) / 128) < 1e-15)
  }

  @Test("non-square arrays: the word line and the bit line each carry half of the wire delay, by hand")
  func nonSquare() throws {
    var s = ArchSpec.isaac
    s.ima.crossbar.rows = 256; s.ima.crossbar.columns = 64
    // Cells 256 x 64 = 128 x 128: area and read energy stay ISAAC's; 90 + 10 x (2^2 + 0.5^2) / 2 ns.
    #expect(abs(s.array.areaMm2 - 25e-6) < 1e-18 && abs(s.array.readEnergyPJ - 30) < 1e-12)
    #expect(abs(s.array.readLatencyNs - 111.25) < 1e-12)
    #expect(s.adcsPerCrossbar == 1)
    // 8 x 256 rows x 2 bytes in; 8 x (64 / 8 cells) x 2 bytes out.
    #expect(s.registerBytes(.imaInput) == 4096 && s.registerBytes(.imaOutput) == 128)
    s.ima.crossbar.rows = 128; s.ima.crossbar.columns = 200
    #expect(s.adcsPerCrossbar == 2)  // ceil(200 / 128): the last 72 columns get their own ADC
    #expect(s.adcBatchCycles(columns: 200, bits: 8) == 100)  // ceil(200 / 2) conversions at one a cycle
  }

  @Test("a fixed ADC count, register size and a reference geometry override the derived ones")
  func overrides() throws {
    let s = try ArchSpec.load("isaac", overrides: ["ima.crossbar.rows=512", "ima.crossbar.columns=512",
                                                   "ima.adc.countPerCrossbar=1", "ima.inputRegister.sizeBytes=1024",
                                                   "ima.crossbar.referenceRows=512", "ima.crossbar.referenceColumns=512"])
    #expect(s.adcsPerCrossbar == 1 && s.registerBytes(.imaInput) == 1024)
    #expect(s.array.readEnergyPJ == 30 && s.array.readLatencyNs == 100)
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: ["ima.crossbar.wireDelayNs=101"]) }
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: ["ima.adc.columnsPerADC=0"]) }
  }

  /// One window row of `columns / 4` 8-bit filters over 8x10x10 inputs with a 3x3 kernel: 72 rows,
  /// 64 windows, one crossbar of the `side` x `side` array.
  func oneCrossbar(outChannels: Int) throws -> Network {
    try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: outChannels, kernel: 3))
  }

  func simulate(_ net: Network, _ spec: ArchSpec) throws -> SimulationResult {
    try Simulation.run(network: net, spec: spec, mapper: Im2colMapper(), options: .init())
  }

  @Test("a 512-column read on one ADC is ADC-bound: 512 conversions per input bit, exact to the cycle")
  func adcBound() throws {
    var s = tinySpec { $0.ima.crossbar.rows = 512; $0.ima.crossbar.columns = 512; $0.ima.adc.countPerCrossbar = 1 }
    s.ima.inputRegister.sizeBytes = .auto
    let r = try simulate(oneCrossbar(outChannels: 128), s)
    let l = r.layers[0]
    #expect(l.crossbars == 1 && l.activations == 64)
    // Read 250 ns = 320 cycles; 512 columns at 1.28 GS/s on one ADC = 512 cycles per input bit, 8 bits.
    #expect(s.clock.cycles(ns: s.array.readLatencyNs).count == 320)
    // The first read's 320 cycles, then each of the other 511 reads waits for the 512 conversions
    // of the one before it (its sample-and-holds are busy until then).
    #expect(l.arrayCycles.count == 320 + (64 * 8 - 1) * 512)
    // With the derived 4 ADCs the same layer is read-bound: 320 cycles per bit.
    var four = s
    four.ima.adc.countPerCrossbar = .auto
    #expect(four.adcsPerCrossbar == 4)
    #expect(try simulate(oneCrossbar(outChannels: 128), four).layers[0].arrayCycles.count == 64 * 8 * 320)
  }

  @Test("a 64-row read takes 119 cycles (92.5 ns); end to end as in the 128² case, by hand")
  func smallArray() throws {
    let s = tinySpec { $0.ima.crossbar.rows = 64; $0.ima.crossbar.columns = 64 }
    // 7 input channels x 3 x 3 = 63 rows; 16 filters x 4 cells = 64 columns.
    let net = try convNetwork(input: TensorShape(7, 10, 10), Convolution(outChannels: 16, kernel: 3))
    let r = try simulate(net, s)
    let l = r.layers[0]
    #expect(l.crossbars == 1 && l.activations == 64)
    #expect(l.arrayCycles.count == 64 * 8 * 119)
    // First input fetch (63 x 8 bits = 2 beats of 256 bits + 1 ns), the arrays, the last conversion
    // batch (64 columns at 1.28 GS/s = 64 cycles), one S+A cycle, the output write (1 beat + 1 ns).
    let access = s.clock.cycles(ns: 1).count
    #expect(r.totalCycles.count == (2 + access) + l.arrayCycles.count + 64 + 1 + (1 + access))
    // Energy: 64 activations x 8 bits, each reading 63 x 64 of 64 x 64 cells at 7.5 pJ per full read.
    #expect(abs(r.counts.energyPJ(.crossbarRead, s) - 64 * 8 * 7.5 * 63 / 64) < 1e-9)
  }
}
