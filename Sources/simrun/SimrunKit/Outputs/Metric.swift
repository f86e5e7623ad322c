import CrossbarSim

// MARK: - The figures of merit of a run, declared once

/// A figure of merit of one run: its name and unit, how plots label and scale it, whether more is
/// better, and where it comes from. `metrics.csv`, `compare`'s columns and ratios, a sweep's
/// results columns and objectives, and the plots' axes all read `Metric.all`.
public struct Metric: Sendable {
  /// Name without unit (`energyPerImage`): what a sweep objective may say.
  public let name: String
  /// Unit as the stats write it (`pJ`).
  public let unit: String
  /// Unit suffix of the column name (`PJ`: `energyPerImagePJ`).
  public let suffix: String
  /// In words, for axes and tables (`energy per image`).
  public let label: String
  /// Unit on an axis, and what a value is divided by to be in it (`µJ`, 1e6 from pJ).
  public let axisUnit: String, axisDivisor: Double
  /// Whether more is better (objectives default to it).
  public let isMaximised: Bool
  /// Stem of its ratio column in `compare` (`<stem>VsBaseline`), nil when it has none.
  public let ratio: String?
  /// Whether only runs that evaluate accuracy (`eval`) have it; a sweep lists it only then.
  public let needsEval: Bool
  /// Whether only fine-tuned runs have it; tables list it only when a row was fine-tuned.
  public let needsFineTune: Bool
  /// Its value for a run, nil when the run lacks it (top-1 without `--eval`).
  public let value: @Sendable (RunOutcome) -> Double?
  /// A note's text for a run (`limitedBy`); nil for a number. A note is no objective and no axis.
  public let text: (@Sendable (RunOutcome) -> String)?
  /// Whether it is a note about the run rather than a figure of merit (`Metric.notes`).
  public var isNote: Bool { Metric.notes.contains { $0.name == name } }

  /// Column name: name and unit suffix.
  public var column: String { name + suffix }
  /// Axis label: `energy per image [µJ]`.
  public var axisLabel: String { "\(label) [\(axisUnit)]" }

  init(_ name: String, unit: String, suffix: String = "", label: String, axis: (String, Double),
       maximised: Bool = false,
       ratio: String? = nil, needsEval: Bool = false, needsFineTune: Bool = false,
       _ value: @escaping @Sendable (RunOutcome) -> Double?) {
    self.name = name; self.unit = unit; self.suffix = suffix; self.label = label
    axisUnit = axis.0; axisDivisor = axis.1; isMaximised = maximised
    self.ratio = ratio; self.needsEval = needsEval || needsFineTune; self.needsFineTune = needsFineTune
    self.value = value; text = nil
  }

  /// A text note: its value is text, not a number.
  init(note name: String, label: String, _ text: @escaping @Sendable (RunOutcome) -> String) {
    self.name = name; unit = "text"; suffix = ""; self.label = label; axisUnit = ""; axisDivisor = 1
    isMaximised = false; ratio = nil; needsEval = false; needsFineTune = false
    value = { _ in nil }; self.text = text
  }

  /// Every metric, in column order.
  public static let all: [Metric] = [
    Metric("params", unit: "count", label: "weights kept", axis: ("count", 1), ratio: "params") {
      Double($0.bench.keptParameters.values.reduce(0, +))
    },
    Metric("crossbars", unit: "count", label: "crossbars", axis: ("count", 1), ratio: "crossbars") {
      Double($0.result.layers.reduce(0) { $0 + $1.crossbars })
    },
    Metric("computingCycles", unit: "activations", label: "computing cycles", axis: ("count", 1),
           ratio: "computingCycles") {
      // Crossbar activations per image (the papers' computing cycles).
      Double($0.result.layers.reduce(0) { $0 + $1.computingCycles })
    },
    Metric("firstImageLatency", unit: "ns", suffix: "Ns", label: "first-image latency", axis: ("µs", 1e3),
           ratio: "firstImageLatencyNs") { $0.result.firstImageLatencyNs },
    Metric("imagesPerSecond", unit: "1/s", label: "throughput", axis: ("images/s", 1), maximised: true,
           ratio: "imagesPerSecond") {
      $0.result.imagesPerSecond
    },
    Metric("energyPerImage", unit: "pJ", suffix: "PJ", label: "energy per image", axis: ("µJ", 1e6),
           ratio: "energyPerImagePJ") {
      $0.result.energyPerImagePJ
    },
  ] + EnergyClass.allCases.map { c in
    Metric("energy.\(c.rawValue)", unit: "pJ", suffix: "PJ", label: "\(c.rawValue) energy per image",
           axis: ("µJ", 1e6)) { r in
      (r.result.energyByClass.first { $0.0 == c }?.1 ?? 0) / Double(max(1, r.result.images))
    }
  } + [
    Metric("usedArea", unit: "mm2", suffix: "Mm2", label: "used area", axis: ("mm²", 1), ratio: "usedAreaMm2") {
      $0.result.areaRows.first { $0.scope == "used" && $0.componentClass == "total" }?.areaMm2 ?? 0
    },
    Metric("edp", unit: "pJ*ns", suffix: "PJNs", label: "energy-delay product", axis: ("µJ·µs", 1e9), ratio: "edp") {
      $0.result.energyPerImagePJ * $0.result.firstImageLatencyNs   // energy per image x first-image latency
    },
    Metric("spilledBytesPerImage", unit: "B", suffix: "B", label: "spilled off chip per image", axis: ("KB", 1e3)) {
      // Outputs the buffers could not hold, written off chip and read back.
      Double($0.result.spilledBytes) / Double(max(1, $0.result.images))
    },
    Metric("lossyADCLayers", unit: "count", label: "layers whose ADC clips", axis: ("count", 1)) {
      Double($0.spec.lossyADCLayers($0.bench.layout).count)   // fixed ADC bits below the layer's lossless resolution
    },
    Metric("relativeError", unit: "fraction", label: "relative reconstruction error", axis: ("1", 1)) {
      $0.bench.records.weightedRelativeError { $0.parametersBefore }   // weight-weighted RMS of the layers' errors
    },
    Metric("top1", unit: "fraction", label: "top-1 through the crossbars", axis: ("%", 0.01), maximised: true,
           needsEval: true) {
      $0.accuracy?.crossbarTop1   // after fine-tuning when the run fine-tunes
    },
    Metric("top1Before", unit: "fraction", label: "top-1 through the crossbars before fine-tuning", axis: ("%", 0.01),
           maximised: true, needsFineTune: true) {
      $0.accuracyBefore?.crossbarTop1
    },
    Metric("top1After", unit: "fraction", label: "top-1 through the crossbars after fine-tuning", axis: ("%", 0.01),
           maximised: true, needsFineTune: true) {
      $0.accuracyBefore == nil ? nil : $0.accuracy?.crossbarTop1
    },
  ]

  /// Notes a sweep's results carry after its metrics: what limits throughput and whether images/s
  /// is a steady state (`compare` and `metrics.csv` give the same in their own columns and marks).
  public static let notes: [Metric] = [
    Metric("steadyState", unit: "flag", label: "images/s is a steady state (1) or not (0)", axis: ("1", 1)) {
      $0.result.isSteadyState ? 1 : 0   // not steady: the first half of the images does not cover the pipeline
    },
    Metric(note: "limitedBy", label: "the busiest unit and its utilization") {
      $0.result.limitedByText ?? ""
    },
  ]

  /// The metrics a table of runs lists: those that need fine-tuning only when `fineTuned`.
  public static func listed(fineTuned: Bool) -> [Metric] { all.filter { !$0.needsFineTune || fineTuned } }

  /// The metric a column or objective names (`energyPerImagePJ` or `energyPerImage`).
  public static func named(_ text: String) -> Metric? {
    all.first { $0.column == text } ?? all.first { $0.name == text }
  }

  /// The value as a CSV field: the number, or empty when the run lacks it.
  public func field(_ run: RunOutcome) -> String { text?(run) ?? value(run).map(StatNode.number) ?? "" }
}

extension SimulationResult {
  /// `limitedBy` as the outputs write it: `router3.local (97 %)`; nil when nothing ran.
  public var limitedByText: String? {
    limitedBy.map { "\($0.what) (\(String(format: "%.0f", 100 * $0.utilization)) %)" }
  }
}
