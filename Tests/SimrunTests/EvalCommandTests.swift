import Foundation
import Testing
@testable import CrossbarSim

let digits = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Fixtures/digits").path

@Suite("simrun eval")
struct EvalCommandTests {
  /// The first `n` held-out digits as an .npz.
  func subset(_ n: Int) throws -> String {
    let all = try WeightFile.arrays(at: "\(digits)/digits-test.npz")
    let x = all.first { $0.name == "x" }!.array, y = all.first { $0.name == "y" }!.array
    let path = "\(temporaryDirectory())/digits-\(n).npz"
    try WeightFile.writeNPZ([("x", NumPyArray(shape: [n, 1, 8, 8], values: Array(x.values[0..<(n * 64)]))),
                             ("y", NumPyArray(shape: [n], values: Array(y.values[0..<n])))], to: path)
    return path
  }

  @Test("writes accuracy.csv (float, float+input-codes, quantized, crossbar, crossbar+noise) and per-layer errors; low-rank and pruning at one budget differ")
  func accuracyFiles() throws {
    let data = try subset(40)
    let out = temporaryDirectory()
    let common = ["eval", "--model", "\(digits)/digits-cnn.onnx", "--data", data, "--calibration", "\(digits)/digits-calib.npz", "--quiet"]
    let r = try runBinary(common + ["--set", "device.programmingSigma=0.1", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let csv = try String(contentsOfFile: "\(out)/accuracy.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv[0] == "scope,images,top1,agreementWithFloat")
    #expect(csv.dropFirst().map { $0.split(separator: ",")[0] } == ["float", "float+input-codes", "quantized", "crossbar",
                                                               "crossbar+noise"])
    #expect(csv[1].hasPrefix("float,40,"))
    let layers = try String(contentsOfFile: "\(out)/accuracy-layers.csv", encoding: .utf8).split(separator: "\n")
    #expect(layers[0] == "layer,scope,relativeError" && layers.count == 1 + 8 * 4)
    // Not a terminal: progress (only past 2 s) comes as whole lines naming the phase, never redrawn in place.
    #expect(!r.stderr.contains("\r") && r.stderr.split(separator: "\n").allSatisfy { !$0.hasPrefix("eval:") ||
      $0.hasPrefix("eval: arch") || $0.hasPrefix("eval: workload") || $0.hasPrefix("eval: weights") ||
      $0.hasPrefix("eval: compression") || $0.hasPrefix("eval: mapping") || $0.hasPrefix("eval: placement") ||
      $0.hasPrefix("eval: simulation") || $0.hasPrefix("eval: evaluation") || $0.hasPrefix("eval: writing") },
      "\(r.stderr)")
    func crossbarTop1(_ args: [String]) throws -> String {
      let o = temporaryDirectory()
      let r = try runBinary(common + args + ["--out", o])
      #expect(r.status == 0, "\(r.stderr)")
      return String(try String(contentsOfFile: "\(o)/accuracy.csv", encoding: .utf8).split(separator: "\n")[4])
    }
    let lowrank = try crossbarTop1(["--compress", "lowrank:params=26000", "--mapper", "lowrank:base=sdk"])
    let pruned = try crossbarTop1(["--compress", "prune-rows:params=26000", "--mapper", "sdk"])
    #expect(lowrank != pruned)
  }

  @Test("a workload without weights, or images that do not fit, are clear errors")
  func errors() throws {
    let r = try runBinary(["eval", "--workload", "resnet20", "--data", "\(digits)/digits-test.npz", "--out", temporaryDirectory()])
    #expect(r.status != 0 && r.stderr.contains("--eval needs weights"))
    let s = try runBinary(["eval", "--workload", "digits-cnn", "--weights", "\(digits)/digits-cnn-weights.npz",
                           "--data", "\(digits)/digits-cnn-weights.npz", "--out", temporaryDirectory()])
    #expect(s.status != 0 && s.stderr.contains("no array 'x'"))
  }
}
