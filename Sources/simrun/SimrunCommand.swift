import ArgumentParser
import CrossbarSim
import SimrunKit
import Foundation

/// `simrun`: cycle-level simulation of ReRAM crossbar accelerators.
@main
struct SimrunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simrun",
    abstract: "Cycle-level, event-driven simulator of ReRAM crossbar (IMC) accelerators.",
    version: "simrun \(simrunVersion)",
    subcommands: [RunCommand.self, EvalCommand.self, FineTuneCommand.self, CompareCommand.self, SweepCommand.self,
                  MergeCommand.self,
                  MapCommand.self,
                  ArchCommand.self, WorkloadsCommand.self, CompressorsCommand.self, BenchCommand.self],
    defaultSubcommand: RunCommand.self)

  /// Runs the command line; a first word that is no command (`simrun mapp`) is an error that
  /// names the nearest command, not "unexpected argument" from `run`.
  static func main() {
    if let first = CommandLine.arguments.dropFirst().first, let message = unknownCommand(first) {
      note("Error: \(message)")
      Foundation.exit(64)
    }
    main(nil)
  }

  /// The error for a first word that is not a command, or nil when it is one (or a flag).
  static func unknownCommand(_ word: String) -> String? {
    guard !word.hasPrefix("-") else { return nil }
    let names = configuration.subcommands.map { $0._commandName } + ["help"]
    guard !names.contains(word) else { return nil }
    let near = names.map { ($0, RunTree.editDistance($0, word)) }.filter { $0.1 <= 2 || $0.0.hasPrefix(word) }
      .min { $0.1 < $1.1 }
    return "unknown command '\(word)'" + (near.map { " (did you mean '\($0.0)'?)" } ?? "")
      + "; commands: \(names.dropLast().joined(separator: ", ")) (run is the default: simrun --workload ...)"
  }
}

/// The version `simrun --version` prints: 0.N after the N-th resolved issue.
let simrunVersion = SimrunVersion.text

/// Writes a line to standard error.
func note(_ text: String) { writeStandardError(text + "\n") }

/// Writes `text` to standard error; a closed or full stream (`2>/dev/full`) loses it instead of
/// trapping, as progress and notes are not results.
func writeStandardError(_ text: String) { try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
