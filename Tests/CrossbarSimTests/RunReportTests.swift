import Foundation
import Testing
@testable import CrossbarSim
import Mappers

@Suite("Run outputs")
struct RunReportTests {
  @Test("CSV fields with commas, quotes or newlines are quoted, quotes doubled; others are left alone")
  func csvQuoting() {
    #expect(CSV.field("plain") == "plain")
    #expect(CSV.field("a,b") == "\"a,b\"")
    #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSV.field("two\nlines") == "\"two\nlines\"")
  }

  @Test("every output file tells the same energy: stats, layers.csv and energy.csv per layer, and the total")
  func energyAgrees() throws {
    var b = NetworkBuilder(name: "report", input: TensorShape(8, 10, 10))
    try b.conv("conv", Convolution(outChannels: 16, kernel: 3))
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    try b.fc("fc", 10)
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 3; $0.ima.adc.leakageMW = 0.01 }
    let r = try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper())
    let report = RunReport(r)
    let stats = report.statsCSV.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let energyRows = report.energyCSV.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    let layerRows = report.layersCSV.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let energyColumn = layerRows[0].firstIndex(of: "energyPJ")!
    for (k, l) in r.layers.enumerated() {
      let byClass = energyRows.filter { $0[0] == l.name }.reduce(0.0) { $0 + Double($1[2])! }
      let inStats = Double(stats.first { $0[0] == "layers.\(l.name)" && $0[1] == "energy" }![2])!
      let inLayers = Double(layerRows[k + 1][energyColumn])!
      #expect(byClass > 0)
      #expect(abs(inStats - byClass) <= 1e-9 * byClass && abs(inLayers - byClass) <= 1e-9 * byClass, "\(l.name)")
    }
    let total = energyRows.filter { $0[0] == "total" }.reduce(0.0) { $0 + Double($1[2])! }
    let leakage = Double(energyRows.first { $0[0] == "total" && $0[1] == "leakage" }![2])!
    let perLayer = energyRows.filter { $0[0] != "total" }.reduce(0.0) { $0 + Double($1[2])! }
    #expect(leakage > 0 && abs(total - (perLayer + leakage)) <= 1e-9 * total)
    #expect(abs(Double(stats.first { $0[0] == "chip" && $0[1] == "energy" }![2])! - total) <= 1e-9 * total)
  }

  @Test("numbers print as integers when whole, shortest round-trip otherwise, null when not finite")
  func numbers() {
    #expect(StatNode.number(128) == "128" && StatNode.number(-3) == "-3" && StatNode.number(0) == "0")
    #expect(StatNode.number(0.5) == "0.5" && StatNode.number(52963.28125) == "52963.28125")
    #expect(StatNode.number(.nan) == "null" && StatNode.number(.infinity) == "null")
  }

  @Test("each shared resource reports its busy and wait cycles, requests, and busy / run length")
  func resources() throws {
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))
    let r = try Simulation.run(network: net, spec: tinySpec { $0.tile.shiftAdd.lanes = 10 }, mapper: Im2colMapper())
    let rows = RunReport(r).statsCSV.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    func stat(_ path: String, _ name: String) -> Double? { rows.first { $0[0] == path && $0[1] == name }.map { Double($0[2])! } }
    let sa = try #require(r.resources.first { $0.path == "tile0.shiftAdd" }?.server)
    #expect(stat("resources.tile0.shiftAdd", "busyCycles") == Double(sa.busy.count) && sa.busy.count == 16 * 7)
    #expect(stat("resources.tile0.shiftAdd", "requests") == 16)
    #expect(stat("resources.tile0.shiftAdd", "utilization") == Double(16 * 7) / Double(r.totalCycles.count))
    let buffer = try #require(r.resources.first { $0.path == "tile0.buffer" }?.server)
    #expect(stat("resources.tile0.buffer", "waitCycles") == Double(buffer.waited.count) && buffer.waited.count > 0)
  }
}
