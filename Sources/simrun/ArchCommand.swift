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

  /// What the geometry derives (`ArchSpec.array`, `adcsPerCrossbar`, `registerBytes`): name, value, unit.
  static func derived(_ s: ArchSpec) -> [(name: String, value: Double, unit: String)] {
    let a = s.array, x = s.ima.crossbar
    return [
      ("crossbar.readLatency", a.readLatencyNs, "ns"), ("crossbar.readEnergy", a.readEnergyPJ, "pJ"),
      ("crossbar.readEnergyPerCell", a.readEnergyPJ / Double(x.rows * x.columns), "pJ"),
      ("crossbar.areaPerCell", a.areaMm2 / Double(x.rows * x.columns) * 1e6, "um2"),
      ("crossbar.dacs", Double(x.rows), "count"), ("crossbar.sampleHolds", Double(x.columns), "count"),
      ("crossbar.adcs", Double(s.adcsPerCrossbar), "count"),
      ("crossbar.conversionCycles", Double(s.adcBatchCycles(columns: x.columns, bits: s.chipADCBits)),
       "cycles"),
      ("crossbar.readCycles", Double(s.clock.cycles(ns: a.readLatencyNs).count), "cycles"),
    ] + RegisterRole.allCases.map { ("\($0.rawValue).sizeBytes", Double(s.registerBytes($0)), "bytes") }
  }

  static func render(_ m: AreaPowerModel, format: OutputFormat) -> String {
    let rows = m.imaRows + m.tileRows + m.chipRows
    let geometry = derived(m.spec)
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
        .init("derived", .object(geometry.map { .init($0.name, .number($0.value)) }, inline: false)),
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
      var t = TextTable(header: ["component", "count", "power of all [mW]", "area of all [mm2]"])
      t.rows = rows.map { [$0.path, num($0.count), String(format: "%.4f", $0.powerMW),
                           String(format: "%.6f", $0.areaMm2)] }
      t.footer = [
        ["IMA total", "", String(format: "%.4f", m.ima.powerMW), String(format: "%.6f", m.ima.areaMm2)],
        ["tile total (\(m.spec.tile.imas) IMAs)", "", String(format: "%.4f", m.tile.powerMW),
         String(format: "%.6f", m.tile.areaMm2)],
        ["chip total (\(m.spec.chip.tiles) tiles)", "", String(format: "%.4f", m.chip.powerMW),
         String(format: "%.6f", m.chip.areaMm2)],
      ]
      let x = m.spec.ima.crossbar
      var d = TextTable(header: ["derived from the geometry (\(x.rows)x\(x.columns))",
                                 "value", "unit"])
      d.rows = geometry.map { [$0.name, num($0.value), $0.unit] }
      return t.render() + "power and area of a row are those of all its `count` units together (ISAAC's Table I); " +
        "a router is shared by \(m.spec.chip.tilesPerRouter) tiles " +
        "(count 1 / \(m.spec.chip.tilesPerRouter) per tile)\n\n" + d.render()
    }
  }
}
