import ArgumentParser
import CrossbarSim
import Foundation

struct ArchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "arch", abstract: "Print every component's power and area and the IMA, tile and chip totals.")

  @Option(help: "Arch preset (isaac, isaac-8bit) or a YAML/JSON spec file.")
  var preset = "isaac"

  @Option(name: .customLong("set"), help: "Override an arch field (repeatable).")
  var overrides: [String] = []

  @Option(help: "table, json or csv.")
  var format: OutputFormat = .table

  func run() throws {
    let spec = try ArchSpec.load(preset, overrides: overrides)
    print(Self.render(AreaPowerModel(spec: spec), format: format), terminator: "")
  }

  static func render(_ m: AreaPowerModel, format: OutputFormat) -> String {
    let rows = m.imaRows + m.tileRows + m.chipRows
    func num(_ v: Double) -> String { StatNode.number(v) }
    switch format {
    case .json:
      func total(_ r: AreaPowerModel.Row) -> JSONValue {
        .object([.init("powerMW", .number(r.powerMW)), .init("areaMm2", .number(r.areaMm2)),
                 .init("leakageMW", .number(r.leakageMW))],
                inline: true)
      }
      let components = rows.map { r -> JSONValue in
        .object([.init("path", .string(r.path)), .init("count", .number(r.count)), .init("powerMW", .number(r.powerMW)),
                 .init("areaMm2", .number(r.areaMm2)), .init("leakageMW", .number(r.leakageMW))], inline: true)
      }
      let s = m.spec
      return JSONValue.object([
        .init("preset", .string(s.name)), .init("components", .array(components)),
        .init("ima", total(m.ima)), .init("tile", total(m.tile)), .init("chip", total(m.chip)),
        .init("counts", .object([.init("tiles", .integer(s.chip.tiles)), .init("imasPerTile", .integer(s.tile.imas)),
                                 .init("crossbarsPerIMA", .integer(s.ima.crossbars)), .init("crossbars",
                                     .integer(s.crossbarsPerChip))],
                                inline: true)),
      ]).document
    case .csv:
      var t = CSVTable(header: ["path", "count", "powerMW", "areaMm2", "leakageMW"])
      for r in rows + [m.ima, m.tile,
                       m.chip] { t.append([r.path, num(r.count), num(r.powerMW), num(r.areaMm2), num(r.leakageMW)]) }
      return t.text
    case .table:
      var t = TextTable(header: ["component", "count", "power [mW]", "area [mm2]"])
      t.rows = rows.map { [$0.path, num($0.count), String(format: "%.4f", $0.powerMW),
                           String(format: "%.6f", $0.areaMm2)] }
      t.footer = [
        ["IMA total", "", String(format: "%.4f", m.ima.powerMW), String(format: "%.6f", m.ima.areaMm2)],
        ["tile total (\(m.spec.tile.imas) IMAs)", "", String(format: "%.4f", m.tile.powerMW),
         String(format: "%.6f", m.tile.areaMm2)],
        ["chip total (\(m.spec.chip.tiles) tiles)", "", String(format: "%.4f", m.chip.powerMW),
         String(format: "%.6f", m.chip.areaMm2)],
      ]
      return t.render()
    }
  }
}
