import CrossbarSim

// MARK: - One run, described once

/// Everything that describes one run, each setting with its default, type and help declared
/// once, here. The run file's keys, the flags (`--single-array` for `singleArray`), sweep grid keys
/// and compare variants are all overrides on the tree of `RunSetup()` (see `RunSetup+Tree.swift`),
/// and `config.yaml` is its encoding; a new run option is one more `@Setting` property.
public struct RunSetup: Codable, Sendable, Equatable {
  /// Format version of run files.
  public var version = 1

  @Setting("A built-in workload (see `simrun workloads`), a NeuroSim NetWork_*.csv file or an ONNX model (.onnx, its " +
      "weights come with it).",
           value: "NAME|FILE", aliases: ["model"])
  public var workload = "resnet20"

  @Setting("The chip: a preset (isaac, isaac-8bit) or a YAML/JSON arch file; in a run file also an arch mapping " +
      "inline.",
           value: "PRESET|FILE")
  public var arch = ArchSource.named("isaac-8bit")

  @Setting("Override an arch field, e.g. ima.adc.countPerCrossbar=2 (repeatable, applied in order).",
           value: "PATH=VALUE")
  public var set: [String] = []

  @Setting("Weights for compression: .npz, .npy or a folder of .npy. [default: the model's own, else seeded " +
      "synthetic weights]",
           value: "FILE")
  public var weights: String? = nil

  @Setting("Seed of the synthetic weights.", value: "N")
  public var seed: UInt64 = 1

  @Setting("Mapper kind, with options (see `simrun map --help`).", value: "KIND[:KEY=VALUE,...]")
  public var mapper = PluginSpec(kind: "im2col")

  @Setting("Compressor step (repeatable, applied in order; kinds and options: `simrun compressors`).",
           value: "KIND[:KEY=VALUE,...]")
  public var compress: [PluginSpec] = []

  @Setting("Replace K x K convs by low-rank pairs (shapes only, no weights): rank=R[,groups=G][,pointwise=true].",
           value: "OPTIONS")
  public var factorize: String? = nil

  @Setting("Layer by layer, or the ISAAC inter-layer pipeline.", value: "layer|pipeline")
  public var schedule = Schedule.pipeline

  @Setting("Images fed back to back through the network (throughput: imagesPerSecond).", value: "N", in: 1...1_000_000)
  public var images = 1

  @Setting("Weight replication: none, auto (balance the pipeline on the chip), auto:crossbars=N, auto:tiles=N, or " +
      "LAYER=k,...",
           value: "PLAN")
  public var replicate = "none"

  @Setting("Where layers start on the chip: ima (each on a fresh IMA, ISAAC), crossbar (small layers share IMAs), " +
      "router (each on a fresh router group while the rest fits), or auto (the faster of ima and crossbar by the " +
      "replication planner's estimate; ima on a tie).", value: "auto|ima|crossbar|router")
  public var placement = PlacementPolicy.auto

  @Setting("Run a model larger than the chip in rounds that reprogram the crossbars.")
  public var rounds = false

  @Setting("Run every tile of a layer on one array, one after another (the reuse computing cycles assume).")
  public var singleArray = false

  @Setting("Labelled images (.npz with x: N x C x H x W float32, y: N int64): also run the network functionally " +
      "(float, quantized, crossbar, crossbar+noise when device.* is set) and write accuracy.csv.",
           value: "FILE", aliases: ["data"])
  public var eval: String? = nil

  @Setting("Images (.npz with x) whose float activations set the quantized formats. [default: the first 128 --eval " +
      "images]",
           value: "FILE")
  public var calibration: String? = nil

  @Setting("Calibration images used: the first N of --calibration (or of --eval without it). [default: all of " +
      "--calibration, else 128]",
           value: "N", in: 1...1_000_000)
  public var calibrationImages: Int? = nil

  /// The default run: `resnet20` on `isaac-8bit`, im2col, pipeline, one image.
  public init() {}
}
