import Foundation
import Testing
import TestSupport
@testable import CrossbarSim
import Mappers

/// The ADC model: cost by resolution, `auto` resolution from the active rows, flip encoding, sharing.
@Suite("ADC model")
struct ADCModelTests {
  func spec(_ edit: (inout ArchSpec) -> Void = { _ in }) -> ArchSpec { tinySpec { $0.tile.imas = 2; edit(&$0) } }

  /// a: 3x3 conv 16 -> 16 channels (144 rows: a 128-row and a 16-row crossbar); b: 1x1, 16 -> 32 (16 rows).
  func pair() throws -> Network {
    var b = NetworkBuilder(name: "pair", input: TensorShape(16, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 32, kernel: 1))
    return b.network
  }

  func run(_ s: ArchSpec, _ net: Network? = nil) throws -> SimulationResult {
    try Simulation.run(network: net ?? pair(), spec: s, mapper: Im2colMapper())
  }

  func adcEnergy(_ r: SimulationResult) -> Double { r.energyByClass.first { $0.0 == .adc }!.1 }
  func chipADCArea(_ r: SimulationResult) -> Double {
    r.areaRows.first { $0.scope == "chip" && $0.componentClass == "ADC" }!.areaMm2
  }

  @Test("energy per conversion doubles and ADC area doubles per bit; SAR conversions take time in proportion to the bits")
  func resolutionScaling() throws {
    let results = try [4, 6, 8, 10].map { b in try run(spec { $0.ima.adc.bits = .bits(b) }) }
    let at8 = results[2]
    for (r, b) in zip(results, [4, 6, 8, 10]) {
      // Same layout, same conversions: only the energy per conversion (1.5625 pJ x 2^(b - 8)) differs.
      let scale: Double = pow(2, Double(b - 8))
      let expectedEnergy: Double = r.counts[.adcConvert] * 2.0 / 1.28 * scale
      let expectedArea: Double = 16 * 0.0012 * scale
      #expect(r.counts[.adcConvert] == at8.counts[.adcConvert])
      #expect(abs(adcEnergy(r) - expectedEnergy) < 1e-6 * expectedEnergy)
      #expect(abs(chipADCArea(r) - expectedArea) < 1e-12, "\(b) bits")
    }
    for k in 1..<results.count {
      #expect(adcEnergy(results[k]) > adcEnergy(results[k - 1]) && chipADCArea(results[k]) > chipADCArea(results[k - 1]))
      #expect(results[k].energyPJ > results[k - 1].energyPJ)
    }
    // 16 columns at 4 bits: 2.56 GS/s, 6.25 ns = 8 cycles; at 10 bits 1.024 GS/s, 15.625 ns = 20 cycles.
    #expect(spec().adcBatchCycles(columns: 16, bits: 4) == 8 && spec().adcBatchCycles(columns: 16, bits: 10) == 20)
  }

  @Test("auto gives each crossbar the lossless resolution of its active rows, one bit less with flip encoding")
  func autoBits() throws {
    let r = try run(spec { $0.ima.adc.bits = .auto })
    // a: its 128-row crossbar needs 7 + 1 + 2 - 1 = 9 bits, 8 with flips; b: 16 rows, 4 + 2 = 6, 5 with flips.
    #expect(r.layers.map(\.adcBits) == [8, 5])
    let noFlip = try run(spec { $0.ima.adc.bits = .auto; $0.ima.adc.flipEncoding = false })
    #expect(noFlip.layers.map(\.adcBits) == [9, 6])
    // b's conversions cost 2^(5 - 8) of the 8-bit energy; a mixes an 8-bit and a 5-bit crossbar.
    let fixed = try run(spec())
    let bConv = fixed.layers[1].counts[.adcConvert]
    #expect(abs(r.layers[1].counts.adcEnergyPJ - bConv * 2.0 / 1.28 / 8) < 1e-6)
    #expect(r.layers[0].counts.adcEnergyPJ < fixed.layers[0].counts.adcEnergyPJ)
  }

  @Test("flip encoding is lossless one bit below ISAAC's rule: random columns give the exact dot product")
  func flipLossless() async {
    await forAll(seed: 11, count: 200, [2...130, 1...2, 1...3, 0...1_000_000], make: { $0 }) { p in
      let rows = p[0], dac = p[1], cell = p[2]
      var g = SeededGenerator(seed: UInt64(p[3]))
      let bits = BitSerialModel.losslessADCBits(rows: rows, dacBits: dac, cellBits: cell) - 1
      let m = BitSerialModel(inputBits: 4, dacBits: dac, weightBits: 4, cellBits: cell, adcBits: bits, encoding: .offset,
                             flipEncoding: true)
      // Half the cases lean to large stored values, so columns flip.
      let lean = p[3] % 2 == 0
      let w = (0..<rows).map { _ in lean ? Int.random(in: 3...7, using: &g) : Int.random(in: -8...7, using: &g) }
      let x = (0..<rows).map { _ in Int.random(in: 0...15, using: &g) }
      #expect(m.activate(inputs: x, weights: w) == zip(x, w).reduce(0) { $0 + $1.0 * $1.1 }, "rows \(rows), \(bits) bits")
    }
    // Without flips the same resolution clips a full column: 128 rows of the largest weight.
    let plain = BitSerialModel(inputBits: 1, dacBits: 1, weightBits: 2, cellBits: 2, adcBits: 8, encoding: .offset)
    var flip = plain
    flip.flipEncoding = true
    let x = [Int](repeating: 1, count: 128), w = [Int](repeating: 1, count: 128)
    #expect(plain.activate(inputs: x, weights: w) != 128 && flip.activate(inputs: x, weights: w) == 128)
  }

  @Test("four crossbars sharing one ADC: a conversion-bound layer takes 4x, the ADCs a quarter of the area")
  func sharing() throws {
    // FC 512 -> 32: four crossbars of 128 rows x 128 columns in one IMA, one window. At 0.32 GS/s a
    // batch of 128 conversions takes 400 ns = 512 cycles (reads: 128). Alone, each crossbar's last
    // conversion ends at 128 + 8 x 512 = 4224; sharing, the four convert one after another: 16512.
    var n = NetworkBuilder(name: "fc", input: TensorShape(512, 1, 1))
    try n.fc("fc", 32)
    func s(_ perADC: Int) -> ArchSpec { spec { $0.ima.adc.sampleRateGSps = 0.32; $0.ima.adc.crossbarsPerADC = perADC } }
    let own = try run(s(1), n.network), shared = try run(s(4), n.network)
    #expect(own.layers[0].crossbars == 4)
    let ratio = Double(shared.layers[0].cycles.count) / Double(own.layers[0].cycles.count)
    #expect(ratio > 3.7 && ratio < 4.0, "\(ratio)")
    // The four crossbars read different rows, fetched one after another (1024 bits over a 256-bit
    // bus: 4 cycles each): alone the last ends 12 cycles after the first would; shared, the ADC
    // runs from the first crossbar's first latch without a gap.
    #expect(shared.layers[0].cycles.count - own.layers[0].cycles.count == (16512 - 4224) - 3 * 4)
    let adc = shared.resources.first { $0.path == "tile0.adc0" }?.server
    #expect(adc?.requests == 32 && adc?.busy.count == 32 * 512)
    #expect(abs(chipADCArea(shared) - chipADCArea(own) / 4) < 1e-12)
    // A crossbar is busy from its first read to its last latch, and a latch waits for the S+H to be
    // converted: alone 128 + 7 x 512 cycles each; sharing, each also waits for the others.
    #expect(own.layers[0].crossbarBusyCycles.count == 4 * (128 + 7 * 512))
    #expect(shared.layers[0].crossbarBusyCycles.count > own.layers[0].crossbarBusyCycles.count)
    // Three crossbars per ADC on 8-crossbar IMAs: the last two share a third ADC.
    let thirds = try run(s(3), n.network)
    #expect(abs(chipADCArea(thirds) - Double(2 * 3) * 0.0012) < 1e-12)
    // The layer's four crossbars (0-3 of IMA 0) use ADCs 0 and 1 of that IMA.
    #expect(thirds.occupancy.adcs == 2 && shared.occupancy.adcs == 1 && own.occupancy.adcs == 4)
    // Same conversions, same energy.
    #expect(shared.counts[.adcConvert] == own.counts[.adcConvert] && abs(adcEnergy(shared) - adcEnergy(own)) < 1e-9)
  }

  @Test("ADC settings are checked: auto or a whole number of bits, and one kind of sharing")
  func validation() throws {
    #expect(try ArchSpec.load("isaac", overrides: ["ima.adc.bits=auto"]).ima.adc.bits == .auto)
    for (o, m) in [(["ima.adc.bits=seven"], "ima.adc.bits"),
                   (["ima.adc.countPerCrossbar=2", "ima.adc.crossbarsPerADC=2"], "not both"),
                   (["ima.adc.crossbarsPerADC=0"], "'ima.adc.crossbarsPerADC' is 0")] {
      do { _ = try ArchSpec.load("isaac", overrides: o); Issue.record("accepted \(o)") } catch {
        #expect("\(error)".contains(m), "\(error)")
      }
    }
  }
}
