import ArgumentParser
import CrossbarSim
import Foundation

/// `simrun`: cycle-level simulation of ReRAM crossbar accelerators.
@main
struct SimrunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simrun",
    abstract: "Cycle-level, event-driven simulator of ReRAM crossbar (IMC) accelerators.",
    subcommands: [RunCommand.self, EvalCommand.self, FineTuneCommand.self, CompareCommand.self, SweepCommand.self,
                  MergeCommand.self,
                  MapCommand.self,
                  ArchCommand.self, WorkloadsCommand.self, CompressorsCommand.self, BenchCommand.self],
    defaultSubcommand: RunCommand.self)
}

/// Writes a line to standard error.
func note(_ text: String) { writeStandardError(text + "\n") }

/// Writes `text` to standard error; a closed or full stream (`2>/dev/full`) loses it instead of
/// trapping, as progress and notes are not results.
func writeStandardError(_ text: String) { try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
