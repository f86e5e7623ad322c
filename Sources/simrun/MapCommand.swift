import ArgumentParser
import CrossbarSim
import Foundation
import Mappers
import SimrunKit

/// Analytic mapping report: per layer, the window, computing cycles, arrays and utilization.
struct MapCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "map",
    abstract: "Map a workload's layers and print each layer's window, computing cycles, arrays and utilization.",
    discussion: "Mapper kinds and options (kind:key=value,...):\n" + allMappers.map { m in
      (["  \(m.kind)"] + m.optionHelp.map { "      \($0)" }).joined(separator: "\n")
    }.joined(separator: "\n"))

  @Option(name: [.customLong("workload"), .customLong("model")],
          help: "Built-in workload name, a NeuroSim NetWork_*.csv file or an ONNX model (--model is the same).")
  var workload = RunSetup().workload

  @Option(help: "Mapper: kind or kind:key=value,... (see below). [default: im2col, as for run]")
  var mapper = RunSetup().mapper.text

  @Option(help: "The chip whose arrays are mapped to: a preset or an arch file, as for run. [default: isaac-8bit]")
  var arch = RunSetup().arch.name

  @Option(name: .customLong("set"), help: "Override an arch field, e.g. ima.crossbar.rows=256 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Array size ROWSxCOLS. [default: the arch's crossbar]")
  var array: String?

  @Option(parsing: .unconditional, help: "Weight precision [bits]. [default: the arch's data.weightBits]")
  var weightBits: Int?

  @Option(parsing: .unconditional, help: "Bits per cell. [default: the arch's ima.crossbar.bitsPerCell]")
  var cellBits: Int?

  @Flag(help: "Differential weight encoding (two columns per slice).")
  var differential = false

  @Option(help: "Replace K x K convs by low-rank pairs: rank=R[,groups=G][,pointwise=true].")
  var factorize: String?

  @Option(help: "Compressor step kind:key=value,... (repeatable; uses --weights or seeded synthetic weights).")
  var compress: [String] = []

  @Option(help: "Weights for compression: .npz, .npy or a folder of .npy.")
  var weights: String?

  @Option(parsing: .unconditional, help: "Seed of the synthetic weights.", transform: parseSeed)
  var seed: UInt64 = RunSetup().seed

  @Option(help: "table, csv or json.")
  var format: OutputFormat = .table

  func run() throws {
    // The geometry is the arch's (as `run` maps), each flag given overriding its part.
    let spec = try ArchSpec.load(arch, overrides: overrides)
    var rows = spec.ima.crossbar.rows, cols = spec.ima.crossbar.columns
    if let array {
      let parts = array.split(separator: "x").map { Int($0) }
      let side = 1...Limits.crossbarSide
      guard parts.count == 2, let r = parts[0], let c = parts[1], side.contains(r), side.contains(c) else {
        throw InputError("--array '\(array)': expected ROWSxCOLS with integers in 1...\(Limits.crossbarSide), " +
            "e.g. 128x128")
      }
      (rows, cols) = (r, c)
    }
    let weightBits = self.weightBits ?? spec.data.weightBits, cellBits = self.cellBits ?? spec.ima.crossbar.bitsPerCell
    guard (1...32).contains(weightBits) else { throw InputError("--weight-bits \(weightBits): must be in 1...32") }
    guard (1...8).contains(cellBits) else { throw InputError("--cell-bits \(cellBits): must be in 1...8") }
    let g = ArrayGeometry(rows: rows, columns: cols, slicesPerWeight: (weightBits + cellBits - 1) / cellBits,
                          isDifferential: differential || spec.data.weightEncoding == .differential)
    let bench = try Workbench(workload: workload, factorize: factorize, weights: weights, seed: seed,
                              compress: compress.map { try PluginSpec($0, what: "--compress") },
                              mapper: MapperRegistry.mapper(kind: mapper), geometry: g, weightBits: weightBits,
                              independentRows: true)
    if !bench.records.isEmpty && format == .table { print(bench.compressionTable) }
    print(Self.render(bench.layout, geometry: g, format: format), terminator: "")
  }

  static func render(_ nl: NetworkLayout, geometry g: ArrayGeometry, format: OutputFormat) -> String {
    let header = ["layer", "kind", "mapper", "window", "computingCycles", "arrays", "windows", "utilization", "note"]
    var rows: [[String]] = []
    var totalCC = 0, totalArrays = 0
    for (i, l) in nl.network.layers.enumerated() {
      guard let m = nl.layouts[i] else { continue }
      let kind: String
      if case .fullyConnected = l.operation { kind = "fc" } else { kind = "conv" }
      totalCC += m.computingCycles; totalArrays += m.crossbars.count
      rows.append([l.name, kind, m.mapper, m.window, "\(m.computingCycles)", "\(m.crossbars.count)", "\(m.windows)",
                   String(format: "%.4f", m.utilization(rows: g.rows, columns: g.columns)), m.note])
    }
    switch format {
    case .csv:
      var t = CSVTable(header: header)
      for r in rows { t.append(r) }
      return t.text
    case .json:
      let numeric: Set<String> = ["computingCycles", "arrays", "windows", "utilization"]
      return JSONValue.array(rows.map { r in
        .object(zip(header, r).map { k, v in .init(k, numeric.contains(k) ? .number(Double(v) ?? .nan) : .string(v)) },
                inline: true)
      }).document
    case .table:
      var t = TextTable(header: header, leftColumns: 4)
      t.leftAlignedColumns = [header.count - 1]
      t.rows = rows
      t.footer = [["total", "", "", "", "\(totalCC)", "\(totalArrays)", "", "", ""]]
      return t.render()
    }
  }
}
