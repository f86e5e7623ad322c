import CrossbarSim
import Foundation
import Mappers

// MARK: - Running one setup: load, compress, map, simulate, evaluate

/// A run made ready to simulate: its chip loaded, its weights compressed and laid out, its
/// engine built. Its network's name is known here, before any cycle runs, so a run folder (and
/// the trace streamed into it) can be named after it.
public struct PreparedRun {
  /// What was asked for.
  public let setup: RunSetup
  /// The chip.
  public let spec: ArchSpec
  /// The layouts and what compression did.
  public let bench: Workbench
  let engine: Engine

  /// Loads the chip, compresses and maps the workload with `plugins`, and builds the engine;
  /// `keepWeights` keeps the weights for accuracy (by default when the setup evaluates).
  public init(_ setup: RunSetup, keepWeights: Bool? = nil, plugins: PluginCatalog = .builtIn,
              phase: (String) -> Void = { _ in }) throws {
    self.setup = setup
    phase("arch")
    spec = try setup.arch.load(overrides: setup.set)
    let mapper = try plugins.mapper(setup.mapper)
    var bench = try Workbench(workload: setup.workload, factorize: setup.factorize, weights: setup.weights,
                              seed: setup.seed, compress: setup.compress, mapper: mapper,
                              geometry: ArrayGeometry(spec), weightBits: spec.data.weightBits,
                              keepWeights: keepWeights ?? (setup.eval != nil), plugins: plugins, phase: phase)
    let lossy = spec.lossyADCLayers(bench.layout)
    if !lossy.isEmpty {
      let list = lossy.prefix(6).map { "\($0.layer) (\($0.rows) rows need \($0.needs))" }.joined(separator: ", ")
      bench.notes.append("ADCs of \(spec.chipADCBits) bits clip the column sums of \(lossy.count) " +
          "layer\(lossy.count == 1 ? "" : "s"): \(list)\(lossy.count > 6 ? ", ..." : "") " +
          "(ima.adc.bits=auto is lossless)")
    }
    phase("placement and replication")
    let replication = try ReplicationPlan.parse(setup.replicate, spec: spec)
    let options = SimulationOptions(schedule: setup.schedule, allowRounds: setup.rounds,
                                    singleArrayPerLayer: setup.singleArray, images: setup.images,
                                    replication: replication, placement: setup.placement)
    engine = try Engine(spec: spec, layout: bench.layout, options: options)
    if let note = engine.placementNote { bench.notes.append(note) }
    self.bench = bench
  }

  /// The run folder a run gets when none is named: `runs/NETWORK-ARCH-MAPPER-SCHEDULE`, then each
  /// compression step (`-prune-rows_ratio=0.5`), so runs that differ in compression do not share one.
  public var defaultFolder: String {
    let base = "\(bench.network.name)-\(spec.name)-\(setup.mapper.kind)-\(setup.schedule.rawValue)"
    let steps = setup.compress.map { step in
      String(step.text.map { $0.isLetter || $0.isNumber || "=.-".contains($0) ? $0 : "_" })
    }
    return "runs/" + ([base] + steps).joined(separator: "-")
  }

  /// Simulates every cycle, streaming events into `trace` when given.
  public func simulate(trace: ChromeTrace? = nil) throws -> RunOutcome {
    engine.trace = trace
    let result = try engine.simulate()
    try trace?.finish()
    return RunOutcome(setup: setup, spec: spec, bench: bench, result: result)
  }
}

/// A finished run: what was asked, the layouts it ran, the engine's result and, when the setup
/// evaluates, its accuracy.
public struct RunOutcome: Sendable {
  /// What was asked for.
  public let setup: RunSetup
  /// The chip.
  public let spec: ArchSpec
  /// The layouts and what compression did (after `fineTune`, `bench.model` holds the fine-tuned
  /// weights; the layouts, which fine-tuning keeps, are unchanged).
  public internal(set) var bench: Workbench
  /// The engine's result.
  public let result: SimulationResult
  /// Accuracy on `setup.eval`'s images (nil until `evaluate`; after `fineTune`, the accuracy after).
  public var accuracy: AccuracyReport?
  /// With fine-tuning: the accuracy before it, and the training per epoch.
  public var accuracyBefore: AccuracyReport?, training: [EpochRecord]?

  /// The engine's outputs, as stats and tables.
  public var report: RunReport { RunReport(result, keptParameters: bench.keptParameters) }

  /// Evaluates the layouts on `data` (default: the setup's `eval` and `calibration` images).
  public mutating func evaluate(_ data: EvaluationData? = nil, progress: ((String) -> Void)? = nil) throws {
    guard data != nil || setup.eval != nil else { return }
    guard bench.original != nil else { throw InputError("--eval needs weights: give an .onnx model (--model) or " +
        "--weights") }
    guard let data = try data ?? EvaluationData(for: setup, network: networkAsGiven) else { return }
    accuracy = try AccuracyReport(bench: bench, spec: spec, data: data, progress: progress)
  }

  /// Fine-tunes the compressed model on `train` (the layouts stay: masks, ranks and grids are
  /// kept) and evaluates it again on `data`; `accuracy` becomes the accuracy after, the one before
  /// moves to `accuracyBefore`.
  public mutating func fineTune(train: Dataset, options: TrainingOptions, data: EvaluationData,
                                progress: ((EpochRecord) -> Void)? = nil) throws {
    guard let model = bench.model ?? bench.original else { throw InputError("fine-tuning needs weights: give an " +
        ".onnx model (--model) or --weights") }
    if accuracy == nil { try evaluate(data) }
    var tuner = try FineTuner(model, options: options)
    training = try tuner.train(on: train, validation: data.set, progress: progress)
    bench.model = tuner.model
    accuracyBefore = accuracy
    accuracy = try AccuracyReport(bench: bench, spec: spec, data: data)
  }

  /// The network before compression (whose inputs and classes the images must match).
  var networkAsGiven: Network { bench.original?.network ?? bench.network }
}

extension RunSetup {
  /// Runs the setup without a folder: prepare, simulate, evaluate when it has `eval` (with
  /// `data` already loaded, when given, instead of its own files).
  public func execute(data: EvaluationData? = nil, plugins: PluginCatalog = .builtIn) throws -> RunOutcome {
    var outcome = try PreparedRun(self, keepWeights: eval != nil || data != nil, plugins: plugins).simulate()
    if eval != nil || data != nil { try outcome.evaluate(data) }
    return outcome
  }
}
