import Foundation
import Testing
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

@Suite("simrun compare")
struct CompareCommandTests {
  @Test("the default set on resnet20 at half the weights: one row per configuration, every column, each budget met or explained")
  func defaultSet() throws {
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--workload", "resnet20", "--match", "params=0.5", "--jobs", "2", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: "\(out)/compare.csv", encoding: .utf8).split(separator: "\n").map(String.init)
    let header = lines[0].split(separator: ",").map(String.init)
    for column in ["label", "mapper", "compressors", "params", "crossbars", "computingCycles", "firstImageLatencyNs", "imagesPerSecond",
                   "energyPerImagePJ", "energy.ADCPJ", "energy.leakagePJ", "usedAreaMm2", "edpPJNs", "relativeError", "top1",
                   "budget", "budgetNote", "energyPerImagePJVsBaseline", "edpVsBaseline"] {
      #expect(header.contains(column), "\(column)")
    }
    let rows = lines.dropFirst().map { CSV.fields($0) }
    func value(_ row: [String], _ column: String) -> String { row[header.firstIndex(of: column)!] }
    #expect(rows.map { $0[0] } == ["dense-im2col", "dense-sdk", "dense-vw-sdk", "prune-crossbar", "prune-kernel-group", "prune-rows",
                                   "prune-columns", "prune-pattern", "lowrank-sdk", "group-lowrank-sdk", "quant-pow2", "quant-fp"])
    // ResNet-20's 0.27 M weights (He et al. 2016, Table 6): 270,896 in its convs and FC; the budget is half.
    #expect(value(rows[0], "params") == "270896")
    #expect(value(rows[0], "edpVsBaseline") == "1")
    for row in rows where !row[0].hasPrefix("dense") && !row[0].hasPrefix("quant") {
      #expect(value(row, "budget") == "135448", "\(row[0])")
      let kept = Double(value(row, "params"))!
      let note = value(row, "budgetNote")
      #expect(abs(kept - 135_448) / 135_448 <= 0.02 || note.contains(": "), "\(row[0]): \(note)")
      #expect(Double(value(row, "relativeError"))! > 0)
    }
    #expect(rows.filter { $0[0].hasPrefix("quant") }.allSatisfy { value($0, "params") == "270896" })
    let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/compare.json"))) as! [String: Any]
    let json = doc["rows"] as! [[String: Any]], setup = doc["setup"] as! [String: Any]
    #expect(json.count == rows.count && json[3]["label"] as? String == "prune-crossbar")
    // The setup is recorded: what ran, on what, at which budget, against which row.
    #expect(setup["network"] as? String == "resnet20" && setup["arch"] as? String == "isaac-8bit")
    #expect(setup["match"] as? String == "params=0.5" && setup["baseline"] as? String == "dense-im2col")
    #expect(setup["images"] as? Int == 1 && setup["schedule"] as? String == "pipeline")
    #expect(setup["weights"] as? String == "synthetic (seed 1)")
    #expect((setup["configurations"] as? [[String: Any]])?.count == 12)
    // Each configuration keeps its run folder, whose metrics are the row's.
    #expect(json[5]["runFolder"] as? String == "runs/prune-rows")
    let metrics = try String(contentsOfFile: "\(out)/runs/prune-rows/metrics.csv", encoding: .utf8)
      .split(separator: "\n").map { CSV.fields(String($0)) }
    #expect(metrics[1][metrics[0].firstIndex(of: "params")!] == value(rows[5], "params"))
    #expect(FileManager.default.fileExists(atPath: "\(out)/runs/group-lowrank-sdk/layers.svg"))
    let svg = try String(contentsOfFile: "\(out)/compare-energy.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("energy per image [µJ]") && svg.contains(">ADC</text>"))
    #expect(svg.contains("resnet20 on isaac-8bit, --match params=0.5"))
    // ADC and digital energy are drawn in their fixed, unlike colours.
    #expect(svg.contains(##"fill="#e15759"/>"##) && svg.contains(">digital</text>") && svg.contains(##"fill="#2b2b2b"/>"##))
    #expect(r.stdout.contains("| prune-rows | `sdk` |"))
    // One image: the images/s column is 1 / latency, and the table says so.
    #expect(r.stdout.contains("* one image: images/s is 1 / latency, not a throughput"))
  }

  @Test("variants replace or add rows; bad budgets, variants and baselines are errors naming the flag")
  func variantsAndErrors() throws {
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--workload", "vgg8", "--no-defaults", "--jobs", "2", "--out", out, "--match", "none",
                           "--variant", "dense=--mapper im2col", "--variant", "rows-30=--compress prune-rows:ratio=0.3 --mapper sdk",
                           "--baseline", "dense"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: "\(out)/compare.csv", encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3 && lines[2].hasPrefix("rows-30,sdk,prune-rows:ratio=0.3,"))
    // --match error=E: each budgeted step takes its strongest setting within E (ratio and rank are
    // continuous here, so the error lands within 2 % below E).
    let e = temporaryDirectory()
    let er = try runBinary(["compare", "--workload", "resnet20", "--no-defaults", "--jobs", "2", "--out", e, "--match", "error=0.2",
                            "--variant", "rows=--compress prune-rows --mapper sdk", "--variant", "lr=--compress lowrank --mapper lowrank:base=sdk"])
    #expect(er.status == 0, "\(er.stderr)")
    let elines = try String(contentsOfFile: "\(e)/compare.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    let eh = elines[0]
    for row in elines.dropFirst() {
      let err = Double(row[eh.firstIndex(of: "relativeError")!])!
      #expect(err <= 0.2 && err >= 0.196, "\(row[0]): \(err)")
      #expect(row[eh.firstIndex(of: "budget")!] == "0.2" && Int(row[eh.firstIndex(of: "params")!])! < 270_896, "\(row)")
    }
    for (args, message) in [(["--match", "params=-1"], "--match params=-1"), (["--variant", "nolabel"], "expected LABEL=OPTIONS"),
                            (["--variant", "x=--bogus 1"], "--variant x:"), (["--baseline", "nope"], "--baseline nope: no such configuration"),
                            (["--jobs", "0"], "--jobs 0")] {
      let e = try runBinary(["compare", "--workload", "vgg8", "--out", temporaryDirectory()] + args)
      #expect(e.status != 0 && e.stderr.contains(message), "\(args): \(e.stderr)")
    }
  }
}

@Suite("compare shows what limits a layout")
struct CompareInViewTests {
  @Test("4-bit ADCs: every configuration counts the layers whose column sums clip; the table has spill and ADC columns")
  func clippingColumn() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--workload", "\(root)/traces/NetWork_tiny.csv", "--set", "chip.tiles=4",
                           "--set", "ima.adc.bits=4", "--no-defaults", "--variant", "a=--mapper im2col", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try String(contentsOfFile: "\(out)/compare.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    // Every matrix layer of the tiny network needs more than 4 bits (conv1's 72 rows: 7 + 1 + 2 - 1 - 1 = 8).
    #expect(rows[1][rows[0].firstIndex(of: "lossyADCLayers")!] == "3")
    #expect(rows[0].contains("spilledBytesPerImageB"))
    #expect(r.stdout.contains("| spill/img [KB] | clipping ADC layers |") && r.stdout.contains("| limited by |"))
    // The busiest unit, with how busy: a layer's crossbars or a named resource.
    let limited = rows[1][rows[0].firstIndex(of: "limitedBy")!]
    #expect(limited.hasSuffix(" %)") && (limited.contains("crossbars") || limited.contains("tile") || limited.contains("router")))
  }
}

@Suite("compare's run folders and colours")
struct CompareFolderTests {
  @Test("labels become distinct folder names under runs/: unsafe characters replaced, clashes numbered")
  func folderNames() {
    #expect(Comparison.folderNames(["a b", "a_b", "../x", "ok-1.5", ""]) ==
            ["runs/a_b", "runs/a_b-2", "runs/_.._x", "runs/ok-1.5", "runs/_"])
  }

  @Test("every energy class has its own colour, and no two are alike (RGB distance at least 60)")
  func classColours() {
    let colours = EnergyClass.allCases.map { ComparePlots.classColours[$0] }
    #expect(colours.allSatisfy { $0 != nil })
    func rgb(_ s: String) -> [Double] {
      let v = Int(s.dropFirst(), radix: 16)!
      return [Double(v >> 16), Double((v >> 8) & 255), Double(v & 255)]
    }
    let c = colours.compactMap { $0 }.map(rgb)
    for i in c.indices { for j in c.indices where j > i {
      let d = zip(c[i], c[j]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
      #expect(d >= 60, "\(EnergyClass.allCases[i]) and \(EnergyClass.allCases[j]): \(d)")
    } }
  }
}
