import CrossbarSim
import Foundation
import SimrunKit

/// `simrun bench --training NAME|MODEL [--training-data FILE.npz]`: training speed.
enum TrainingBenchCommand {
  static func run(_ workload: String, data: String?, batch: Int, repeats: Int) throws {
    guard (1...4096).contains(batch) else { throw InputError("--training-batch \(batch): must be in 1...4096") }
    let (net, given) = try BuiltinWorkloads.loadWithWeights(workload)
    let weights = given ?? .heNormal(for: net, seed: 1)
    let model = try CompressedModel(network: net, weights: weights)
    let classes = net.classes
    let set: Dataset
    if let data {
      set = try Dataset.load(data, shape: net.inputShape, classes: classes)
    } else {
      var rng = SeededGenerator(seed: 7)
      let n = 1024
      set = Dataset(x: (0..<(n * net.inputShape.elements)).map { _ in Float(rng.uniform()) },
                    y: (0..<n).map { _ in Int(rng.next() % UInt64(classes)) })
    }
    let t = try TrainingTimes.measure(model, set: set, batch: batch, repeats: repeats)
    print(String(format: "training: %@, batch %d: forward %.2f ms, backward %.2f ms (%.2fx forward); one epoch of " +
        "%d images %.3f s (%.0f images/s)", net.name, batch, t.forward * 1e3, t.backward * 1e3, t.backward / t.forward,
                 t.images, t.epoch, Double(t.images) / t.epoch))
  }
}
