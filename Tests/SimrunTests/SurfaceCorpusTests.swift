import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// The second bad-input corpus (`Tests/Fixtures/bad-inputs/surfaces.jsonl`, written by
/// `make_surfaces.py`): ONNX graphs, the functional paths at the ends of the number range,
/// compare budgets and labels, sweep specs, merges and options. Each case ends in a clean error
/// naming what is wrong, or ("ok") in success with every file it wrote valid: strict JSON,
/// RFC 4180 CSV, well-formed SVG.
struct SurfaceCase: CustomTestStringConvertible, Sendable {
  let expected: String
  let args: [String]
  var testDescription: String { args.joined(separator: " ").replacingOccurrences(of: BadInputCase.folder, with: "$D") }

  static let all: [SurfaceCase] = {
    guard let text = try? String(contentsOfFile: "\(BadInputCase.folder)/surfaces.jsonl", encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let e = o["expect"] as? String, let a = o["args"] as? [String] else { return nil }
      return SurfaceCase(expected: e, args: a.map { $0.replacingOccurrences(of: "$D", with: BadInputCase.folder) })
    }
  }()
}

@Suite("bad-input corpus: newer surfaces")
struct SurfaceCorpusTests {
  @Test("the corpus has at least 100 cases, over ONNX, eval, compare, sweep and merge")
  func size() {
    #expect(SurfaceCase.all.count >= 100)
    for command in ["run", "eval", "compare", "sweep", "merge", "bench"] {
      #expect(SurfaceCase.all.contains { $0.args.first == command }, "\(command)")
    }
    #expect(SurfaceCase.all.filter { $0.expected == "ok" }.count >= 20)
  }

  @Test("each case is a clean error naming what is wrong, or a valid result", .timeLimit(.minutes(2)),
        arguments: SurfaceCase.all)
  func run(_ c: SurfaceCase) throws {
    let out = temporaryDirectory() + "/out"
    var args = c.args.map { $0.replacingOccurrences(of: "$OUT", with: out) }
    if ["run", "compare", "eval"].contains(args.first ?? ""), !args.contains("--out") { args += ["--out", out] }
    if ["run", "compare"].contains(args.first ?? "") { args.append("--quiet") }
    do {
      var command = try SimrunCommand.parseAsRoot(args)
      try command.run()
      guard c.expected == "ok" else { Issue.record("accepted, expected an error with: \(c.expected)"); return }
      #expect(OutputValidity.problems(inFolder: out).isEmpty, "\(OutputValidity.problems(inFolder: out))")
    } catch {
      let message = SimrunCommand.message(for: error)
      guard c.expected != "ok" else { Issue.record("failed: \(message)"); return }
      #expect(message.contains(c.expected), "\(message)")
      for leak in ["Dictionary<", "Array<", "Swift.", "NSCocoaErrorDomain", "'':", "Optional(", "not valid JSON"] {
        #expect(!message.contains(leak), "\(leak) in: \(message)")
      }
      #expect(!FileManager.default.fileExists(atPath: out), "an error left \(out)")
    }
  }
}
