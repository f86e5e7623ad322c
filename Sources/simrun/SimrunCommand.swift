import ArgumentParser
import CrossbarSim
import Foundation

/// `simrun`: cycle-level simulation of ReRAM crossbar accelerators.
@main
struct SimrunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simrun",
    abstract: "Cycle-level, event-driven simulator of ReRAM crossbar (IMC) accelerators.",
    subcommands: [RunCommand.self, EvalCommand.self, CompareCommand.self, SweepCommand.self, MergeCommand.self, MapCommand.self, ArchCommand.self, WorkloadsCommand.self, CompressorsCommand.self, BenchCommand.self],
    defaultSubcommand: RunCommand.self)
}

/// Output formats of the listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv
}

extension Schedule: ExpressibleByArgument {}

extension ParsableCommand {
  /// Applies a `--factorize` plan and tells on stderr which layers stayed dense.
  static func factorize(_ network: Network, _ plan: String) throws -> Network {
    let (n, skipped) = try network.factorizedReporting(FactorizationPlan.parse(plan))
    if !skipped.isEmpty {
      FileHandle.standardError.write(Data("note: left dense: \(skipped.joined(separator: ", "))\n".utf8))
    }
    return n
  }
}

/// Parses `--seed`, saying what a seed may be when it is not one.
func parseSeed(_ text: String) throws -> UInt64 {
  guard let seed = UInt64(text) else {
    throw ValidationError("a seed is a whole number in 0...\(UInt64.max)")
  }
  return seed
}
