import ArgumentParser
import CrossbarSim
import Foundation

/// `simrun eval`: accuracy of a layout next to its cost.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Run a model on labelled images in float, quantized and through its crossbar layout (bit-sliced, ADC, device model); write accuracy.csv with the run folder.")

  @Option(help: "Labelled images (.npz with x: N x C x H x W float32, y: N int64).")
  var data: String

  @OptionGroup var options: RunCommand

  func validate() throws {
    guard options.eval == nil else { throw ValidationError("give the images with --data") }
  }

  func run() throws {
    var r = options
    r.eval = data
    try r.run()
  }
}

/// Accuracy rows and tables for a run folder.
enum Accuracy {
  static func evaluate(bench: Workbench, spec: ArchSpec, data: String, calibration: String?) throws -> (csv: String, layers: String, table: String) {
    guard let original = bench.original, let compressed = bench.model ?? bench.original else {
      throw InputError("--eval needs weights: give an .onnx model (--model) or --weights")
    }
    let net = original.network
    let sink = net.consumers().enumerated().first { $0.element.isEmpty }.map(\.offset) ?? net.layers.count - 1
    let set = try Dataset.load(data, shape: net.inputShape, classes: net.layers[sink].outputShape.elements)
    var calib = try calibration.map { try Dataset.load($0, shape: net.inputShape, classes: Int.max) }
    if calib == nil {
      let n = min(128, set.images)
      calib = Dataset(x: Array(set.x[0..<(n * net.inputShape.elements)]), y: Array(set.y[0..<n]))
    }
    let isTerminal = isatty(2) != 0
    let (rows, layers) = try Evaluation.run(original: original, compressed: compressed, layout: bench.layout, spec: spec,
                                            data: set, calibration: calib!, progress: { line in
      FileHandle.standardError.write(Data((isTerminal ? "\r\(line)" : "\(line)\n").utf8))
    })
    if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    var csv = CSVTable(header: ["scope", "images", "top1", "agreementWithFloat"])
    var t = TextTable(header: ["scope", "images", "top-1", "agrees with float"], leftColumns: 1)
    for r in rows {
      csv.append([r.scope, "\(r.images)", StatNode.number(r.top1), StatNode.number(r.agreementWithFloat)])
      t.rows.append([r.scope, "\(r.images)", String(format: "%.2f %%", 100 * r.top1), String(format: "%.2f %%", 100 * r.agreementWithFloat)])
    }
    var lcsv = CSVTable(header: ["layer", "scope", "relativeError"])
    for l in layers { lcsv.append([l.layer, l.scope, StatNode.number(l.relativeError)]) }
    return (csv.text, lcsv.text, t.render())
  }
}
