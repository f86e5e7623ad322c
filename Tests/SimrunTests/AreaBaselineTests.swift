import Foundation
import Testing
@testable import simrun
@testable import SimrunKit
import CrossbarSim

@Suite("simrun run --baseline")
struct AreaBaselineTests {
  func rows(_ dir: String) throws -> [String: [String]] {
    let text = try String(contentsOfFile: "\(dir)/area.csv", encoding: .utf8)
    var out: [String: [String]] = [:]
    for line in text.split(separator: "\n").dropFirst() {
      let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      out["\(f[0]),\(f[1])"] = f
    }
    return out
  }

  @Test("crossbar pruning occupies less area than the dense run on the same chip, whose area does not change")
  func prunedVersusDense() throws {
    let dense = temporaryDirectory(), pruned = temporaryDirectory()
    let d = try RunCommand.parse(["--out", dense, "--quiet"])
    try d.run()
    let p = try RunCommand.parse(["--compress", "prune-crossbar:ratio=0.5", "--baseline", dense, "--out", pruned, "--quiet"])
    try p.run()
    let r = try rows(pruned)
    let usedRatio = try #require(Double(r["used,total"]![4])), chipRatio = try #require(Double(r["chip,total"]![4]))
    #expect(usedRatio < 1 && chipRatio == 1, "used \(usedRatio), chip \(chipRatio)")
    #expect(try #require(Double(r["used,ADC"]![4])) < 1)
    // The ratio is the two runs' own figures divided.
    let base = try rows(dense)
    #expect(abs(Double(r["used,total"]![2])! / Double(base["used,total"]![2])! - usedRatio) < 1e-9)
  }

  @Test("a baseline folder without area.csv is an error naming it")
  func missing() throws {
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(["--baseline", "/nonexistent/run", "--out", dir, "--quiet"])
    do { try cmd.run(); Issue.record("accepted") } catch {
      #expect("\(error)".contains("--baseline /nonexistent/run: no readable area.csv"), "\(error)")
    }
  }
}

@Suite("simrun compressors and kept parameters")
struct CompressorListingTests {
  @Test("every compressor is listed with its options, budgets included")
  func listing() {
    let table = CompressorsCommand.listing(format: .table), csv = CompressorsCommand.listing(format: .csv)
    for kind in ["lowrank", "prune-crossbar", "prune-kernel-group", "prune-rows", "prune-columns", "prune-pattern", "quant-pow2", "quant-fp"] {
      #expect(table.contains(kind) && csv.contains("\n\(kind),"), "\(kind)")
    }
    let rows = csv.split(separator: "\n").map { CSV.fields(String($0)) }
    #expect(rows.contains { $0[0] == "prune-pattern" && $0[1].hasPrefix("params=N: ") })
    #expect(rows.contains { $0[0] == "prune-pattern" && $0[1].hasPrefix("crossbars=N: ") })
  }

  @Test("stats and compression.csv state the weights kept, per layer and in total")
  func keptParameters() throws {
    let dense = temporaryDirectory(), pruned = temporaryDirectory()
    var d = try RunCommand.parse(["--out", dense, "--quiet"])
    try d.run()
    let total = try BuiltinWorkloads.named("resnet20").parameters
    #expect(try String(contentsOfFile: "\(dense)/stats.csv", encoding: .utf8).contains("chip,parameters,\(total),count\n"))
    var p = try RunCommand.parse(["--compress", "prune-pattern:params=200000", "--out", pruned, "--quiet"])
    try p.run()
    let stats = try String(contentsOfFile: "\(pruned)/stats.csv", encoding: .utf8)
    let kept = try #require(stats.split(separator: "\n").first { $0.hasPrefix("chip,parameters,") }.flatMap { Int($0.split(separator: ",")[2]) })
    #expect(kept <= 200_000 && kept > 150_000)
    // compression.csv: per pruned layer, the weights before and after; the rest are unchanged.
    let csv = try String(contentsOfFile: "\(pruned)/compression.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv[0].hasPrefix("step,layer,rank,keptRatio,parametersBefore,parametersAfter,"))
    let removed = csv.dropFirst().reduce(0) { acc, line in
      let f = line.split(separator: ",", omittingEmptySubsequences: false)
      return acc + Int(f[4])! - Int(f[5])!
    }
    #expect(total - removed == kept)
  }
}

@Suite("group low-rank on WRN-16-4")
struct GroupLowRankEnergyTests {
  @Test("group low-rank (g=2) at 45 % of the parameters spends less energy than the dense network")
  func lessEnergy() throws {
    let dense = temporaryDirectory(), grouped = temporaryDirectory()
    let params = try BuiltinWorkloads.named("wrn16-4").parameters * 45 / 100
    var d = try RunCommand.parse(["--workload", "wrn16-4", "--out", dense, "--quiet"])
    try d.run()
    var g = try RunCommand.parse(["--workload", "wrn16-4", "--compress", "lowrank:params=\(params),groups=2", "--mapper", "lowrank",
                                  "--out", grouped, "--quiet"])
    try g.run()
    func stat(_ dir: String, _ key: String) throws -> Double {
      let text = try String(contentsOfFile: "\(dir)/stats.csv", encoding: .utf8)
      return try #require(text.split(separator: "\n").first { $0.hasPrefix(key + ",") }.flatMap { Double($0.split(separator: ",")[2]) })
    }
    #expect(try stat(grouped, "chip,parameters") <= Double(params))
    #expect(try stat(grouped, "chip,energy") < stat(dense, "chip,energy"))
    // No layer of the grouped run holds an all-zero crossbar: its R layers say which layout they took.
    let layers = try String(contentsOfFile: "\(grouped)/layers.csv", encoding: .utf8)
    #expect(layers.contains("(smaller: "))
  }
}

@Suite("priced peripherals on resnet20")
struct PeripheralTests {
  func area(_ dir: String, _ key: String) throws -> (area: Double, power: Double) {
    let text = try String(contentsOfFile: "\(dir)/area.csv", encoding: .utf8)
    let f = try #require(text.split(separator: "\n").first { $0.hasPrefix(key + ",") }).split(separator: ",")
    return (Double(f[2])!, Double(f[3])!)
  }
  func energy(_ dir: String, _ cls: String) throws -> Double {
    let text = try String(contentsOfFile: "\(dir)/energy.csv", encoding: .utf8)
    return try #require(text.split(separator: "\n").first { $0.hasPrefix("total,\(cls),") }.flatMap { Double($0.split(separator: ",")[2]) })
  }

  @Test("row pruning pays for tables and FP scales for multipliers; crossbar pruning and power-of-two scales do not")
  func peripherals() throws {
    var dirs: [String: String] = [:]
    for c in ["prune-rows:ratio=0.5", "prune-crossbar:ratio=0.5", "quant-fp", "quant-pow2"] {
      let dir = temporaryDirectory()
      var cmd = try RunCommand.parse(["--compress", c, "--out", dir, "--quiet"])
      try cmd.run()
      dirs[c] = dir
    }
    let rows = dirs["prune-rows:ratio=0.5"]!, crossbar = dirs["prune-crossbar:ratio=0.5"]!
    let fp = dirs["quant-fp"]!, pow2 = dirs["quant-pow2"]!
    // Tables: a visible share of the used area and of the energy.
    let t = try area(rows, "used,sparsityTables"), used = try area(rows, "used,total")
    #expect(t.area / used.area > 0.005 && t.area / used.area < 0.05, "\(t.area / used.area)")
    #expect(try energy(rows, "sparsityTables") > 0 && area(crossbar, "used,sparsityTables").area == 0)
    #expect(try energy(crossbar, "sparsityTables") == 0)
    // Multipliers: three per tile of the FP layers, in the used and the chip scope.
    let m = try area(fp, "used,rescale"), fpUsed = try area(fp, "used,total")
    #expect(m.area > 0 && m.power / fpUsed.power > 0.03, "\(m.power / fpUsed.power)")
    #expect(try area(fp, "chip,rescale").area == 168 * 3 * 0.003894)
    #expect(try area(pow2, "used,rescale").area == 0 && area(pow2, "chip,rescale").area == 0)
  }
}
