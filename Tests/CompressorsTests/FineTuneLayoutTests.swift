import Foundation
import Testing
import CrossbarSim
import Mappers
import Compressors

/// Fine-tuning trains exactly the layout the crossbars hold: pruned weights stay zero, a low-rank
/// pair keeps its shape and rank, a power-of-two scale stays one with every weight on its grid.
@Suite("Fine-tuning keeps the layout")
struct FineTuneLayoutTests {
  static let folder = "\(packageRoot)/Tests/Fixtures/digits"

  /// The digits model and its first 96 training images.
  static func digits() throws -> (CompressedModel, Dataset) {
    let (net, w) = try ONNXImporter.load(path: "\(folder)/digits-cnn.onnx")
    let all = try Dataset.load("\(folder)/digits-train.npz", shape: net.inputShape, classes: 10)
    let n = 96
    return (try CompressedModel(network: net, weights: w), Dataset(x: Array(all.x[0..<(n * 64)]), y: Array(all.y[0..<n])))
  }

  static func compress(_ model: CompressedModel, _ spec: String) throws -> CompressedModel {
    try CompressionPipeline.run(model, steps: [compressor(spec)], context: isaacContext).0
  }

  static func tune(_ model: CompressedModel, _ set: Dataset, seed: UInt64 = 1, lr: Double = 0.01) throws
    -> (CompressedModel, [EpochRecord]) {
    var o = TrainingOptions()
    o.epochs = 1; o.batch = 32; o.seed = seed; o.learningRate = lr
    var tuner = try FineTuner(model, options: o)
    let records = try tuner.train(on: set, validation: nil)
    return (tuner.model, records)
  }

  @Test("crossbar pruning: every pruned weight stays exactly zero, the kept ones train", arguments: [
    "prune-crossbar:ratio=0.5", "prune-rows:ratio=0.4", "prune-pattern:ratio=0.3", "prune-columns:ratio=0.3",
  ])
  func prunedStayZero(_ spec: String) throws {
    let (model, set) = try Self.digits()
    let pruned = try Self.compress(model, spec)
    let (tuned, _) = try Self.tune(pruned, set)
    var zeros = 0, moved = 0
    for (i, state) in pruned.layers.enumerated() {
      guard let keep = state.keep, let before = pruned.weights.layers[i], let after = tuned.weights.layers[i] else {
        continue
      }
      for j in keep.indices {
        if !keep[j] { #expect(after.values[j] == 0); zeros += 1 } else if after.values[j] != before.values[j] {
          moved += 1
        }
      }
    }
    #expect(zeros > 0 && moved > 0, "\(zeros) pruned, \(moved) kept weights moved")
    #expect(tuned.keptParameters == pruned.keptParameters)
  }

  @Test("low rank and group low rank: the network (every factor's shape and rank) is unchanged")
  func lowRankKeepsRank() throws {
    let (model, set) = try Self.digits()
    for spec in ["lowrank:rank=4", "lowrank:rank=2,groups=2"] {
      let factored = try Self.compress(model, spec)
      #expect(factored.network.layers.contains { $0.factor != nil })
      let (tuned, _) = try Self.tune(factored, set)
      #expect(tuned.network == factored.network)
      for (a, b) in zip(tuned.weights.layers, factored.weights.layers) { #expect(a?.values.count == b?.values.count) }
      #expect(tuned.weights != factored.weights)
    }
  }

  @Test("quant-pow2 and quant-fp: the scale is unchanged (a power of two stays one) and every weight is on its grid")
  func quantizedStayOnGrid() throws {
    let (model, set) = try Self.digits()
    for spec in ["quant-pow2", "quant-fp", "quant-pow2:bits=4"] {
      let q = try Self.compress(model, spec)
      let (tuned, _) = try Self.tune(q, set)
      #expect(tuned.weights != q.weights)
      for (i, state) in q.layers.enumerated() {
        guard let grid = state.quantized, let w = tuned.weights.layers[i] else { continue }
        #expect(tuned.layers[i].quantized == grid)
        if let e = grid.scaleExponent { #expect(grid.scale == pow(2.0, Double(e))) }
        let levels = (1 << grid.bits) - 1
        // On the grid: the value is exactly the Float of scale x an integer level in range.
        let off = w.values.filter { v in
          let k = (Double(v) / grid.scale).rounded()
          return Float(grid.scale * k) != v || k + Double(grid.zeroPoint) < 0 ||
            k + Double(grid.zeroPoint) > Double(levels)
        }
        #expect(off.isEmpty, "\(spec): \(off.count) weights off the grid, e.g. \(off.prefix(3))")
        // The crossbar path recovers the same integers the weights stand for.
        #expect(grid.stored(w.values).allSatisfy { (0...levels).contains($0) })
      }
    }
  }

  @Test("the same seed gives the same bytes; another seed another model")
  func deterministic() throws {
    let (model, set) = try Self.digits()
    let (a, ra) = try Self.tune(model, set, seed: 5)
    let (b, rb) = try Self.tune(model, set, seed: 5)
    let (c, _) = try Self.tune(model, set, seed: 6)
    #expect(a.weights == b.weights && ra == rb.map { var r = $0; r.seconds = ra[r.epoch].seconds; return r })
    #expect(a.weights != c.weights)
  }

  @Test("a learning rate that makes the loss NaN stops with the epoch and batch, and leaves the model as it was")
  func divergence() throws {
    let (model, set) = try Self.digits()
    var o = TrainingOptions()
    o.epochs = 2; o.learningRate = 1e12
    var tuner = try FineTuner(model, options: o)
    #expect { try tuner.train(on: set, validation: nil) } throws: { e in
      "\(e)".contains("epoch 1, batch") && "\(e)".contains("No model was written")
    }
    #expect(tuner.model.weights == model.weights)
  }
}

/// The free-tile SDK layout computes what im2col computes (bit-accurate crossbar path).
@Suite("Free-tile SDK, functionally")
struct FreeTileSDKFunctionalTests {
  @Test("a rank-4 digits model: R factors laid out by free-tile SDK (n > 1, more row tiles) give im2col's outputs")
  func sameOutputs() throws {
    let (model, set) = try FineTuneLayoutTests.digits()
    let factored = try FineTuneLayoutTests.compress(model, "lowrank:rank=4")
    let spec = try ArchSpec.preset(named: "isaac-8bit")
    let g = ArrayGeometry(spec)
    let free = try factored.layout(mapper: LowRankMapper(options: ["base": "sdk-free"]), geometry: g)
    let plain = try factored.layout(mapper: Im2colMapper(), geometry: g)
    // The R factors do get duplicated kernels here.
    #expect(free.layouts.compactMap { $0 }.contains { $0.outputsPerWindowY > 1 })
    let x = Array(set.x[0..<(16 * 64)])
    let calib = try FloatInference(network: factored.network, weights: factored.weights).run(x, images: 16)
    func run(_ layout: NetworkLayout) throws -> [[Float]] {
      try IntegerInference(model: factored, spec: spec, calibrationInput: x, calibration: calib,
                           products: .crossbar(layout, spec)).run(x, images: 16)
    }
    #expect(try run(free) == run(plain))
  }
}
