import Foundation
import Testing
@testable import simrun
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
