import Foundation
import Testing
import TestSupport
@testable import CrossbarSim
@testable import SimrunKit

/// `report.html` of run, compare and sweep folders: well-formed, self-contained, and saying what
/// the folder's CSV files say.
@Suite("report.html")
struct ReportTests {
  /// The rows of a CSV file, by column name.
  func csvRows(_ path: String) throws -> [[String: String]] {
    let records = CSV.records(try String(contentsOfFile: path, encoding: .utf8)).records.filter { $0.count > 1 }
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(records[0], $0)) }
  }

  @Test("a run's page: well-formed, self-contained, its verdict the figures of metrics.csv, every link a file")
  func runPage() throws {
    let out = temporaryDirectory() + "/run"
    let r = try runBinary(["run", "--workload", "vgg8", "--images", "4", "--compress", "prune-rows:ratio=0.5",
                           "--mapper", "sdk", "--out", out, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(OutputValidity.problems(inFolder: out).isEmpty, "\(OutputValidity.problems(inFolder: out))")
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    let m = try csvRows("\(out)/metrics.csv")[0]
    let latency = String(format: "First image in %.2f µs", Double(m["firstImageLatencyNs"]!)! / 1e3)
    let energy = String(format: "%.3f µJ per image", Double(m["energyPerImagePJ"]!)! / 1e6)
    #expect(html.contains(latency) && html.contains(energy), "\(latency) / \(energy)")
    #expect(html.contains("Limited by <code>\(m["limitedBy"]!)</code>"))
    #expect(html.contains("<title>vgg8 on isaac-8bit: sdk, prune-rows:ratio=0.5</title>"))
    // The per-layer plot is inline, and the compression table is there because the run compressed.
    #expect(html.contains("<svg xmlns") && html.contains("<h2>Compression</h2>"))
    #expect(html.contains("href=\"compression.csv\"") && !html.contains("href=\"trace.json\""))
  }

  @Test("the checker refuses what is not self-contained: scripts, remote links, links to missing files")
  func checkerRefuses() {
    let dir = temporaryDirectory()
    FileManager.default.createFile(atPath: "\(dir)/a.csv", contents: Data("x\n".utf8))
    #expect(OutputValidity.selfContained("<p><a href=\"a.csv\">a</a> <a href=\"#top\">t</a></p>", folder: dir).isEmpty)
    for bad in ["<script>alert(1)</script>", "<a href=\"https://example.com/x\">x</a>", "<a href=\"b.csv\">b</a>",
                "<a href=\"../a.csv\">a</a>", "<img src=\"a.png\"/>", "<style>p{background:url(x.png)}</style>"] {
      #expect(!OutputValidity.selfContained(bad, folder: dir).isEmpty, "\(bad)")
    }
  }

  @Test("a compare page: the verdict's ratios are compare.csv's, labels with markup stay text, links reach each run")
  func comparePage() throws {
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--workload", "vgg8", "--no-defaults", "--jobs", "2", "--out", out,
                           "--match", "none", "--variant", "dense=--mapper sdk",
                           "--variant", "<b>&rows=--compress prune-rows:ratio=0.5 --mapper sdk", "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(OutputValidity.problems(inFolder: out).isEmpty, "\(OutputValidity.problems(inFolder: out))")
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    let rows = try csvRows("\(out)/compare.csv")
    let e = Double(rows[1]["energyPerImagePJVsBaseline"]!)!
    #expect(html.contains(String(format: "energy %.2fx", e)), "energy \(e)")
    #expect(html.contains("&lt;b&gt;&amp;rows") && !html.contains("<b>&"))
    #expect(html.contains("href=\"runs/_b__rows/report.html\""))
    #expect(FileManager.default.fileExists(atPath: "\(out)/runs/dense/report.html"))
  }

  @Test("a sweep page: the front table holds exactly results.csv's pareto points; tied keys move together")
  func sweepPage() throws {
    let dir = temporaryDirectory(), out = "\(dir)/out"
    // An arch file next to the spec, named by a relative path: found from any working directory.
    try "version: 1\nname: small\nbase: isaac-8bit\nchip: {tiles: 100}\n".write(toFile: "\(dir)/small.yaml", atomically: true,
                                                                    encoding: .utf8)
    try """
      version: 1
      base: {workload: vgg8, images: 2}
      grid:
        arch: [isaac-8bit, small.yaml]
        array:
          - {label: small, arch.ima.crossbar.rows: 128, arch.ima.crossbar.columns: 128}
          - {label: big, arch.ima.crossbar.rows: 256, arch.ima.crossbar.columns: 256}
      objectives: [energyPerImage, imagesPerSecond]
      """.write(toFile: "\(dir)/spec.yaml", atomically: true, encoding: .utf8)
    let r = try runBinary(["sweep", "\(dir)/spec.yaml", "--out", out, "--jobs", "2", "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(OutputValidity.problems(inFolder: out).isEmpty, "\(OutputValidity.problems(inFolder: out))")
    let rows = try csvRows("\(out)/results.csv")
    #expect(rows.map { $0["array"]! } == ["small", "big", "small", "big"])
    #expect(rows.allSatisfy { $0["status"] == "ok" }, "\(rows.map { $0["error"] ?? "" })")
    // Point 3 (small.yaml, 256x256) is the run `simrun run` gives for the same settings.
    let single = temporaryDirectory()
    let s = try runBinary(["run", "--workload", "vgg8", "--images", "2", "--arch", "\(dir)/small.yaml",
                           "--set", "ima.crossbar.rows=256", "--set", "ima.crossbar.columns=256", "--out", single,
                           "--quiet"])
    #expect(s.status == 0, "\(s.stderr)")
    let m = try csvRows("\(single)/metrics.csv")[0]
    #expect(rows[3]["crossbars"] == m["crossbars"] && rows[3]["energyPerImagePJ"] == m["energyPerImagePJ"])
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    let front = html.components(separatedBy: "<h2>Pareto front</h2>")[1].components(separatedBy: "<svg")[0]
    for row in rows {
      let listed = front.contains("<td>#\(row["point"]!)</td>")
      #expect(listed == (row["pareto"] == "1"), "point \(row["point"]!)")
    }
    #expect(html.contains("<code>array</code> ties <code>arch.ima.crossbar.rows</code>"))
  }
}

/// Collects what a meter writes.
final class Lines: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [String] = []
  func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
  var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite("progress on stderr")
struct PhaseMeterTests {
  @Test("past its threshold a meter names the phase and its detail; before it, it says nothing")
  func phases() throws {
    let late = Lines(), early = Lines()
    let m = PhaseMeter("run", after: 0, terminal: false) { late.add($0) }
    m.enter("simulation")
    m.report("image 3/10")
    Thread.sleep(forTimeInterval: 1.2)
    m.stop()
    #expect(late.all.first?.hasPrefix("run: simulation image 3/10 (") == true, "\(late.all)")
    // A line per phase without a terminal: the same phase is not repeated within 10 s.
    #expect(late.all.count == 1, "\(late.all)")
    let quick = PhaseMeter("run", after: 60, terminal: false) { early.add($0) }
    quick.enter("simulation")
    Thread.sleep(forTimeInterval: 0.8)
    quick.stop()
    let off = PhaseMeter("run", enabled: false, after: 0, terminal: false) { early.add($0) }
    off.enter("mapping")
    Thread.sleep(forTimeInterval: 0.8)
    off.stop()
    #expect(early.all.isEmpty, "\(early.all)")
  }
}
