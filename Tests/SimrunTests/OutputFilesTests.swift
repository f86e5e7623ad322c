import Foundation
import Testing
import TestSupport
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// Output files that other tools read stay valid whatever names they carry.
@Suite("Output files")
struct OutputFilesTests {
  static let awkward = ["a<b", "x & y", "q\"uote", "tab\there", "bell\u{07}", "nul\u{00}", "\u{FFFE}", "line\nbreak"]

  @Test("SVG text escapes markup and replaces the characters XML 1.0 forbids: each name parses as XML")
  func svgEscape() {
    for s in Self.awkward {
      let doc = "<svg><text title=\"\(SVGChart.escape(s))\">\(SVGChart.escape(s))</text></svg>"
      #expect(OutputValidity.xml(Data(doc.utf8)) == nil, "\(s.debugDescription)")
    }
    #expect(SVGChart.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    #expect(SVGChart.escape("x\u{01}y\tz") == "x\u{FFFD}y\tz")
  }

  @Test("workloads --workload X honours --format: table, strict JSON and RFC 4180 CSV of the same layers")
  func workloadFormats() throws {
    let n = try BuiltinWorkloads.load("vgg8")
    let csv = WorkloadsCommand.layers(n, format: .csv), json = WorkloadsCommand.layers(n, format: .json)
    let table = WorkloadsCommand.layers(n, format: .table)
    #expect(OutputValidity.csv(Array(csv.utf8)) == nil && OutputValidity.json(Array(json.utf8)) == nil)
    #expect(csv.split(separator: "\n").count == n.layers.count + 1)
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let layers = try #require(doc["layers"] as? [[String: Any]])
    #expect(layers.count == n.layers.count && layers[0]["layer"] as? String == "conv1")
    #expect(layers[0]["kind"] as? String == "conv3x3/s1/p1" && layers[0]["parameters"] as? Int == 3 * 128 * 9)
    #expect(layers[1]["inputs"] as? [String] == ["conv1"])
    #expect(!table.contains(",") && table.contains("conv3x3/s1/p1"))
  }
}

@Suite("Run folders")
struct RunFolderTests {
  @Test("a killed run's staging folder is removed by the next run into the folder; live or foreign ones stay")
  func staleStaging() throws {
    let dir = temporaryDirectory(), out = "\(dir)/run"
    // A PID that has just exited (the kernel does not reuse it at once), PID 1 (always alive).
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run(); p.waitUntilExit()
    let dead = p.processIdentifier, host = RunFolder.host
    let names = ["run.partial-\(host)-\(dead)", "run.partial-\(dead)", "run.old-\(host)-\(dead)",
                 "run.partial-\(host)-1", "run.partial-otherhost-\(dead)", "runner.partial-\(dead)"]
    for n in names {
      try FileManager.default.createDirectory(atPath: "\(dir)/\(n)", withIntermediateDirectories: true)
      try "x".write(toFile: "\(dir)/\(n)/trace.json", atomically: true, encoding: .utf8)
    }
    #expect(RunFolder.stale(of: out).map { ($0 as NSString).lastPathComponent }.sorted() == names.prefix(3).sorted())
    let r = try runBinary(["run", "--workload", "vgg8", "--out", out, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(left == ["run", "run.partial-\(host)-1", "run.partial-otherhost-\(dead)", "runner.partial-\(dead)"].sorted())
  }
}

@Suite("Per-layer plot")
struct LayerPlotTests {
  @Test("layers.svg names the mapper and compression, and widens past ~35 layers instead of squeezing them")
  func readable() throws {
    let dir = temporaryDirectory()
    let r = try runBinary(["run", "--workload", "resnet56", "--compress", "prune-rows:ratio=0.5", "--out", dir, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let svg = try String(contentsOfFile: "\(dir)/layers.svg", encoding: .utf8)
    #expect(svg.contains("resnet56 on isaac-8bit, im2col, prune-rows:ratio=0.5: time per layer"))
    // 86 layers of 3 bars at >= 8 px each (0.8 of a slot): a plot at least 86 x 30 px wide.
    let width = try #require(svg.firstMatch(of: /width="(\d+)"/).map { Int($0.1)! })
    #expect(width >= 90 + 200 + 86 * 30, "width \(width)")
    #expect(OutputValidity.xml(Data(svg.utf8)) == nil)
    // A long name is shortened on the axis and whole in its tooltip.
    let long = SVGChart.groupedBars(title: "t", yLabel: "y", groups: [(String(repeating: "n", count: 40), [1])],
                                    series: ["a"])
    #expect(long.contains("nnnnnnnnnnnnn…nnnnnnnnnnnnnn<title>" + String(repeating: "n", count: 40) + "</title>"))
  }
}

@Suite("Pareto plot")
struct ParetoPlotTests {
  @Test("front points carry their number, every tooltip names the design, coinciding marks do not overlap")
  func labelled() {
    let svg = SVGChart.scatter(title: "t", xLabel: "x", yLabel: "y",
                               series: [("design point", [(3, 3)], false), ("front", [(1, 1), (1, 1), (2, 5)], true)],
                               names: [["point 9 (mapper=sdk)"], ["point 0 (a=1)", "point 1 (a=2)", "point 2 (a=3)"]],
                               marks: [[], ["#0", "#1", "#2"]])
    #expect(svg.contains("<title>point 9 (mapper=sdk): 3, 3</title>") && svg.contains("<title>point 1 (a=2): 1, 1</title>"))
    let marks = svg.matches(of: /<text x="([0-9.]+)" y="([0-9.]+)" font-size="11"[^>]*>(#\d)</).map {
      (Double($0.1)!, Double($0.2)!, String($0.3))
    }
    #expect(marks.map(\.2) == ["#0", "#1", "#2"])
    #expect(marks[0].0 == marks[1].0 && abs(marks[0].1 - marks[1].1) >= 11)
    #expect(OutputValidity.xml(Data(svg.utf8)) == nil)
  }
}
