import Foundation

// MARK: - Compression-aware fine-tuning: training the layout the crossbars will hold

/// How to train.
public struct TrainingOptions: Sendable, Equatable {
  /// Passes over the training set.
  public var epochs = 10
  /// Images per mini-batch.
  public var batch = 32
  /// Base learning rate.
  public var learningRate = 0.01
  /// Update rule.
  public var optimizer: OptimizerKind = .sgd
  /// SGD momentum.
  public var momentum = 0.9
  /// L2 weight decay (weights only).
  public var weightDecay = 5e-4
  /// Learning-rate schedule over the epochs.
  public var schedule: LearningRateSchedule = .cosine
  /// Seed of the shuffling.
  public var seed: UInt64 = 1
  /// Default options.
  public init() {}

  /// Checks the ranges: epochs >= 0, batch >= 1, lr > 0, 0 <= momentum < 1, weight decay >= 0.
  public func validate(source: String) throws {
    guard epochs >= 0, batch >= 1, learningRate.isFinite, learningRate > 0, momentum >= 0, momentum < 1,
          weightDecay >= 0, weightDecay.isFinite else {
      throw InputError("\(source): epochs >= 0, batch >= 1, lr > 0, 0 <= momentum < 1, weight decay >= 0 " +
          "(got epochs \(epochs), batch \(batch), lr \(learningRate), momentum \(momentum), weight decay " +
          "\(weightDecay))")
    }
  }
}

/// One row of `training.csv`: what an epoch reached.
public struct EpochRecord: Sendable, Equatable {
  /// 1-based epoch (0: before training).
  public var epoch: Int
  /// Mean training loss over the epoch's batches (before training: over the training set).
  public var loss: Double
  /// Top-1 on the training images as they were classified during the epoch.
  public var trainTop1: Double
  /// Top-1 on the validation set after the epoch (nil without one).
  public var validationTop1: Double?
  /// Learning rate of the epoch.
  public var learningRate: Double
  /// Wall-clock seconds of the epoch's training steps, validation excluded (not part of any
  /// deterministic output).
  public var seconds: Double
}

/// Fine-tunes a compressed model's weights under its layout: masks keep pruned weights at zero,
/// quantized layers train through fake quantization on their fixed grid, factor layers of a
/// low-rank pair train as the two layers they are (their rank is the network's shape).
/// BatchNorm was folded at import and trains as part of its convolution.
public struct FineTuner {
  /// The model being trained.
  public private(set) var model: CompressedModel
  let options: TrainingOptions
  let graph: TrainingGraph<Float>
  let constraints: [LayoutConstraint]
  var latent: TrainableParameters<Float>
  /// [XA]'s learnable group scales, when training prunes.
  var scales: GroupScales<Float>?
  /// Programming variation injected in the forward pass, and each layer's grid.
  let noise: WeightNoise?, noiseGrids: [QuantizedWeights?]

  /// Prepares `model` for training with `options`; with `sparsity`, training also prunes its
  /// groups as [XA]'s Algorithm 1 does.
  /// With `noise`, every batch computes with freshly perturbed weights (noise-aware training).
  public init(_ model: CompressedModel, options: TrainingOptions, sparsity: GroupSparsity? = nil,
              noise: WeightNoise? = nil) throws {
    try noise?.validate()
    self.noise = noise
    noiseGrids = noise?.grids(model) ?? []
    try options.validate(source: "training options")
    self.model = model; self.options = options
    if let sparsity {
      try sparsity.validate(for: model)
      scales = GroupScales(sparsity)
    }
    graph = TrainingGraph(network: model.network)
    constraints = model.layers.map(LayoutConstraint.init)
    latent = TrainableParameters(model.weights)
    for i in latent.weights.indices where latent.weights[i] != nil {
      latent.weights[i] = constraints[i].effective(latent.weights[i]!)
    }
  }

  /// The parameters the network computes with.
  func effective() -> TrainableParameters<Float> {
    var p = latent
    scales?.scale(&p)
    for i in p.weights.indices where p.weights[i] != nil && !constraints[i].isFree {
      p.weights[i] = constraints[i].effective(p.weights[i]!)
    }
    return p
  }

  /// Trains on `train`, reporting each epoch (epoch 0 first: the model as compressed); on return
  /// `model` holds the fine-tuned weights. Training that continues an earlier one (a later phase)
  /// gives `after` its last epoch: epochs are then numbered on from it and epoch 0 is not repeated.
  /// A loss that stops being finite is an error naming the epoch and batch, and leaves `model` as
  /// it was.
  public mutating func train(on train: Dataset, validation: Dataset?, after firstEpoch: Int = 0,
                             progress: ((EpochRecord) -> Void)? = nil) throws -> [EpochRecord] {
    try self.train(on: train, validation: validation, after: firstEpoch, scoreStart: firstEpoch == 0,
                   progress: progress)
  }

  mutating func train(on train: Dataset, validation: Dataset?, after firstEpoch: Int, scoreStart: Bool,
                      progress: ((EpochRecord) -> Void)? = nil) throws -> [EpochRecord] {
    let elements = model.network.inputShape.elements
    var optimizer = Optimizer<Float>(kind: options.optimizer, momentum: options.momentum,
                                     weightDecay: options.weightDecay, shapedLike: latent)
    var rng = SeededGenerator(seed: options.seed)
    var noiseRNG = SeededGenerator(seed: noise?.seed ?? 0)
    var order = Array(0..<train.images)
    var records: [EpochRecord] = []
    if scoreStart {
      let initial = score(train, elements: elements)
      records.append(EpochRecord(epoch: 0, loss: initial.loss, trainTop1: initial.top1,
                                 validationTop1: validation.map { score($0, elements: elements).top1 },
                                 learningRate: 0, seconds: 0))
      progress?(records[0])
    }
    for epoch in 0..<options.epochs {
      let began = Date()
      let lr = options.schedule.rate(options.learningRate, epoch: epoch, epochs: options.epochs)
      for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      var lossSum = 0.0, correct = 0
      for (b, s) in stride(from: 0, to: order.count, by: options.batch).enumerated() {
        let idx = order[s..<min(order.count, s + options.batch)]
        var x = [Float]()
        x.reserveCapacity(idx.count * elements)
        for j in idx { x += train.x[(j * elements)..<((j + 1) * elements)] }
        var p = effective()
        noise?.perturb(&p, grids: noiseGrids, rng: &noiseRNG)
        let tape = graph.tape(x, images: idx.count, p)
        let labels = idx.map { train.y[$0] }
        let (loss, dLogits, right) = SoftmaxCrossEntropy.evaluate(tape.outputs[graph.sink], labels: labels,
                                                                 classes: graph.classes)
        guard loss.isFinite else {
          throw InputError("training diverged: the loss is \(loss) in epoch \(firstEpoch + epoch + 1), " +
              "batch \(b + 1) " +
              "(learning rate \(lr)); lower --lr or use --optimizer adam. No model was written")
        }
        lossSum += loss * Double(idx.count); correct += right
        var grads = graph.backward(x, images: idx.count, tape: tape, dLogits: dLogits, p)
        for i in grads.weights.indices where grads.weights[i] != nil { constraints[i].mask(&grads.weights[i]!) }
        scales?.step(&grads, latent: latent, lr: Float(lr))
        optimizer.step(&latent, grads, lr: Float(lr))
      }
      if let events = scales?.sparsity.pruningEpochs(of: options.epochs), let k = events.firstIndex(of: epoch + 1) {
        scales!.prune(event: k + 1, of: events.count)
      }
      let seconds = Date().timeIntervalSince(began)
      let r = EpochRecord(epoch: firstEpoch + epoch + 1, loss: lossSum / Double(train.images),
                          trainTop1: Double(correct) / Double(train.images),
                          validationTop1: validation.map { score($0, elements: elements).top1 }, learningRate: lr,
                          seconds: seconds)
      records.append(r)
      progress?(r)
    }
    let p = effective()
    for i in model.weights.layers.indices where model.weights.layers[i] != nil {
      model.weights.layers[i]!.values = p.weights[i]!
      if let b = p.biases[i] { model.weights.layers[i]!.bias = b }
    }
    return records
  }

  /// Trains on `train` without evaluating before or after (benchmarks).
  mutating func trainEpochs(on train: Dataset) throws -> [EpochRecord] {
    try self.train(on: train, validation: nil, after: 0, scoreStart: false)
  }

  /// Top-1 and mean loss of the current effective weights on `set`.
  func score(_ set: Dataset, elements: Int) -> (top1: Double, loss: Double) {
    let p = effective()
    var correct = 0, loss = 0.0
    for s in stride(from: 0, to: set.images, by: Evaluation.batchSize) {
      let (x, y) = set.slice(s..<min(set.images, s + Evaluation.batchSize), elements: elements)
      let e = SoftmaxCrossEntropy.evaluate(graph.forward(x, images: y.count, p)[graph.sink], labels: y,
                                           classes: graph.classes)
      correct += e.correct; loss += e.loss * Double(y.count)
    }
    return (Double(correct) / Double(set.images), loss / Double(set.images))
  }
}
