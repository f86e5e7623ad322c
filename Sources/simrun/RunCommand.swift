import ArgumentParser
import Compressors
import CrossbarSim
import Foundation
import Mappers
import Yams

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Map a workload, simulate it cycle by cycle, print per-layer results and write the run folder.")

  @Option(help: "Run config file (YAML/JSON, version: 1) with any of the fields below; flags override it.")
  var config: String?

  @Option(help: "Built-in workload name (see `simrun workloads`) or a NeuroSim NetWork_*.csv file. [default: \(RunSetup.defaults.workload)]")
  var workload: String?

  @Option(help: "An ONNX model (.onnx): its graph is the workload and its weights come with it (same as --workload FILE.onnx).")
  var model: String?

  @Option(help: "Labelled images (.npz with x: N x C x H x W float32, y: N int64): also run the network functionally and write accuracy.csv and accuracy-layers.csv (float, quantized, crossbar, crossbar+noise when device.* is set).")
  var eval: String?

  @Option(help: "Images (.npz with x) whose float activations set the quantized formats. [default: the first 128 --eval images]")
  var calibration: String?

  @Option(help: "Arch preset (isaac, isaac-8bit) or a YAML/JSON spec file. [default: \(RunSetup.defaults.arch)]")
  var arch: String?

  @Option(help: "Mapper: kind or kind:key=value,... (\(allMappers.map(\.kind).joined(separator: ", ")); see `simrun map --help`). [default: \(RunSetup.defaults.mapper.kind)]")
  var mapper: String?

  @Option(help: "Compressor step kind:key=value,... (repeatable, applied in order; kinds: \(allCompressors.map(\.kind).joined(separator: ", ")); options: `simrun compressors`).")
  var compress: [String] = []

  @Option(help: "Weights for compression: .npz, .npy or a folder of .npy (default: seeded synthetic weights).")
  var weights: String?

  @Option(parsing: .unconditional, help: "Seed of the synthetic weights. [default: \(RunSetup.defaults.seed)]", transform: parseSeed)
  var seed: UInt64?

  @Option(help: "Replace K x K convs by low-rank pairs (shapes only): rank=R[,groups=G][,pointwise=true].")
  var factorize: String?

  @Option(help: "Schedule: layer or pipeline. [default: \(RunSetup.defaults.schedule.rawValue)]")
  var schedule: Schedule?

  @Option(parsing: .unconditional, help: "Images fed back to back through the network (throughput: imagesPerSecond in stats). [default: \(RunSetup.defaults.images)]")
  var images: Int?

  @Option(help: "Weight replication: none, auto (balance the pipeline on the chip), auto:crossbars=N, auto:tiles=N, or LAYER=k,... [default: \(RunSetup.defaults.replicate)]")
  var replicate: String?

  @Flag(help: "Run a model larger than the chip in rounds that reprogram the crossbars.")
  var rounds = false

  @Flag(help: "Run every tile of a layer on one array, one after another (the reuse computing cycles assume).")
  var singleArray = false

  @Option(name: .customLong("set"), help: "Override an arch field, e.g. --set ima.adc.countPerCrossbar=2 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Output folder (default: runs/WORKLOAD-ARCH-MAPPER-SCHEDULE).")
  var out: String?

  @Flag(help: "Also write trace.json, streamed while the run goes (Chrome trace events: crossbar activations, ADC groups, buffer ports, shift-and-add and max-pool units, router ports, off-chip links, counters per tile; opens in Perfetto).")
  var trace = false

  @Option(help: "Folder of an earlier run: area.csv gains each value divided by that run's (e.g. a dense baseline, as in [XA] Figure 4).")
  var baseline: String?

  @Flag(help: "Print only the summary line.")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    let file = try config.map(RunConfigFile.load)
    if model != nil, workload != nil { throw InputError("give --model or --workload, not both") }
    // Defaults live in RunSetup; a run file overrides them and flags override the file.
    var setup = file.map(RunSetup.init(file:)) ?? RunSetup()
    if let w = model ?? workload { setup.workload = w }
    if let arch { setup.arch = arch }
    setup.sets += overrides
    if let weights { setup.weights = weights }
    if let seed { setup.seed = seed }
    if let mapper { setup.mapper = try PluginSpec(mapper, what: "--mapper") }
    if !compress.isEmpty { setup.compress = try compress.map { try PluginSpec($0, what: "--compress") } }
    if let factorize { setup.factorize = factorize }
    if let schedule { setup.schedule = schedule }
    if let images { setup.images = images }
    if let replicate { setup.replicate = replicate }
    setup.rounds = setup.rounds || rounds
    setup.singleArray = setup.singleArray || singleArray
    let steps = setup.compress
    let base = try baseline.map { dir -> [AreaRow] in
      let path = "\(dir)/area.csv"
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw InputError("--baseline \(dir): no readable area.csv there (give the folder of an earlier run)")
      }
      return try RunReport.parseAreaCSV(text, source: path)
    }
    var sink: ChromeTrace?, folder: RunFolder?
    let run: RunOutcome
    do {
      run = try setup.execute(keepWeights: eval != nil) { bench, spec in
        folder = try RunFolder(out ?? Self.folder(bench, spec, setup))
        guard trace else { return nil }
        sink = try ChromeTrace(path: "\(folder!.staging)/trace.json")   // streamed while the run goes
        return sink
      }
    } catch {
      folder?.discard()
      throw error
    }
    let bench = run.bench, spec = run.spec
    if let sink, sink.dropped > 0 {
      FileHandle.standardError.write(Data("trace.json: kept the first \(sink.count) events, dropped \(sink.dropped)\n".utf8))
    }
    let report = run.report
    let dir = folder!.path
    var files: [(String, String)] = [
      ("config.yaml", try YAMLEncoder().encode(run.resolvedConfig)),
      ("stats.json", report.statsJSON), ("stats.csv", report.statsCSV),
      ("layers.csv", report.layersCSV), ("layers.svg", RunPlots.layers(run.result)), ("energy.csv", report.energyCSV), ("area.csv", report.areaCSV(baseline: base)),
    ]
    if !steps.isEmpty { files.append(("compression.csv", bench.compressionCSV)) }
    var accuracyTable = ""
    if let eval {
      do {
        let (csv, layersCSV, table) = try Accuracy.evaluate(bench: bench, spec: spec, data: eval, calibration: calibration)
        files += [("accuracy.csv", csv), ("accuracy-layers.csv", layersCSV)]
        accuracyTable = table
      } catch {
        folder!.discard()
        throw error
      }
    }
    try folder!.write(files)
    try folder!.commit()
    if sink != nil { files.append(("trace.json", "")) }
    if quiet {
      print(report.summary)
    } else {
      if !steps.isEmpty { print(bench.compressionTable) }
      print(report.table, terminator: "")
    }
    if !accuracyTable.isEmpty { print(accuracyTable, terminator: "") }
    print("wrote \(dir)/{\(files.map(\.0).joined(separator: ","))}")
  }
}

extension RunCommand {
  /// The default run folder.
  static func folder(_ bench: Workbench, _ spec: ArchSpec, _ setup: RunSetup) -> String {
    "runs/\(bench.network.name)-\(spec.name)-\(setup.mapper.kind)-\(setup.schedule.rawValue)"
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
