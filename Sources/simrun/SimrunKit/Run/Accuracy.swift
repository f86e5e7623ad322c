import CrossbarSim
import Foundation

// MARK: - Accuracy of a run's layouts on labelled images

/// Labelled images and the calibration images of a run, loaded once for its network.
public struct EvaluationData: Sendable {
  /// The labelled images.
  public let set: Dataset
  /// The images whose float activations set the quantized formats.
  public let calibration: Dataset

  /// Loads the labelled and calibration images `setup` names (nil when it evaluates nothing) for `network`.
  public init?(for setup: RunSetup, network net: Network) throws {
    guard let data = setup.eval else { return nil }
    try self.init(data: data, calibration: setup.calibration, images: setup.calibrationImages, network: net)
  }

  /// Whether `a` and `b` evaluate on the same images (so one loaded set serves both).
  public static func sameImages(_ a: RunSetup, _ b: RunSetup) -> Bool {
    a.eval == b.eval && a.calibration == b.calibration && a.calibrationImages == b.calibrationImages
  }

  /// Loads `data` and the first `images` of `calibration` (by default all of it, or without it
  /// the first 128 images of `data`) for `network`.
  init(data: String, calibration: String?, images: Int?, network net: Network) throws {
    set = try Dataset.load(data, shape: net.inputShape, classes: net.classes)
    let from = try calibration.map {
      try Dataset.load($0, shape: net.inputShape, classes: Int.max, labelled: false)
    } ?? set
    let n = min(images ?? (calibration == nil ? 128 : from.images), from.images)
    self.calibration = n == from.images ? from : Dataset(x: Array(from.x[0..<(n * net.inputShape.elements)]),
                                                         y: Array(from.y[0..<n]))
  }
}

/// A run's accuracy: per path (float, quantized, crossbar, crossbar+noise) and per layer.
public struct AccuracyReport: Sendable {
  /// `accuracy.csv`'s rows.
  public var rows: [AccuracyRow]
  /// `accuracy-layers.csv`'s rows.
  public var layers: [LayerError]

  /// Evaluates the compressed model of `bench` on `data` through its layouts on `spec`.
  public init(bench: Workbench, spec: ArchSpec, data: EvaluationData, progress: ((String) -> Void)? = nil) throws {
    guard let original = bench.original, let compressed = bench.model ?? bench.original else {
      throw InputError("--eval needs weights: give an .onnx model (--model) or --weights")
    }
    (rows, layers) = try Evaluation.run(original: original, compressed: compressed, layout: bench.layout, spec: spec,
                                        data: data.set, calibration: data.calibration, progress: progress)
  }

  /// Top-1 through the crossbars (the figure compare and sweeps report).
  public var crossbarTop1: Double? { rows.first { $0.scope == "crossbar" }?.top1 }

  /// `accuracy.csv`.
  public var csv: String {
    var t = CSVTable(header: ["scope", "images", "top1", "agreementWithFloat"])
    for r in rows { t.append([r.scope, "\(r.images)", StatNode.number(r.top1), StatNode.number(r.agreementWithFloat)]) }
    return t.text
  }

  /// `accuracy-layers.csv`.
  public var layersCSV: String {
    var t = CSVTable(header: ["layer", "scope", "relativeError"])
    for l in layers { t.append([l.layer, l.scope, StatNode.number(l.relativeError)]) }
    return t.text
  }

  /// The terminal table.
  public var table: String {
    var t = TextTable(header: ["scope", "images", "top-1", "agrees with float"], leftColumns: 1)
    for r in rows {
      t.rows.append([r.scope, "\(r.images)", String(format: "%.2f %%", 100 * r.top1),
                     String(format: "%.2f %%", 100 * r.agreementWithFloat)])
    }
    return t.render()
  }
}
