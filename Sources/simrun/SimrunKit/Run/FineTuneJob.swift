import Compressors
import CrossbarSim
import Foundation
import Mappers

// MARK: - Compress, fine-tune the layout, re-map and evaluate: what `simrun finetune` does

/// A fine-tuning run: the setup's model compressed as the setup says, its layout trained on the
/// training images, and its accuracy through the crossbars measured before and after on the
/// setup's `eval` images (the validation set).
public struct FineTuneJob {
  /// The model, compression, chip and validation images (`eval`).
  public var setup: RunSetup
  /// The training images (`.npz` with `x`, `y`).
  public var train: String
  /// How to train.
  public var options: TrainingOptions
  /// Start from He-normal weights (seeded by `options.seed`) instead of the model's own.
  public var fromScratch = false
  /// Prune while training, as [XA]'s Algorithm 1 (before the setup's compression, which then
  /// applies to the pruned model and is fine-tuned once more).
  public var xa: XAPruning?
  /// Inject the chip's programming variation (`device.programmingSigma`) into the weights of every
  /// training batch (noise-aware training).
  public var noiseAware = false
  /// The mappers and compressors the setup may name.
  public var plugins = PluginCatalog.builtIn

  /// A job.
  public init(setup: RunSetup, train: String, options: TrainingOptions, fromScratch: Bool = false) {
    self.setup = setup; self.train = train; self.options = options; self.fromScratch = fromScratch
  }

  /// What the job produced.
  public struct Outcome: Sendable {
    /// Epoch 0 (as compressed) to the last.
    public var records: [EpochRecord]
    /// The layouts before training, with the fine-tuned model in `bench.model`.
    public var bench: Workbench
    /// The chip.
    public var spec: ArchSpec
    /// Accuracy on the validation images before and after fine-tuning (nil without `eval`).
    public var before: AccuracyReport?, after: AccuracyReport?
    /// What was trained, in words (`dense`, `[XA] kernelGroups=0.5, crossbars=0.3`, the steps).
    public var description = "dense"
  }

  /// What the job trains, in words.
  var description: String {
    let parts = (fromScratch ? ["from scratch"] : []) + (xa.map { [$0.description] } ?? [])
      + setup.compress.map(\.text) + (noiseAware ? ["noise-aware"] : [])
    return parts.isEmpty ? "dense" : parts.joined(separator: " + ")
  }

  /// Compresses, trains and evaluates; `progress` hears each epoch and the evaluations.
  public func run(progress: ((String) -> Void)? = nil) throws -> Outcome {
    let spec = try setup.arch.load(overrides: setup.set)
    let mapper = try plugins.mapper(setup.mapper)
    if fromScratch, !setup.compress.isEmpty {
      throw InputError("--from-scratch trains the dense model; compress the trained model in a second finetune run")
    }
    // With [XA] pruning the setup's compression applies after the pruning phases, not to the model as given.
    var bench = try Workbench(workload: setup.workload, factorize: setup.factorize, weights: setup.weights,
                              seed: setup.seed, compress: xa == nil ? setup.compress : [], mapper: mapper,
                              geometry: ArrayGeometry(spec), weightBits: spec.data.weightBits, keepWeights: true,
                              plugins: plugins)
    guard var model = bench.model ?? bench.original, let original = bench.original else {
      throw InputError("finetune needs weights: give an .onnx model (--model), --weights, or --from-scratch")
    }
    if fromScratch { model = try CompressedModel(network: model.network,
                                                 weights: .heNormal(for: model.network, seed: options.seed)) }
    var noise: WeightNoise?
    if noiseAware {
      guard spec.device.programmingSigma > 0 else {
        throw InputError("--noise-aware trains against the chip's programming variation: set it with --set " +
            "device.programmingSigma=S (e.g. 0.1)")
      }
      noise = WeightNoise(sigma: spec.device.programmingSigma, bitsPerCell: spec.ima.crossbar.bitsPerCell,
                          weightBits: spec.data.weightBits, seed: options.seed &+ 0x5EED)
    }
    let trainSet = try Dataset.load(train, shape: original.network.inputShape, classes: original.network.classes)
    let data = try EvaluationData(for: setup, network: original.network)
    var xaEpochs: [EpochRecord] = []
    if let xa {
      guard !fromScratch else { throw InputError("--xa-prune starts from the model's weights; drop --from-scratch") }
      let context = CompressionContext(geometry: ArrayGeometry(spec), weightBits: spec.data.weightBits, mapper: mapper)
      let (pruned, xaRecords, epochs) = try xa.run(original, options: options, noise: noise, context: context,
                                                    train: trainSet, validation: data?.set) {
        progress?(Self.describe($0, of: nil))
      }
      xaEpochs = epochs
      let steps = try setup.compress.map { try plugins.compressor($0) }
      let (m, records) = try CompressionPipeline.run(pruned, steps: steps, context: context)
      bench = try Workbench(model: m, original: original, records: xaRecords + records,
                            weightsSource: bench.weightsSource, mapper: mapper, geometry: ArrayGeometry(spec))
      model = m
      if setup.compress.isEmpty {
        let after = try data.map { try AccuracyReport(bench: bench, spec: spec, data: $0) }
        return Outcome(records: epochs, bench: bench, spec: spec, before: nil, after: after, description: description)
      }
    }
    var before: AccuracyReport?
    if let data, !fromScratch {
      bench.model = model
      before = try AccuracyReport(bench: bench, spec: spec, data: data)
    }
    var tuner = try FineTuner(model, options: options, noise: noise)
    let offset = xaEpochs.last?.epoch ?? 0
    let records = xaEpochs + (try tuner.train(on: trainSet, validation: data?.set, after: offset) {
      progress?(Self.describe($0, of: offset + options.epochs))
    })
    bench.model = tuner.model
    if fromScratch { bench.original = tuner.model }
    let after = try data.map { try AccuracyReport(bench: bench, spec: spec, data: $0) }
    return Outcome(records: records, bench: bench, spec: spec, before: before, after: after, description: description)
  }

  /// An epoch's progress line.
  static func describe(_ r: EpochRecord, of epochs: Int?) -> String {
    let val = r.validationTop1.map { String(format: ", validation top-1 %.2f %%", 100 * $0) } ?? ""
    return String(format: "epoch %d%@: loss %.4f, train top-1 %.2f %%%@, lr %.3g (%.2f s)", r.epoch,
                  epochs.map { "/\($0)" } ?? "", r.loss, 100 * r.trainTop1, val, r.learningRate, r.seconds)
  }

}
