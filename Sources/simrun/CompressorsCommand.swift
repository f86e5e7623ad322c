import ArgumentParser
import Compressors
import CrossbarSim
import Foundation

/// `simrun compressors`: every compressor kind with its options and defaults.
struct CompressorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compressors",
    abstract: "List every compressor (--compress kind:key=value,...) with its options and defaults.")

  @Option(help: "table, json or csv.")
  var format: OutputFormat = .table

  func run() throws { print(Self.listing(format: format), terminator: "") }

  static func listing(format: OutputFormat) -> String {
    switch format {
    case .csv:
      return (["kind,option"] + allCompressors.flatMap { e in e.optionHelp.map { "\(e.kind),\(CSV.field($0))" } })
        .joined(separator: "\n") + "\n"
    case .json:
      let quoted = StatNode.quote
      return "[\n" + allCompressors.map { e in
        "  {\"kind\": \(quoted(e.kind)), \"options\": [\(e.optionHelp.map(quoted).joined(separator: ", "))]}"
      }.joined(separator: ",\n") + "\n]\n"
    case .table:
      var t = TextTable(header: ["kind", "option"], leftColumns: 2)
      t.rows = allCompressors.flatMap { e in e.optionHelp.enumerated().map { [$0.offset == 0 ? e.kind : "", $0.element] } }
      return t.render()
    }
  }
}
