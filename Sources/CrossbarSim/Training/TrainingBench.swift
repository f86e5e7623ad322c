import Foundation

// MARK: - Training speed figures (`simrun bench --training`)

/// Times of training steps on one network: forward alone, forward and backward, and a whole
/// epoch of steps (optimizer included), best of `repeats`.
public struct TrainingTimes: Sendable {
  /// Seconds of one forward pass over a batch.
  public var forward: Double
  /// Seconds of the backward pass over a batch, from a kept forward pass.
  public var backward: Double
  /// Seconds of one epoch of `images` images.
  public var epoch: Double
  /// Images of the epoch.
  public var images: Int

  /// Measures `model` training on `set` (its first `images` images, whole batches of `batch`).
  public static func measure(_ model: CompressedModel, set: Dataset, batch: Int, repeats: Int) throws -> TrainingTimes {
    let graph = TrainingGraph<Float>(network: model.network)
    let elements = model.network.inputShape.elements
    let p = TrainableParameters<Float>(model.weights)
    let n = min(batch, set.images)
    let x = Array(set.x[0..<(n * elements)]), y = Array(set.y[0..<n])
    let watch = Stopwatch(repeats: repeats)
    func best(_ body: () throws -> Void) rethrows -> Double { try watch.best(body) }
    let forward = best { _ = graph.tape(x, images: n, p) }
    // The backward pass timed on its own, from one forward pass's tape.
    let tape = graph.tape(x, images: n, p)
    let d = SoftmaxCrossEntropy.evaluate(tape.outputs[graph.sink], labels: y, classes: graph.classes).gradient
    let backward = best { _ = graph.backward(x, images: n, tape: tape, dLogits: d, p) }
    var options = TrainingOptions()
    options.epochs = 1; options.batch = batch
    options.learningRate = 1e-6   // timing only: built-in workloads have no activations and diverge at real rates
    var tuner = try FineTuner(model, options: options)
    let epoch = try best { _ = try tuner.trainEpochs(on: set) }
    return TrainingTimes(forward: forward, backward: backward, epoch: epoch, images: set.images)
  }
}
