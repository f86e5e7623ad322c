import ArgumentParser
import CrossbarSim
import Foundation
import SimrunKit

/// `simrun finetune`: compress a model, fine-tune the layout its crossbars will hold, re-evaluate.
struct FineTuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "finetune",
    abstract: "Compress a model, fine-tune the layout its crossbars will hold (pruned weights stay zero, low-rank " +
        "factors train as two layers, quantized weights stay on their grid), and measure top-1 before and after.",
    usage: "simrun finetune --model M.onnx --train TRAIN.npz [--val VAL.npz] [--compress ...] [--epochs N --lr X " +
        "--batch B ...] [--out DIR]",
    discussion: RunOptions.discussion("""
      Writes training.csv (per epoch: loss, train and validation top-1, learning rate; the same bytes for the same \
      seed), training-time.csv, training.svg (learning curve), weights.npz (the fine-tuned weights, named \
      LAYER.weight and LAYER.bias), model.onnx (the fine-tuned network, low-rank pairs as two convolutions: \
      accepted by --model), and with --val accuracy-before.csv and accuracy.csv (float, quantized and \
      crossbar top-1 before and after). Training runs in single precision on one core, BatchNorm folded into its \
      convolution. Progress goes to standard error.
      """, except: ["eval"]))

  @OptionGroup var options: RunOptions

  @Option(help: ArgumentHelp("Training images (.npz with x: N x C x H x W float32, y: N int64), as compare " +
      "--train takes them."))
  var train: String?

  @Option(help: ArgumentHelp("The training images under their earlier name (elsewhere --data names test images: " +
      "prefer --train).", visibility: .hidden))
  var data: String?

  @Option(help: ArgumentHelp("Validation images (.npz): top-1 after every epoch, and float, quantized and crossbar " +
      "top-1 before and after."))
  var val: String?

  @Option(help: "Passes over the training images.") var epochs = 10
  @Option(help: "Images per mini-batch.") var batch = 32
  @Option(help: "Base learning rate.") var lr = 0.01
  @Option(help: "sgd (with momentum) or adam.") var optimizer = "sgd"
  @Option(help: "SGD momentum.") var momentum = 0.9
  @Option(help: "L2 weight decay on the weights (not the biases).") var weightDecay = 5e-4
  @Option(help: "Learning-rate schedule: cosine, constant, or step:EVERY:FACTOR (e.g. step:3:0.1).")
  var lrSchedule = "cosine"
  @Option(help: "Seed of the shuffling (and of the initial weights with --from-scratch).", transform: parseSeed)
  var trainSeed: UInt64 = 1
  @Flag(help: "Train from He-normal initial weights instead of the model's (no --compress).")
  var fromScratch = false

  @Option(help: ArgumentHelp("Prune while training, as [XA]'s Algorithm 1: kernelGroups=R (phase 1: learnable " +
      "kernel-group scales with an L1 penalty, the weakest zeroed every two epochs, then removed), crossbars=R " +
      "(phase 2: the same per crossbar block), penalty=P (default 1e-4), start=S (first pruning epoch of a phase; " +
      "default half the epochs plus one). Each phase runs --epochs; --compress then applies to the pruned model, " +
      "which trains --epochs more."))
  var xaPrune: String?

  @Flag(help: ArgumentHelp("Noise-aware training: every batch computes with weights perturbed as the chip's cells " +
      "are (device.programmingSigma, set with --set; eval then measures crossbar+noise)."))
  var noiseAware = false

  @Flag(help: "Print only where the files went (no per-epoch progress, no tables).")
  var quiet = false

  @Option(help: "Output folder. [default: runs/finetune-NETWORK]")
  var out: String?

  static let ownFlags = ["config", "data", "train", "val", "epochs", "batch", "lr", "optimizer", "momentum",
                         "weight-decay", "lr-schedule", "train-seed", "from-scratch", "xa-prune", "noise-aware", "out",
                         "quiet"]

  func run() throws {
    Functional.useSingleThreadedBLAS()
    var setup = try options.setup(commandFlags: Self.ownFlags)
    if let val { setup.eval = val }
    var o = TrainingOptions()
    o.epochs = epochs; o.batch = batch; o.learningRate = lr; o.momentum = momentum; o.weightDecay = weightDecay
    o.seed = trainSeed
    guard let kind = OptimizerKind(rawValue: optimizer) else {
      throw ValidationError("--optimizer \(optimizer): use sgd or adam")
    }
    o.optimizer = kind
    o.schedule = try LearningRateSchedule(parsing: lrSchedule, source: "--lr-schedule")
    let trainingImages: String
    switch (train, data) {
    case (let t?, nil): trainingImages = t
    case (nil, let d?):
      trainingImages = d
      note("note: finetune --data is the training set; it is called --train here as in compare (in run, eval and " +
          "compare --data names labelled test images)")
    case (nil, nil): throw InputError("finetune needs the training images: give --train FILE.npz")
    case (_?, _?): throw InputError("--train and --data both name the training images; give only --train")
    }
    var job = FineTuneJob(setup: setup, train: trainingImages, options: o, fromScratch: fromScratch)
    job.xa = try xaPrune.map { try XAPruning(parsing: $0, source: "--xa-prune") }
    job.noiseAware = noiseAware
    let outcome = try job.run { if !quiet { note($0) } }
    let dir = out ?? "runs/finetune-\(outcome.bench.network.name)"
    let folder = try RunFolder(dir, files: FineTuneOutputs.names)
    do {
      let files = try OutputFile.texts(FineTuneOutputs.files, for: outcome)
      try folder.write(files)
      let tuned = outcome.bench.model!
      try FineTuneOutputs.weightsNPZ(tuned, to: "\(folder.staging)/weights.npz")
      try ONNXExporter.write(network: tuned.network, weights: tuned.weights, to: "\(folder.staging)/model.onnx")
      try folder.commit()
      if !quiet {
        if let before = outcome.before { print("before fine-tuning:\n" + before.table, terminator: "") }
        let trained = outcome.records.last?.epoch ?? 0
        if let after = outcome.after { print("after \(trained) epochs:\n" + after.table, terminator: "") }
        if let last = outcome.records.last?.validationTop1 {
          print(String(format: "fine-tuned float top-1 %.2f %%", 100 * last))
        }
      }
      print("wrote \(dir)/{\((files.map(\.0) + ["weights.npz", "model.onnx"]).joined(separator: ","))}")
    } catch {
      folder.discard()
      throw error
    }
  }
}
