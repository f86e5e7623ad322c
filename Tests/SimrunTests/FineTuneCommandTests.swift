import Foundation
import Testing
@testable import CrossbarSim

@Suite("simrun finetune")
struct FineTuneCommandTests {
  /// Images `range` of a digits split as an .npz (labels replaced by `labels` when given).
  func slice(_ split: String, _ range: Range<Int>, labels: [Float]? = nil) throws -> String {
    let all = try WeightFile.arrays(at: "\(digits)/digits-\(split).npz")
    let x = all.first { $0.name == "x" }!.array, y = all.first { $0.name == "y" }!.array
    let path = "\(temporaryDirectory())/digits-\(split)-\(range.count).npz"
    try WeightFile.writeNPZ([
      ("x", NumPyArray(shape: [range.count, 1, 8, 8], values: Array(x.values[(range.lowerBound * 64)..<(range.upperBound * 64)]))),
      ("y", NumPyArray(shape: [range.count], values: labels ?? Array(y.values[range]))),
    ], to: path)
    return path
  }

  @Test("crossbar pruning recovers: training.csv per epoch, the same bytes twice, accuracy before and after, weights that load")
  func recovers() throws {
    let train = try slice("train", 0..<400), val = try slice("test", 0..<120)
    let args = ["finetune", "--model", "\(digits)/digits-cnn.onnx", "--train", train, "--val", val,
                "--compress", "prune-crossbar:params=17312,fit=nearest", "--epochs", "2", "--lr", "0.02"]
    let a = temporaryDirectory(), b = temporaryDirectory()
    let r = try runBinary(args + ["--out", a])
    #expect(r.status == 0, "\(r.stderr)")
    _ = try runBinary(args + ["--out", b])
    for f in ["training.csv", "weights.npz", "model.onnx", "accuracy.csv"] {
      #expect(FileManager.default.contentsEqual(atPath: "\(a)/\(f)", andPath: "\(b)/\(f)"), "\(f) differs between runs")
    }
    let rows = try String(contentsOfFile: "\(a)/training.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    #expect(rows[0] == ["epoch", "loss", "trainTop1", "validationTop1", "learningRate"])
    #expect(rows.count == 4 && rows.dropFirst().map { $0[0] } == ["0", "1", "2"])
    let before = Double(rows[1][3])!, after = Double(rows[3][3])!
    #expect(after > before + 0.2, "validation top-1 \(before) -> \(after)")
    func crossbar(_ file: String) throws -> Double {
      let lines = try String(contentsOfFile: "\(a)/\(file)", encoding: .utf8).split(separator: "\n")
      return Double(lines.first { $0.hasPrefix("crossbar,") }!.split(separator: ",")[2])!
    }
    #expect(try crossbar("accuracy.csv") > crossbar("accuracy-before.csv") + 0.2)
    // The weights load for the network; the crossbars pruning emptied are still empty.
    let (net, _) = try ONNXImporter.load(path: "\(digits)/digits-cnn.onnx")
    let w = try WeightFile.load("\(a)/weights.npz", for: net)
    #expect(w.layers.compactMap { $0 }.map(\.nonzeros).reduce(0, +) <= 17312)
    #expect(r.stdout.contains("after 2 epochs:"))
    // model.onnx holds the same fine-tuned network.
    let (back, wb) = try ONNXImporter.load(path: "\(a)/model.onnx")
    #expect(back.layers.map(\.operation) == net.layers.map(\.operation) && wb == w)
  }

  @Test("compare --finetune: every configuration with top1Before and top1After")
  func compareColumns() throws {
    let train = try slice("train", 0..<300), test = try slice("test", 0..<100)
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--model", "\(digits)/digits-cnn.onnx", "--data", test, "--train", train,
                           "--finetune", "epochs=1,lr=0.02", "--no-defaults", "--variant", "pc=--compress prune-crossbar:params=17312,fit=nearest",
                           "--variant", "q=--compress quant-pow2", "--match", "none", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: "\(out)/compare.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    let before = lines[0].firstIndex(of: "top1Before")!, after = lines[0].firstIndex(of: "top1After")!
    let top1 = lines[0].firstIndex(of: "top1")!
    #expect(Double(lines[1][after])! > Double(lines[1][before])! + 0.2)
    #expect(lines[1][top1] == lines[1][after])
    #expect(r.stdout.contains("top-1 before") && r.stdout.contains("top-1 after"))
  }

  @Test("--xa-prune: kernel groups, then crossbar blocks, zeroed in training become removed filters and absent crossbars")
  func xaPhases() throws {
    let out = temporaryDirectory()
    let r = try runBinary(["finetune", "--model", "\(digits)/digits-cnn.onnx", "--train", try slice("train", 0..<200),
                           "--xa-prune", "kernelGroups=0.5,crossbars=0.5", "--epochs", "2", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let csv = try String(contentsOfFile: "\(out)/compression.csv", encoding: .utf8)
    // conv4 is the one layer whose filters reach only a matrix layer (the FC, through the pool): 1 of its 2 groups.
    #expect(csv.contains("prune-kernel-group:threshold=1e-30,conv4,,0.5,18432,9216,6,3,"))
    #expect(csv.contains("1 of 3 blocks removed"))
    let epochs = try String(contentsOfFile: "\(out)/training.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(epochs.map { $0.split(separator: ",")[0] } == ["0", "1", "2", "3", "4"])
  }

  @Test("a sweep spec's finetune: every point fine-tuned, top1Before and top1After results, top-1 an objective")
  func sweepFineTune() throws {
    let dir = temporaryDirectory(), train = try slice("train", 0..<200), test = try slice("test", 0..<60)
    let spec = """
      version: 1
      base: {workload: \(digits)/digits-cnn.onnx, eval: \(test), compress: [{kind: prune-crossbar, options: {params: 17312, fit: nearest}}]}
      grid: {arch.ima.adc.bits: [8]}
      finetune: {train: \(train), epochs: 1, lr: 0.02}
      objectives: [energyPerImage, max:top1]
      """
    try spec.write(toFile: "\(dir)/spec.yaml", atomically: true, encoding: .utf8)
    let r = try runBinary(["sweep", "\(dir)/spec.yaml", "--out", "\(dir)/out", "--jobs", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try String(contentsOfFile: "\(dir)/out/results.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    let before = rows[0].firstIndex(of: "top1Before")!, after = rows[0].firstIndex(of: "top1After")!
    #expect(Double(rows[1][after])! > Double(rows[1][before])!)
    try spec.replacingOccurrences(of: "eval: \(test), ", with: "").write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)
    let bad = try runBinary(["sweep", "\(dir)/bad.yaml", "--out", "\(dir)/bad"])
    #expect(bad.status != 0 && bad.stderr.contains("'finetune' needs labelled test images"))
  }

  @Test("compare --match accuracy=A: the fewest weights (by bisection) whose top-1 after fine-tuning reaches A")
  func matchAccuracy() throws {
    let train = try slice("train", 0..<150), test = try slice("test", 0..<60)
    let out = temporaryDirectory()
    let r = try runBinary(["compare", "--model", "\(digits)/digits-cnn.onnx", "--data", test, "--train", train,
                           "--finetune", "epochs=1,lr=0.02", "--no-defaults", "--variant", "lr=--compress lowrank --mapper lowrank:base=sdk",
                           "--variant", "q=--compress quant-pow2", "--match", "accuracy=0.9", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try String(contentsOfFile: "\(out)/compare.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    let col = { (name: String) in rows[0].firstIndex(of: name)! }
    #expect(Double(rows[1][col("top1")])! >= 0.9)
    #expect(Int(rows[1][col("params")])! < 37792 && rows[1][col("budgetNote")].contains("bisection, 6 steps"))
    #expect(rows[2][col("params")] == "37792")   // quantization has no size to search
    let noData = try runBinary(["compare", "--model", "\(digits)/digits-cnn.onnx", "--match", "accuracy=0.9"])
    #expect(noData.status != 0 && noData.stderr.contains("--match accuracy=A needs labelled test images"))
  }

  @Test("bad training input is a clear error and leaves no folder")
  func badInput() throws {
    let model = ["finetune", "--model", "\(digits)/digits-cnn.onnx"]
    let out = temporaryDirectory() + "/never"
    let small = "\(temporaryDirectory())/small.npz"
    try WeightFile.writeNPZ([("x", NumPyArray(shape: [2, 1, 4, 4], values: Array(repeating: 0, count: 32))),
                             ("y", NumPyArray(shape: [2], values: [0, 1]))], to: small)
    let cases: [([String], String)] = [
      (["--data", small], "'x' has shape [2, 1, 4, 4]; the model reads N x 1 x 8 x 8"),
      (["--data", "\(digits)/digits-reference.npz"], "no array 'x'"),
      (["--data", try slice("train", 0..<20, labels: Array(repeating: 10, count: 20))], "label 0 is 10.0; the model has 10 classes"),
      (["--data", try slice("train", 0..<0)], "no images"),
      (["--data", try slice("train", 0..<20), "--lr", "1e30", "--epochs", "1", "--batch", "4"], "epoch 1, batch "),
      (["--data", try slice("train", 0..<20), "--lr-schedule", "step:0:2"], "--lr-schedule step:0:2"),
      (["--data", try slice("train", 0..<20), "--from-scratch", "--compress", "quant-pow2"], "--from-scratch"),
      (["--data", try slice("train", 0..<20), "--noise-aware"], "set it with --set device.programmingSigma=S"),
    ]
    for (args, message) in cases {
      let r = try runBinary(model + args + ["--out", out])
      #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
    let compare = try runBinary(["compare", "--model", "\(digits)/digits-cnn.onnx", "--finetune", "epochs=1", "--out", out])
    #expect(compare.status != 0 && compare.stderr.contains("--train"))
    let xa = try runBinary(model + ["--data", try slice("train", 0..<20), "--xa-prune", "crossbars=1", "--out", out])
    #expect(xa.status != 0 && xa.stderr.contains("--xa-prune crossbars=1: a share in [0, 1)"))
    let keys = try runBinary(["compare", "--model", "\(digits)/digits-cnn.onnx", "--train", "x.npz", "--finetune", "epoch=1"])
    #expect(keys.status != 0 && keys.stderr.contains("unknown key 'epoch'"))
  }
}
