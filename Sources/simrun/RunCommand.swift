import ArgumentParser
import CrossbarSim
import Foundation
import Mappers
import Yams

/// The fully resolved inputs of a run, written next to its results as `config.yaml`.
struct RunConfig: Codable {
  struct PluginConfig: Codable {
    var kind: String
    var options: [String: String]
  }
  var version = 1
  var workload: String
  var factorize: String?
  var mapper: PluginConfig
  var schedule: Schedule
  var allowRounds: Bool
  var overrides: [String]
  var arch: ArchSpec
}

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Map a workload, simulate it cycle by cycle, print per-layer results and write the run folder.")

  @Option(help: "Built-in workload name (see `simrun workloads`) or a NeuroSim NetWork_*.csv file.")
  var workload = "resnet20"

  @Option(help: "Arch preset (isaac, isaac-8bit) or a YAML/JSON spec file.")
  var arch = "isaac-8bit"

  @Option(help: "Mapper: kind or kind:key=value,... (\(allMappers.map(\.kind).joined(separator: ", ")); see `simrun map --help`).")
  var mapper = "im2col"

  @Option(help: "Replace K x K convs by low-rank pairs: rank=R[,groups=G][,pointwise=true].")
  var factorize: String?

  @Flag(help: "Run every tile of a layer on one array, one after another (the reuse computing cycles assume).")
  var singleArray = false

  @Option(help: "Schedule: layer or pipeline.")
  var schedule: Schedule = .pipeline

  @Flag(help: "Run a model larger than the chip in rounds that reprogram the crossbars.")
  var rounds = false

  @Option(name: .customLong("set"), help: "Override an arch field, e.g. --set ima.adc.countPerCrossbar=2 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Output folder (default: runs/WORKLOAD-ARCH-MAPPER-SCHEDULE).")
  var out: String?

  @Flag(help: "Also write trace.json (Chrome trace events, one span per crossbar activation; opens in Perfetto).")
  var trace = false

  @Flag(help: "Print only the summary line.")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let spec = try ArchSpec.load(arch, overrides: overrides)
    var network = try BuiltinWorkloads.load(workload)
    if let f = factorize { network = try Self.factorize(network, f) }
    let m = try MapperRegistry.mapper(kind: mapper)
    let (mapperKind, mapperOptions) = try MapperRegistry.parse(mapper)
    let sink = trace ? ChromeTrace() : nil
    let result = try Simulation.run(network: network, spec: spec, mapper: m,
                                    options: SimulationOptions(schedule: schedule, allowRounds: rounds,
                                                               singleArrayPerLayer: singleArray), trace: sink)
    let report = RunReport(result)
    let dir = out ?? "runs/\(network.name)-\(spec.name)-\(mapperKind)-\(schedule.rawValue)"
    let config = RunConfig(workload: workload, factorize: factorize, mapper: .init(kind: mapperKind, options: mapperOptions), schedule: schedule,
                           allowRounds: rounds, overrides: overrides, arch: spec)
    var files: [(String, String)] = [
      ("config.yaml", try YAMLEncoder().encode(config)),
      ("stats.json", report.statsJSON), ("stats.csv", report.statsCSV),
      ("layers.csv", report.layersCSV), ("energy.csv", report.energyCSV),
    ]
    if let sink { files.append(("trace.json", sink.json())) }
    try OutputFolder.write(files, to: dir)
    if quiet {
      print(report.summary)
    } else {
      print(report.table, terminator: "")
    }
    print("wrote \(dir)/{\(files.map(\.0).joined(separator: ","))}")
  }
}

/// Writes a run's files into one folder.
enum OutputFolder {
  static func write(_ files: [(String, String)], to dir: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for (name, text) in files {
        try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
      }
    } catch {
      throw InputError("--out \(dir): cannot write results: \(error.localizedDescription)")
    }
  }
}
