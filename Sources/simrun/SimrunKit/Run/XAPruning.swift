import Compressors
import CrossbarSim
import Mappers

// MARK: - [XA] Algorithm 1 as two training phases (`simrun finetune --xa-prune ...`)

/// [XA]'s compact learning: phase 1 trains learnable kernel-group scales and zeroes the weakest
/// groups, which `prune-kernel-group` then removes from the network; phase 2 does the same with a
/// mask per crossbar block, which `prune-crossbar` turns into absent crossbars. Each phase runs the
/// job's epochs. Values the paper's summary leaves open are options: the penalty (default 1e-4, the
/// network-slimming value) and the first pruning epoch (default: the middle of the phase).
public struct XAPruning: Sendable, Equatable {
  /// Share of each eligible layer's kernel groups removed in phase 1 (0 skips the phase).
  public var kernelGroups = 0.0
  /// Share of each layer's crossbar blocks removed in phase 2 (0 skips the phase).
  public var crossbars = 0.0
  /// L1 penalty on the scales.
  public var penalty = 1e-4
  /// First epoch of a phase at which groups may be zeroed (nil: half the epochs, plus one).
  public var startEpoch: Int?

  /// In words: `[XA] kernelGroups=0.5, crossbars=0.3`.
  public var description: String {
    let parts = [kernelGroups > 0 ? "kernelGroups=\(StatNode.number(kernelGroups))" : nil,
                 crossbars > 0 ? "crossbars=\(StatNode.number(crossbars))" : nil]
    return "[XA] " + parts.compactMap { $0 }.joined(separator: ", ")
  }

  /// The keys `init(parsing:)` takes.
  public static let keys = ["kernelGroups", "crossbars", "penalty", "start"]

  /// Options from `kernelGroups=R,crossbars=R[,penalty=P,start=S]`.
  public init(parsing text: String, source: String) throws {
    for part in text.split(separator: ",") {
      let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard kv.count == 2 else { throw InputError("\(source) '\(part)': give KEY=VALUE") }
      switch kv[0] {
      case "kernelGroups", "crossbars":
        guard let v = Double(kv[1]), (0..<1).contains(v) else {
          throw InputError("\(source) \(kv[0])=\(kv[1]): a share in [0, 1)")
        }
        if kv[0] == "crossbars" { crossbars = v } else { kernelGroups = v }
      case "penalty":
        guard let v = Double(kv[1]), v >= 0, v.isFinite else { throw InputError("\(source) penalty=\(kv[1]): >= 0") }
        penalty = v
      case "start":
        guard let v = Int(kv[1]), v >= 1 else { throw InputError("\(source) start=\(kv[1]): an epoch >= 1") }
        startEpoch = v
      default:
        throw InputError("\(source): unknown key '\(kv[0])' (keys: \(Self.keys.joined(separator: ", ")))")
      }
    }
    guard kernelGroups > 0 || crossbars > 0 else {
      throw InputError("\(source): give kernelGroups=R and/or crossbars=R (shares in (0, 1))")
    }
  }

  /// Runs the phases on `model`: the pruned model, the compression records of turning zeroed
  /// groups into layout, and each phase's epochs (epoch numbers continue across phases).
  func run(_ model: CompressedModel, options: TrainingOptions, noise: WeightNoise?, context: CompressionContext,
           train: Dataset,
           validation: Dataset?, progress: ((EpochRecord) -> Void)?) throws
    -> (CompressedModel, [CompressionRecord], [EpochRecord]) {
    var m = model, records: [CompressionRecord] = [], epochs: [EpochRecord] = []
    let phases: [(Double, String, (CompressedModel) throws -> [Int: [GroupSparsity.Group]])] = [
      (kernelGroups, "prune-kernel-group", { KernelGroupPruner.trainingGroups($0, geometry: context.geometry) }),
      (crossbars, "prune-crossbar", { try SegmentPruner.blockGroups($0, geometry: context.geometry) }),
    ]
    for (ratio, kind, groups) in phases where ratio > 0 {
      let sparsity = GroupSparsity(layers: try groups(m), penalty: penalty, ratio: ratio,
                                   startEpoch: startEpoch ?? options.epochs / 2 + 1)
      var tuner = try FineTuner(m, options: options, sparsity: sparsity, noise: noise)
      // A later phase numbers its epochs on from where the last ended.
      epochs += try tuner.train(on: train, validation: validation, after: epochs.last?.epoch ?? 0, progress: progress)
      // The zeroed groups (RMS exactly 0) become layout: removed filters, absent crossbars.
      let (pruned, r) = try CompressionPipeline.run(tuner.model,
                                                    steps: [CompressorRegistry.compressor("\(kind):threshold=1e-30")],
                                                    context: context)
      m = pruned
      records += r
    }
    return (m, records, epochs)
  }
}
