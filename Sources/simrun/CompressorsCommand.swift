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
      var t = CSVTable(header: ["kind", "option"])
      for e in allCompressors { for o in e.optionHelp { t.append([e.kind, o]) } }
      return t.text
    case .json:
      return JSONValue.array(allCompressors.map { e in
        .object([.init("kind", .string(e.kind)), .init("options", .array(e.optionHelp.map { .string($0) }))],
                inline: true)
      }).document
    case .table:
      var t = TextTable(header: ["kind", "option"], leftColumns: 2)
      t.rows = allCompressors.flatMap { e in
        e.optionHelp.enumerated().map { [$0.offset == 0 ? e.kind : "", $0.element] }
      }
      return t.render()
    }
  }
}
