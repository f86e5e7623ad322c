import ArgumentParser
import CrossbarSim
import Foundation
import SimrunKit

/// `simrun merge DIR... --out DIR`: the shards of one sweep joined into the results.csv (and
/// Pareto front) one unsharded run writes, byte for byte.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Join the output folders of a sweep's shards (--shard I/N) into one results.csv and pareto.svg.")

  @Argument(help: "Output folders of the shards (each has sweep.yaml and results.csv).")
  var shards: [String]

  @Option(help: "Folder of the merged sweep.")
  var out: String

  func run() throws {
    let table = try SweepMerge.merge(shards, into: out)
    print("merge: \(table.rows.count) points from \(shards.count) folders, \(table.front.count) on the Pareto front; " +
        "wrote \(out)/{\(SweepOutputs.files.map(\.name).joined(separator: ","))}")
  }
}
