import Foundation
import Testing
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// A spec file in a fresh folder.
func specFile(_ text: String) throws -> String {
  let path = "\(temporaryDirectory())/spec.yaml"
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// NeuroSim's 3-layer network (`traces/NetWork_tiny.csv`), shared by the simrun suites.
let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("traces/NetWork_tiny.csv").path

/// 24 points on the 3-layer NeuroSim network: ADC bits x mapper x row-pruning ratio.
private let gridSpec = """
  version: 1
  base: {workload: \(tiny), arch: isaac-8bit, set: [chip.tiles=4], compress: [{kind: prune-rows}]}
  grid:
    arch.ima.adc.bits: [6, 8]
    mapper: [im2col, {kind: vw-sdk}]
    compress.prune-rows.ratio: [0.0, 0.25, 0.5, 0.75, 0.85, 0.95]
  objectives: [energyPerImage, max:imagesPerSecond]
  """

@Suite("simrun sweep")
struct SweepCommandTests {
  @Test("a grid enumerates every combination, the last parameter fastest, each applied to the base run")
  func gridOrder() throws {
    let spec = try SweepSpec(text: gridSpec, source: "spec")
    #expect(spec.pointCount == 2 * 2 * 6)
    #expect(spec.values(of: 0).map(\.text) == ["6", "im2col", "0.0"])
    #expect(spec.values(of: 7).map(\.text) == ["6", "vw-sdk", "0.25"])
    #expect(spec.values(of: 23).map(\.text) == ["8", "vw-sdk", "0.95"])
    let s = try spec.setup(of: 13)   // 8 bits, im2col, ratio 0.25
    #expect(s.set == ["chip.tiles=4", "ima.adc.bits=8"] && s.mapper.kind == "im2col")
    #expect(s.compress == [PluginSpec(kind: "prune-rows", options: ["ratio": "0.25"])])
    #expect(spec.objectives.map(\.metric) == ["energyPerImagePJ", "imagesPerSecond"] && spec.objectives[1].maximise)
  }

  @Test("random points are seeded, within their ranges, and do not depend on which shard draws them")
  func randomSample() throws {
    let text = """
      version: 1
      grid:
        arch.ima.adc.bits: {min: 4, max: 8, integer: true}
        compress: [none, "prune-rows:ratio=0.5"]
        arch.clockGHz: {min: 0.1, max: 10, scale: log}
      random: {points: 400, seed: 3}
      objectives: [energyPerImage, firstImageLatency]
      """
    let a = try SweepSpec(text: text, source: "a"), b = try SweepSpec(text: text, source: "b")
    var bits = Set<String>(), decades = Set<Int>()
    for i in 0..<a.pointCount {
      let v = a.values(of: i)
      #expect(v == b.values(of: i))
      let n = try #require(Int(v[0].text)), clock = try #require(Double(v[2].text))
      #expect((4...8).contains(n) && clock >= 0.1 && clock <= 10)
      bits.insert(v[0].text)
      decades.insert(Int(floor(log10(clock))))
    }
    #expect(bits.count == 5 && decades == [-1, 0])   // every whole number drawn; log-uniform reaches both decades
    let other = try SweepSpec(text: text.replacingOccurrences(of: "seed: 3", with: "seed: 4"), source: "c")
    #expect((0..<20).contains { a.values(of: $0) != other.values(of: $0) })
  }

  @Test("the Pareto front of hand-placed points: dominated ones drop, ties stay, failures never count")
  func paretoFront() throws {
    let spec = try SweepSpec(text: gridSpec, source: "spec")
    func row(_ p: Int, energy: Double, rate: Double, ok: Bool = true) -> SweepRow {
      var m = spec.metrics.map { _ in "0" }
      m[spec.metrics.firstIndex { $0.column == "energyPerImagePJ" }!] = StatNode.number(energy)
      m[spec.metrics.firstIndex { $0.column == "imagesPerSecond" }!] = StatNode.number(rate)
      return SweepRow(point: p, values: spec.values(of: p).map(\.text), ok: ok, metrics: ok ? m : m.map { _ in "" }, error: ok ? "" : "x")
    }
    // (energy, rate): 0 (1, 10) front; 1 (2, 20) front; 2 (2, 15) dominated by 1; 3 (3, 20) dominated by 1;
    // 4 (1, 10) ties 0: front; 5 failed; 6 (0.5, 5) front (least energy).
    let rows = [row(0, energy: 1, rate: 10), row(1, energy: 2, rate: 20), row(2, energy: 2, rate: 15), row(3, energy: 3, rate: 20),
                row(4, energy: 1, rate: 10), row(5, energy: 0, rate: 0, ok: false), row(6, energy: 0.5, rate: 5)]
    let table = SweepTable(spec: spec, rows: rows.reversed())
    #expect(table.front == [0, 1, 4, 6])
    let lines = table.csv.split(separator: "\n")
    #expect(lines.count == 8 && lines[1].hasPrefix("0,6,im2col,0.0,ok,") && lines[6].hasPrefix("5,6,im2col,0.95,error,"))
    #expect(try SweepTable.rows(results: table.csv, spec: spec, source: "r") == rows)
  }

  @Test("bad specs and outputs are errors before any point runs")
  func badSpecs() throws {
    let base = "version: 1\nbase: {workload: \(tiny)}\nobjectives: [energyPerImage, imagesPerSecond]\n"
    let cases: [(String, String)] = [
      ("grid: {arch.ima.adc.bitz: [6]}", "unknown key 'ima.adc.bitz'"),
      ("grid: {voltage: [1]}", "grid 'voltage': unknown parameter"),
      ("grid: {mapper: [im2col, magic]}", "magic"),
      ("grid: {compress: [[{kind: prune-everything}]]}", "prune-everything"),
      ("grid: {mapper: []}", "the list of values is empty"),
      ("grid: {}", "'grid' must map at least one parameter"),
      ("grid: {arch.ima.adc.bits: {min: 4, max: 8}}", "ranges need 'random"),
      ("grid: {compress.prune-rows.ratio: [0.5]}", "has no prune-rows step"),
      ("grid: {mapper: [im2col]}\nextra: 1", "unknown key 'extra'"),
    ]
    for (grid, message) in cases {
      let spec = try specFile(base + grid), out = temporaryDirectory() + "/out"
      let r = try runBinary(["sweep", spec, "--out", out])
      #expect(r.status != 0 && r.stderr.contains(message), "\(grid): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(grid): wrote \(out)")
    }
  }

  @Test("a note about each run is no objective")
  func noteObjective() throws {
    let text = "version: 1\ngrid: {mapper: [im2col]}\nobjectives: [limitedBy, imagesPerSecond]\n"
    #expect(throws: InputError.self) { try SweepSpec(text: text, source: "s") }
    do { _ = try SweepSpec(text: text, source: "s") } catch {
      #expect("\(error)".contains("objective 'limitedBy' is not a result but a note about each run"), "\(error)")
      #expect(!"\(error)".contains("steadyState"), "\(error)")
    }
  }

  @Test("bad outputs are errors before any point runs")
  func badOutput() throws {
    let base = "version: 1\nbase: {workload: \(tiny)}\nobjectives: [energyPerImage, imagesPerSecond]\n"
    let spec = try specFile(base + "grid: {mapper: [im2col]}")
    let file = temporaryDirectory() + "/plain-file"
    try "x".write(toFile: file, atomically: true, encoding: .utf8)
    let r = try runBinary(["sweep", spec, "--out", file + "/out"])
    #expect(r.status != 0 && r.stderr.contains("--out \(file)/out: cannot write there"), "\(r.stderr)")
  }

  @Test("--shard 0/3, 1/3 and 2/3 merged equal the unsharded results.csv byte for byte")
  func shardsMerge() throws {
    let spec = try specFile(gridSpec), dir = temporaryDirectory()
    let whole = try runBinary(["sweep", spec, "--out", "\(dir)/whole", "--progress", "none"])
    #expect(whole.status == 0, "\(whole.stderr)")
    for i in 0..<3 {
      let r = try runBinary(["sweep", spec, "--shard", "\(i)/3", "--out", "\(dir)/s\(i)", "--jobs", "1", "--progress", "none"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    // A line of another shard's point in shard 0's journal (a hand edit) is not taken as its own.
    let wholeRows = try String(contentsOfFile: "\(dir)/whole/journal.csv", encoding: .utf8).split(separator: "\n")
    let foreign = try #require(wholeRows.first { $0.hasPrefix("1,") })
    let h = try #require(FileHandle(forWritingAtPath: "\(dir)/s0/journal.csv"))
    try h.seekToEnd(); try h.write(contentsOf: Data((foreign + "\n").utf8)); try h.close()
    try FileManager.default.removeItem(atPath: "\(dir)/s0/results.csv")
    let again = try runBinary(["sweep", spec, "--shard", "0/3", "--out", "\(dir)/s0", "--resume", "--progress", "none"])
    #expect(again.status == 0, "\(again.stderr)")
    let s0 = try String(contentsOfFile: "\(dir)/s0/results.csv", encoding: .utf8).split(separator: "\n")
    #expect(s0.count == 9 && s0.dropFirst().allSatisfy { Int($0.prefix { $0 != "," })! % 3 == 0 }, "\(s0.map { $0.prefix(4) })")
    let m = try runBinary(["merge", "\(dir)/s0", "\(dir)/s1", "\(dir)/s2", "--out", "\(dir)/merged"])
    #expect(m.status == 0, "\(m.stderr)")
    let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/results.csv"))
    let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/merged/results.csv"))
    #expect(a == b && String(decoding: a, as: UTF8.self).split(separator: "\n").count == 25)
    // The notes: one image is never a steady state; every finished point names what limits it.
    let table = String(decoding: a, as: UTF8.self).split(separator: "\n").map { CSV.fields(String($0)) }
    let status = try #require(table[0].firstIndex(of: "status"))
    let steady = try #require(table[0].firstIndex(of: "steadyState")), limit = try #require(table[0].firstIndex(of: "limitedBy"))
    for row in table.dropFirst() where row[status] == "ok" {
      #expect(row[steady] == "0" && row[limit].hasSuffix(" %)"), "\(row)")
    }
    let svg = try String(contentsOfFile: "\(dir)/merged/pareto.svg", encoding: .utf8)
    #expect(svg == (try String(contentsOfFile: "\(dir)/whole/pareto.svg", encoding: .utf8)))
    #expect(svg.contains("energy per image [µJ], lower is better") && svg.contains("throughput [images/s], higher is better"))
    let partial = try runBinary(["merge", "\(dir)/s0", "\(dir)/s2", "--out", "\(dir)/partial"])
    #expect(partial.status != 0 && partial.stderr.contains("8 of 24 points are in no shard"), "\(partial.stderr)")
  }

  @Test("a sweep killed with SIGKILL at a random moment and resumed ends with the rows of an uninterrupted run")
  func killAndResume() throws {
    let spec = try specFile(gridSpec.replacingOccurrences(of: "arch.ima.adc.bits: [6, 8]", with: "arch.ima.adc.bits: [5, 6, 7, 8]")),
        dir = temporaryDirectory()
    let whole = try runBinary(["sweep", spec, "--out", "\(dir)/whole", "--progress", "none"])
    #expect(whole.status == 0, "\(whole.stderr)")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var killedMidway = false
    for attempt in 0..<3 where !killedMidway {
      let out = "\(dir)/killed\(attempt)"
      let p = Process()
      p.executableURL = root.appendingPathComponent(".build/debug/simrun")
      p.arguments = ["sweep", spec, "--out", out, "--progress", "none"]
      p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
      try p.run()
      // Wait for a random number of finished points (1 to 40 of 48), then kill without warning.
      let target = Int.random(in: 1...40)
      let deadline = Date().addingTimeInterval(60)
      while p.isRunning, Date() < deadline {
        let journal = (try? String(contentsOfFile: "\(out)/journal.csv", encoding: .utf8)) ?? ""
        if journal.split(separator: "\n").count - 1 >= target { break }
        usleep(2000)
      }
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
      guard p.terminationReason == .uncaughtSignal else { continue }   // finished before the kill: try again
      let finished = try String(contentsOfFile: "\(out)/journal.csv", encoding: .utf8).split(separator: "\n").count - 1
      killedMidway = finished < 48
      #expect(finished >= 1 && finished < 48, "\(finished) points finished before the kill")
      // A torn last line, as a kill during a write leaves it, is dropped too.
      let h = try #require(FileHandle(forWritingAtPath: "\(out)/journal.csv"))
      try h.seekToEnd(); try h.write(contentsOf: Data("47,8,vw-sdk,0.9".utf8)); try h.close()
      let again = try runBinary(["sweep", spec, "--out", out, "--progress", "none"])
      #expect(again.status != 0 && again.stderr.contains("--resume continues it"), "\(again.stderr)")
      let resumed = try runBinary(["sweep", spec, "--out", out, "--resume", "--progress", "none"])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/results.csv"))
      let b = try Data(contentsOf: URL(fileURLWithPath: "\(out)/results.csv"))
      #expect(a == b, "killed after at least \(target) points")
      let done = try runBinary(["sweep", spec, "--out", out, "--resume", "--progress", "none"])
      #expect(done.status == 0 && done.stdout.contains("nothing to run"))
    }
    #expect(killedMidway)
  }
}
