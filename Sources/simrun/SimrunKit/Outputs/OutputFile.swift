import CrossbarSim
import Foundation

// MARK: - Every file a command writes, declared once

/// One file of an output folder: its name, what it holds, the commands that write it, and its
/// writer (nil when this run does not write it, e.g. `compression.csv` without compression).
public struct OutputFile<Source>: Sendable {
  /// File name.
  public let name: String
  /// What it holds, in a sentence.
  public let about: String
  /// The commands that write it.
  public let writtenBy: [String]
  /// Whether the run streams it itself (`trace.json`) instead of the writer making it.
  public let isStreamed: Bool
  let write: @Sendable (Source) throws -> String?

  init(_ name: String, by writtenBy: [String], streamed: Bool = false, about: String,
       _ write: @escaping @Sendable (Source) throws -> String?) {
    self.name = name; self.writtenBy = writtenBy; isStreamed = streamed; self.about = about; self.write = write
  }

  /// The `(name, text)` pairs `files` write for `source`.
  public static func texts(_ files: [OutputFile], for source: Source) throws -> [(String, String)] {
    try files.compactMap { f in try f.write(source).map { (f.name, $0) } }
  }
}

/// What a run folder's writers read: the run, and an earlier run's area rows to divide by.
public struct RunProducts: Sendable {
  /// The run.
  public var outcome: RunOutcome
  /// `area.csv` rows of `--baseline DIR`.
  public var baselineArea: [AreaRow]?
  /// Whether the folder holds a streamed `trace.json` (the report links it).
  public var hasTrace: Bool
  /// Creates the products of a run.
  public init(outcome: RunOutcome, baselineArea: [AreaRow]? = nil, hasTrace: Bool = false) {
    self.outcome = outcome; self.baselineArea = baselineArea; self.hasTrace = hasTrace
  }
}

/// The files of a run folder (`simrun run`, `simrun eval`), in the order they are listed.
public enum RunOutputs {
  static let by = ["run", "eval"]

  /// Every file a run folder may hold.
  public static let files: [OutputFile<RunProducts>] = [
    OutputFile("config.yaml", by: by, about: "the run's settings, re-runnable with --config, with the resolved arch " +
        "spec and what the run resolved to") {
      try RunRecord(outcome: $0.outcome).yaml()
    },
    OutputFile("metrics.csv", by: by, about: "one row of the run's figures of merit, the columns compare and sweeps " +
        "report (Metric.all)") { r in
      let metrics = Metric.listed(fineTuned: r.outcome.accuracyBefore != nil)
      var t = CSVTable(header: metrics.map(\.column) + ["limitedBy"])
      let limit = r.outcome.result.limitedByText
      t.append(metrics.map { $0.field(r.outcome) } + [limit ?? ""])
      return t.text
    },
    OutputFile("stats.json", by: by, about: "the stats tree by component path; every value {\"value\": x, \"unit\": " +
        "\"u\"}") { $0.outcome.report.statsJSON },
    OutputFile("stats.csv", by: by,
               about: "the same, long format: path,stat,value,unit") { $0.outcome.report.statsCSV },
    OutputFile("layers.csv", by: by, about: "one row per layer: window, crossbars, copies, cycles, energy, stalls, " +
        "spills") {
      $0.outcome.report.layersCSV
    },
    OutputFile("layers.svg", by: by, about: "per layer: latency, mean crossbar busy time and input stalls [µs]") {
      RunPlots.layers($0.outcome)
    },
    OutputFile("energy.csv", by: by,
               about: "energy per component class, for the run and each layer") { $0.outcome.report.energyCSV },
    OutputFile("area.csv", by: by, about: "area and peak power per component class, used and whole chip (with " +
        "--baseline, ratios to it)") {
      $0.outcome.report.areaCSV(baseline: $0.baselineArea)
    },
    OutputFile("compression.csv", by: by, about: "with compression: per step and layer, rank, kept ratio, crossbars, " +
        "tables, error") {
      $0.outcome.setup.compress.isEmpty ? nil : $0.outcome.bench.compressionCSV
    },
    OutputFile("accuracy.csv", by: by, about: "with --eval: top-1 and agreement with float per path (float, " +
        "quantized, crossbar, crossbar+noise)") {
      $0.outcome.accuracy?.csv
    },
    OutputFile("accuracy-layers.csv", by: by,
               about: "with --eval: each layer's output error against float") { $0.outcome.accuracy?.layersCSV },
    OutputFile("report.html", by: by + ["compare"], about: "the run at a glance in one self-contained page: setup, " +
        "verdict, plots and tables, links to these files") { RunReportPage.html($0) },
    OutputFile("trace.json", by: ["run"], streamed: true, about: "with --trace: Chrome trace events, streamed while " +
        "the run goes") { _ in nil },
  ]

  /// The `area.csv` rows of the run folder `dir` (`--baseline DIR`).
  public static func baselineArea(_ dir: String) throws -> [AreaRow] {
    let path = "\(dir)/area.csv"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw InputError("--baseline \(dir): no readable area.csv there (give the folder of an earlier run)")
    }
    return try RunReport.parseAreaCSV(text, source: path)
  }
}
