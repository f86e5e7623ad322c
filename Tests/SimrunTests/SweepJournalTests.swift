import Foundation
import Testing
import TestSupport
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// 12 points on the 3-layer NeuroSim network.
private let spec12 = """
  version: 1
  base: {workload: \(tiny), arch: isaac-8bit, set: [chip.tiles=4], compress: [{kind: prune-rows}]}
  grid:
    arch.ima.adc.bits: [6, 8]
    compress.prune-rows.ratio: [0.0, 0.25, 0.5, 0.75, 0.85, 0.95]
  objectives: [energyPerImage, max:imagesPerSecond]
  """

/// Journals and results shared between processes, edited by hand or holding awkward values.
@Suite("sweep journals")
struct SweepJournalTests {
  @Test("records split at line ends outside quotes: a value with LF, CR or CRLF is one field; the torn tail is apart")
  func records() {
    let rows = [["0", "a\nb", "ok"], ["1", "c\r\nd", "error"], ["2", "say \"x\"\r", ""]]
    let text = rows.map(CSV.line).joined(separator: "\n") + "\n" + CSV.line(["3", "torn \"q"])
    let (records, rest) = CSV.records(text)
    #expect(records == rows && rest == CSV.line(["3", "torn \"q"]))
    #expect(CSV.records("h\r\n1\r\n").records == [["h"], ["1"]] && CSV.records("h\r\n1\r\n").rest.isEmpty)
  }

  @Test("a journal record whose values contradict its point, or of a point that does not exist, is an error on resume and on merge")
  func contradictions() throws {
    let spec = try specFile(spec12), dir = (spec as NSString).deletingLastPathComponent
    let r = try runBinary(["sweep", spec, "--out", "\(dir)/a", "--progress", "none"])
    #expect(r.status == 0, "\(r.stderr)")
    let journal = try String(contentsOfFile: "\(dir)/a/journal.csv", encoding: .utf8)
    var lines = journal.split(separator: "\n").map(String.init)
    // Point 0 is (adc 6, ratio 0.0); the edit claims ratio 0.5 for it.
    let i = try #require(lines.firstIndex { $0.hasPrefix("0,") })
    lines[i] = lines[i].replacingOccurrences(of: "0,6,0.0,", with: "0,6,0.5,")
    try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/a/journal.csv", atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: "\(dir)/a/results.csv")
    let resumed = try runBinary(["sweep", spec, "--out", "\(dir)/a", "--resume", "--progress", "none"])
    #expect(resumed.status != 0 && resumed.stderr.contains("point 0's values contradict the spec")
      && resumed.stderr.contains("compress.prune-rows.ratio is 0.5, the spec gives 0.0"), "\(resumed.stderr)")
    // A point beyond the grid.
    lines[i] = lines[i].replacingOccurrences(of: "0,6,0.5,", with: "12,6,0.0,")
    try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/a/journal.csv", atomically: true, encoding: .utf8)
    let beyond = try runBinary(["sweep", spec, "--out", "\(dir)/a", "--resume", "--progress", "none"])
    #expect(beyond.status != 0 && beyond.stderr.contains("point 12 does not exist (the sweep has 12 points"), "\(beyond.stderr)")
    // merge reads results.csv the same way.
    let b = try runBinary(["sweep", spec, "--out", "\(dir)/b", "--progress", "none"])
    #expect(b.status == 0)
    let results = try String(contentsOfFile: "\(dir)/b/results.csv", encoding: .utf8)
    try results.replacingOccurrences(of: "\n3,6,0.75,", with: "\n3,8,0.75,")
      .write(toFile: "\(dir)/b/results.csv", atomically: true, encoding: .utf8)
    let m = try runBinary(["merge", "\(dir)/b", "--out", "\(dir)/m"])
    #expect(m.status != 0 && m.stderr.contains("point 3's values contradict the spec (arch.ima.adc.bits is 8, the spec gives 6)"),
            "\(m.stderr)")
  }

  @Test("two concurrent sweep --resume into one folder, 10 times: the journal never tears and results.csv equals an uninterrupted run's")
  func concurrentResume() throws {
    let spec = try specFile(spec12), dir = (spec as NSString).deletingLastPathComponent
    let whole = try runBinary(["sweep", spec, "--out", "\(dir)/whole", "--progress", "none"])
    #expect(whole.status == 0, "\(whole.stderr)")
    let expected = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/results.csv"))
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var waited = 0
    for rep in 0..<10 {
      let out = "\(dir)/shared\(rep)"
      var procs: [(Process, Pipe)] = []
      for _ in 0..<2 {
        let p = Process(), err = Pipe()
        p.executableURL = root.appendingPathComponent(".build/debug/simrun")
        p.arguments = ["sweep", spec, "--out", out, "--resume", "--jobs", "2", "--progress", "none"]
        p.standardOutput = FileHandle.nullDevice; p.standardError = err
        try p.run()
        procs.append((p, err))
      }
      // In odd repetitions the first is killed mid-sweep (a requeued task's predecessor dying).
      if rep % 2 == 1 {
        usleep(UInt32.random(in: 50_000...400_000))
        kill(procs[0].0.processIdentifier, SIGKILL)
      }
      for (p, err) in procs {
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationReason == .exit { #expect(p.terminationStatus == 0, "\(e)") }
        if e.contains("waiting for it to finish") { waited += 1 }
      }
      // Whatever the interleaving, every journal record is whole and each point is there once.
      let text = try String(contentsOfFile: "\(out)/journal.csv", encoding: .utf8)
      let (records, rest) = CSV.records(text)
      #expect(rest.isEmpty && records.count == 13, "rep \(rep): \(records.count) records, torn tail '\(rest)'")
      #expect(Set(records.dropFirst().map { $0[0] }).count == records.count - 1, "rep \(rep): a point twice")
      if !FileManager.default.fileExists(atPath: "\(out)/results.csv") {
        // Both were killed or the survivor found... rerun to finish (never expected with one survivor).
        Issue.record("rep \(rep): no results.csv")
        continue
      }
      let got = try Data(contentsOf: URL(fileURLWithPath: "\(out)/results.csv"))
      #expect(got == expected, "rep \(rep)")
      #expect(OutputValidity.problems(inFolder: out).isEmpty, "\(OutputValidity.problems(inFolder: out))")
    }
    #expect(waited >= 1, "no second process ever waited for the lock")
  }

  @Test("a 10^7-point grid is checked in its keys: each value once and the first points; a bad last value is still found before any run")
  func hugeGrid() throws {
    let ten = "[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]"
    func spec(mapper: String) throws -> SweepSpec {
      try SweepSpec(text: """
        version: 1
        base: {workload: \(tiny), compress: [{kind: prune-rows}]}
        grid:
          mapper: \(mapper)
          arch.ima.adc.bits: [3, 4, 5, 6, 7, 8, 9, 10, 6, 7]
          arch.chip.tiles: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
          compress.prune-rows.ratio: \(ten)
          images: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
          arch.ima.adc.countPerCrossbar: [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]
          schedule: [layer, pipeline, layer, pipeline, layer, pipeline, layer, pipeline, layer, pipeline]
        objectives: [energyPerImage, imagesPerSecond]
        """, source: "big.yaml")
    }
    let good = try spec(mapper: "[im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, sdk]")
    #expect(good.pointCount == 10_000_000)
    let picked = SweepRunner.pointsToCheck(good, shard: .whole)
    // The first 1,000 points (which hold every value of the 3 fastest keys), and 9 more values of each
    // of the 4 slower keys (point 0 with one key changed: a repeated value repeats point 0's).
    #expect(picked.count == 1_000 + 9 * 4 && picked.contains(9_000_000) && picked.contains(1_000_000))
    for p in picked where p >= 1_000 {
      let changed = zip(good.values(of: p), good.values(of: 0)).filter { $0.0.text != $0.1.text }.count
      #expect(changed <= 1, "point \(p) changes \(changed) keys")
    }
    // A small shard is checked whole.
    let small = try SweepSpec(text: spec12, source: "s")
    #expect(SweepRunner.pointsToCheck(small, shard: .whole) == Array(0..<12))
    // The bad mapper is the last value of the slowest key: point 9,000,000, reached at once.
    let bad = try spec(mapper: "[im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, nope]")
    #expect { try SweepRunner.validate(bad, points: SweepRunner.pointsToCheck(bad, shard: .whole), plugins: .builtIn) }
      throws: { "\($0)".contains("point 9000000 (mapper=nope") && "\($0)".contains("unknown mapper kind 'nope'") }
  }
}
