import ArgumentParser
import CrossbarSim

/// `simrun`: cycle-level simulation of ReRAM crossbar accelerators.
@main
struct SimrunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simrun",
    abstract: "Cycle-level, event-driven simulator of ReRAM crossbar (IMC) accelerators.",
    subcommands: [RunCommand.self, ArchCommand.self, WorkloadsCommand.self, BenchCommand.self],
    defaultSubcommand: RunCommand.self)
}

/// Output formats of the listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv
}

extension Schedule: ExpressibleByArgument {}
