import CrossbarSim
import Foundation

// MARK: - The files of a fine-tuning folder (`simrun finetune`)

/// The files a fine-tuning run writes, in the order they are listed. `weights.npz` (written by
/// `FineTuneOutputs.weightsNPZ`) and `model.onnx` (`ONNXExporter`) are binary.
public enum FineTuneOutputs {
  static let by = ["finetune"]

  /// Every text file a fine-tuning folder may hold.
  public static let files: [OutputFile<FineTuneJob.Outcome>] = [
    OutputFile("training.csv", by: by, about: "per epoch (0: as compressed): mean loss, train and validation top-1, " +
        "learning rate; the same bytes for the same seed") { o in
      var t = CSVTable(header: ["epoch", "loss", "trainTop1", "validationTop1", "learningRate"])
      for r in o.records {
        t.append(["\(r.epoch)", StatNode.number(r.loss), StatNode.number(r.trainTop1),
                  r.validationTop1.map(StatNode.number) ?? "", StatNode.number(r.learningRate)])
      }
      return t.text
    },
    OutputFile("training-time.csv", by: by, about: "wall-clock seconds per epoch (kept apart from training.csv, " +
        "which is deterministic)") { o in
      var t = CSVTable(header: ["epoch", "seconds"])
      for r in o.records.dropFirst() { t.append(["\(r.epoch)", String(format: "%.3f", r.seconds)]) }
      return t.text
    },
    OutputFile("training.svg", by: by, about: "learning curve: top-1 on the training images during each epoch and " +
        "on the validation images after it") { o in
      var series: [(name: String, points: [(Double, Double)], line: Bool)] = [
        ("train", o.records.dropFirst().map { (Double($0.epoch), 100 * $0.trainTop1) }, true),
      ]
      let val = o.records.compactMap { r in r.validationTop1.map { (Double(r.epoch), 100 * $0) } }
      if !val.isEmpty { series.append(("validation", val, true)) }
      return SVGChart.scatter(title: "\(o.bench.network.name), \(o.description): top-1 per epoch",
                              xLabel: "epoch", yLabel: "top-1 [%]", series: series)
    },
    OutputFile("compression.csv", by: by, about: "with compression: per step and layer, rank, kept ratio, crossbars, " +
        "tables, error (before fine-tuning)") { o in
      o.bench.records.isEmpty ? nil : o.bench.compressionCSV
    },
    OutputFile("accuracy-before.csv", by: by, about: "with validation images: top-1 per path before fine-tuning " +
        "(float is the model as given)") { $0.before?.csv },
    OutputFile("accuracy.csv", by: by, about: "with validation images: top-1 per path after fine-tuning (float is " +
        "the model as given; the fine-tuned float top-1 is training.csv's last validationTop1)") { $0.after?.csv },
  ]

  /// Every file name, the binary `weights.npz` and `model.onnx` included.
  public static let names = Set(files.map(\.name) + ["weights.npz", "model.onnx"])

  /// `weights.npz`: the fine-tuned weights, `LAYER.weight` (`[OC, IC/g, K_h, K_w]` or
  /// `[out, in]`) and `LAYER.bias` per matrix layer of the trained network, as `--weights` reads them.
  public static func weightsNPZ(_ model: CompressedModel, to path: String) throws {
    var arrays: [(name: String, array: NumPyArray)] = []
    for (l, w) in zip(model.network.layers, model.weights.layers) {
      guard let w else { continue }
      let shape: [Int]
      if case .conv(let c) = l.operation {
        shape = [c.outChannels, l.inputShape.channels / c.groups, c.kernelHeight, c.kernelWidth]
      } else {
        shape = [w.outputs, w.inputs]
      }
      arrays.append((l.name + ".weight", NumPyArray(shape: shape, values: w.values)))
      if let b = w.bias { arrays.append((l.name + ".bias", NumPyArray(shape: [b.count], values: b))) }
    }
    try WeightFile.writeNPZ(arrays, to: path)
  }
}
