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
      func total(_ r: AreaPowerModel.Row) -> String {
        "{\"powerMW\": \(num(r.powerMW)), \"areaMm2\": \(num(r.areaMm2)), \"leakageMW\": \(num(r.leakageMW))}"
      }
      let comps = rows.map {
        "    {\"path\": \"\($0.path)\", \"count\": \(num($0.count)), \"powerMW\": \(num($0.powerMW)), \"areaMm2\": \(num($0.areaMm2)), \"leakageMW\": \(num($0.leakageMW))}"
      }
      return """
        {
          "preset": "\(m.spec.name)",
          "components": [
        \(comps.joined(separator: ",\n"))
          ],
          "ima": \(total(m.ima)),
          "tile": \(total(m.tile)),
          "chip": \(total(m.chip)),
          "counts": {"tiles": \(m.spec.chip.tiles), "imasPerTile": \(m.spec.tile.imas), "crossbarsPerIMA": \(m.spec.ima.crossbars), "crossbars": \(m.spec.crossbarsPerChip)}
        }

        """
    case .csv:
      var out = ["path,count,powerMW,areaMm2,leakageMW"]
      for r in rows + [m.ima, m.tile, m.chip] {
        out.append("\(r.path),\(num(r.count)),\(num(r.powerMW)),\(num(r.areaMm2)),\(num(r.leakageMW))")
      }
      return out.joined(separator: "\n") + "\n"
    case .table:
      var t = TextTable(header: ["component", "count", "power [mW]", "area [mm2]"])
      t.rows = rows.map { [$0.path, num($0.count), String(format: "%.4f", $0.powerMW), String(format: "%.6f", $0.areaMm2)] }
      t.footer = [
        ["IMA total", "", String(format: "%.4f", m.ima.powerMW), String(format: "%.6f", m.ima.areaMm2)],
        ["tile total (\(m.spec.tile.imas) IMAs)", "", String(format: "%.4f", m.tile.powerMW), String(format: "%.6f", m.tile.areaMm2)],
        ["chip total (\(m.spec.chip.tiles) tiles)", "", String(format: "%.4f", m.chip.powerMW), String(format: "%.6f", m.chip.areaMm2)],
      ]
      return t.render()
    }
  }
}
