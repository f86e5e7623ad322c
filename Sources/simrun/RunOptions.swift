import ArgumentParser
import CrossbarSim
import SimrunKit

/// The settings of a run, shared by every command that runs a model (`run`, `eval`, `compare`):
/// a run file and any `RunSetup` setting as a flag. The flags are read from `RunSetup`'s
/// declarations, not declared here, so the command's help lists them in its discussion.
struct RunOptions: ParsableArguments {
  @Option(help: "Run file (YAML/JSON, version: 1) with any of the run settings as keys; flags override it.")
  var config: String?

  @Argument(parsing: .allUnrecognized, help: .hidden)
  var settings: [String] = []

  /// The run the file and the flags describe; `commandFlags` are the command's own options,
  /// suggested for a misspelt flag too.
  func setup(commandFlags: [String] = []) throws -> RunSetup {
    try RunSetup.load(file: config, flags: settings, otherFlags: commandFlags)
  }

  /// The tree of the run file and the flags (for commands that add overrides of their own).
  func tree(commandFlags: [String] = []) throws -> RunTree {
    var t = RunTree()
    if let config { try t.merge(file: RunTree.readFile(config), source: config) }
    try t.apply(flags: settings, otherFlags: commandFlags)
    return t
  }

  /// The discussion that lists the run settings.
  static func discussion(_ head: String = "", except: Set<String> = []) -> String {
    (head.isEmpty ? "" : head + "\n\n") + """
      RUN SETTINGS (flags; the same names are the keys of a run file (--config), sweep grid keys and \
      compare --variant options):
      \(RunSetup.flagHelp(except: except))
      """
  }
}

extension Schedule: ExpressibleByArgument {}

/// Output formats of the listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv
}

/// Parses `--seed`, saying what a seed may be when it is not one.
func parseSeed(_ text: String) throws -> UInt64 {
  guard let seed = UInt64(text) else {
    throw ValidationError("a seed is a whole number in 0...\(UInt64.max)")
  }
  return seed
}
