import Foundation
import Testing
@testable import CrossbarSim
import Mappers

@Suite("Area by scope")
struct AreaScopeTests {
  func row(_ r: SimulationResult, _ scope: String, _ c: String) -> AreaRow { r.areaRows.first { $0.scope == scope && $0.componentClass == c }! }

  @Test("used area counts the crossbars, IMAs and tiles a run occupies; the chip scope is the whole arch")
  func usedScope() throws {
    // Three tiles of one one-crossbar IMA. a: 3x3 conv 16 -> 16 (144 rows: two crossbars, tiles 0
    // and 1); tile 2 stays empty.
    var b = NetworkBuilder(name: "a", input: TensorShape(16, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    let spec = tinySpec(tiles: 3, crossbars: 1)
    let r = try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper())
    #expect(r.occupancy == Occupancy(crossbars: 2, adcs: 2, imas: 2, tiles: 2))
    let t = spec.tile, i = spec.ima
    #expect(abs(row(r, "used", "buffer").areaMm2 - 2 * (t.buffer.areaMm2 + t.bus.areaMm2)) < 1e-12)
    #expect(abs(row(r, "chip", "buffer").areaMm2 - 3 * (t.buffer.areaMm2 + t.bus.areaMm2)) < 1e-12)
    #expect(abs(row(r, "used", "DAC").areaMm2 - 2 * 128 * i.dac.areaMm2) < 1e-15)
    #expect(abs(row(r, "used", "S+H").peakPowerMW - 2 * 128 * i.sampleHold.powerMW) < 1e-12)
    #expect(abs(row(r, "used", "ADC").areaMm2 - 2 * i.adc.areaMm2) < 1e-15)
    #expect(abs(row(r, "used", "registers").areaMm2
                - 2 * (i.inputRegister.areaMm2 + i.outputRegister.areaMm2) - 2 * t.outputRegister.areaMm2) < 1e-15)
    // The totals add their classes; the chip total is the arch's (ISAAC's published sums, tested elsewhere).
    for scope in ["used", "chip"] {
      let rows = r.areaRows.filter { $0.scope == scope && $0.componentClass != "total" }
      #expect(abs(rows.reduce(0) { $0 + $1.areaMm2 } - row(r, scope, "total").areaMm2) < 1e-12)
    }
    #expect(abs(row(r, "chip", "total").areaMm2 - AreaPowerModel(spec: spec).chip.areaMm2) < 1e-9)
    #expect(abs(row(r, "chip", "total").peakPowerMW - AreaPowerModel(spec: spec).chip.powerMW) < 1e-6)
  }

  @Test("index tables count in the used area by their bits; FP multipliers on the tiles that rescale with them")
  func peripherals() throws {
    var b = NetworkBuilder(name: "a", input: TensorShape(16, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    let spec = tinySpec(tiles: 3, crossbars: 1)
    var r = try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper())
    #expect(row(r, "used", "sparsityTables").areaMm2 == 0 && row(r, "used", "rescale").areaMm2 == 0)
    #expect(row(r, "used", "off-chip").areaMm2 == 0 && row(r, "chip", "off-chip").areaMm2 == 22.88)
    r.occupancy.tableBits = 640
    r.occupancy.multiplierTiles = 1
    // 640 bits x 0.1282 um^2; each bit read once per 100 ns read at 0.00807 pJ.
    #expect(abs(row(r, "used", "sparsityTables").areaMm2 - 640 * 0.1282e-6) < 1e-15)
    #expect(abs(row(r, "used", "sparsityTables").peakPowerMW - 640 * 0.00807 / 100) < 1e-9)
    #expect(row(r, "chip", "sparsityTables").areaMm2 == 0)
    // Three FP32 multipliers a tile: 3 x 0.003894 mm^2 on the one tile, and on all three of the chip.
    #expect(abs(row(r, "used", "rescale").areaMm2 - 3 * 0.003894) < 1e-12)
    #expect(abs(row(r, "chip", "rescale").areaMm2 - 9 * 0.003894) < 1e-12)
  }
}
