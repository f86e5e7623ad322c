import ArgumentParser
import Foundation
import Testing
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// The committed bad-input corpus (`Tests/Fixtures/bad-inputs`, written by its `make.py`): configs,
/// NeuroSim rows, weight files, options and sweep specs that must each end in a clean error.
struct BadInputCase: CustomTestStringConvertible, Sendable {
  let expected: String
  let args: [String]
  var testDescription: String { args.joined(separator: " ") }

  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/bad-inputs").path

  static let all: [BadInputCase] = {
    guard let text = try? String(contentsOfFile: "\(folder)/cases.txt", encoding: .utf8) else { return [] }
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
      let parts = line.components(separatedBy: " | ")
      guard parts.count == 2 else { return nil }
      return BadInputCase(expected: parts[0],
                          args: parts[1].split(separator: " ").map { $0.replacingOccurrences(of: "$D", with: folder) })
    }
  }()
}

@Suite("bad-input corpus")
struct BadInputCorpusTests {
  @Test("the corpus has at least 80 cases")
  func size() { #expect(BadInputCase.all.count >= 80) }

  // A hang (an input that makes a parser loop or expand) fails the case instead of stalling the run.
  @Test("each bad input is a clean error naming what is wrong", .timeLimit(.minutes(1)), arguments: BadInputCase.all)
  func cleanError(_ c: BadInputCase) throws {
    // Commands that write a folder write it here: an error must leave nothing behind.
    let out = temporaryDirectory() + "/out"
    let args = ["run", "compare"].contains(c.args.first ?? "") && !c.args.contains("--out") ? c.args + ["--out", out] : c.args
    do {
      var command = try SimrunCommand.parseAsRoot(args)
      try command.run()
      Issue.record("accepted: \(args.joined(separator: " "))")
    } catch {
      let message = SimrunCommand.message(for: error)
      #expect(message.contains(c.expected), "\(message)")
      // No Swift or Foundation type names, no empty key paths.
      for leak in ["Dictionary<", "Array<", "Swift.", "NSCocoaErrorDomain", "'':", "Optional("] {
        #expect(!message.contains(leak), "\(leak) in: \(message)")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
