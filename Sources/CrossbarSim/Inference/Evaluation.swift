import Foundation

// MARK: - Accuracy of a layout: float, quantized and crossbar inference on a labelled dataset

/// Labelled images from a `.npz` with `x` (`N x C x H x W` float) and `y` (`N` integer labels).
public struct Dataset: Sendable {
  /// Images, `images x C x H x W`.
  public var x: [Float]
  /// Labels.
  public var y: [Int]
  /// Image count.
  public var images: Int { y.count }
  /// Creates a dataset (`x.count` is `y.count` images).
  public init(x: [Float], y: [Int]) { self.x = x; self.y = y }

  /// Loads `path` for a network reading `shape` with `classes` outputs; every mismatch is an error naming it.
  /// Without `labelled` (calibration images) `y` is not read; the labels are all 0.
  public static func load(_ path: String, shape: TensorShape, classes: Int, labelled: Bool = true) throws -> Dataset {
    // Only x and y are read: other members of the archive are never unpacked.
    let file = try ArrayFile(path)
    guard let x = try file.array(named: "x") else { throw InputError("\(path): no array 'x' " +
        "(images, N x C x H x W)") }
    // Calibration images need no labels: y is not read, and every label is 0.
    let n = x.shape.first ?? 0
    guard let y = labelled ? try file.array(named: "y") : NumPyArray(shape: [n], values: Array(repeating: 0, count: n))
    else {
      throw InputError("\(path): no array 'y' (labels, N)")
    }
    let want = [shape.channels, shape.height, shape.width]
    guard x.shape.count == 4, Array(x.shape[1...]) == want else {
      throw InputError("\(path): 'x' has shape \(x.shape); the model reads N " +
          "x \(want.map(String.init).joined(separator: " x "))")
    }
    guard y.shape == [x.shape[0]] else { throw InputError("\(path): 'y' has shape \(y.shape); one label per image " +
        "needs [\(x.shape[0])]") }
    guard x.shape[0] >= 1 else { throw InputError("\(path): no images") }
    if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
      throw InputError("\(path): 'x' value \(bad) (image \(bad / shape.elements)) is \(x.values[bad]); inputs must " +
          "be finite")
    }
    var labels: [Int] = []
    for (i, v) in y.values.enumerated() {
      guard v == v.rounded(), v >= 0, v < Float(classes) else {
        throw InputError("\(path): label \(i) is \(v); the model has \(classes) classes (0...\(classes - 1))")
      }
      labels.append(Int(v))
    }
    return Dataset(x: x.values, y: labels)
  }

  /// Images `r` of the set.
  func slice(_ r: Range<Int>, elements: Int) -> (x: [Float], y: [Int]) {
    (Array(x[(r.lowerBound * elements)..<(r.upperBound * elements)]), Array(y[r]))
  }
}

/// One row of `accuracy.csv`.
public struct AccuracyRow: Sendable, Equatable {
  /// `float`, `quantized`, `crossbar` or `crossbar+noise`.
  public var scope: String
  /// Images evaluated.
  public var images: Int
  /// Top-1 accuracy.
  public var top1: Double
  /// Fraction of images whose top-1 class equals the float model's.
  public var agreementWithFloat: Double
}

/// One row of `accuracy-layers.csv`: a layer's output error against the float model.
public struct LayerError: Sendable, Equatable {
  /// Layer of the original network (a low-rank pair is compared at its L factor).
  public var layer: String
  /// Scope.
  public var scope: String
  /// `||y - y_float||_2 / ||y_float||_2` over all evaluated images.
  public var relativeError: Double
}

/// Runs the scopes side by side, batch by batch.
public enum Evaluation {
  /// Images per batch at most (memory is a batch of every layer's outputs per scope); fewer when
  /// `EvaluationMemory` says a batch of 128 would pass its activation budget.
  public static let batchSize = 128

  /// Accuracy and per-layer errors of `compressed` (laid out as `layout` on `spec`) against
  /// `original` in float; `calibration` images set the activation formats.
  public static func run(original: CompressedModel, compressed: CompressedModel, layout: NetworkLayout, spec: ArchSpec,
                         data: Dataset, calibration: Dataset, progress: ((String) -> Void)? = nil)
    throws -> (rows: [AccuracyRow], layers: [LayerError]) {
    let reference = try FloatInference(network: original.network, weights: original.weights)
    let own = try FloatInference(network: compressed.network, weights: compressed.weights)
    let elements = original.network.inputShape.elements
    let crossbarScopes = spec.device.isIdeal ? 1 : 2
    let memory = EvaluationMemory(network: compressed.network, layout: layout, scopes: 2 + crossbarScopes,
                                  crossbarScopes: crossbarScopes, ideal: spec.device.isIdeal,
                                  noisy: spec.device.readNoiseSigma > 0,
                                  images: max(data.images, calibration.images))
    progress?(memory.summary)
    let batchSize = memory.batch
    // Calibration keeps each layer's range only, batch by batch.
    let mse = spec.data.activationClipping == .mse
      ? (bits: spec.data.inputBits, powerOfTwo: IntegerInference.powerOfTwoScales(model: compressed, spec: spec)) : nil
    let ranges = try own.ranges(calibration.x, images: calibration.images, batch: batchSize,
                            percentile: spec.data.activationPercentile, mse: mse)
    let inputRange = LayerRange(lo: calibration.x.min() ?? 0, hi: calibration.x.max() ?? 0)
    // Each scope runs a batch (`x`, images, batch number) to every layer's output.
    var scopes: [(String, ([Float], Int, Int) -> [[Float]])] = []
    let exact = try IntegerInference(model: compressed, spec: spec, inputRange: inputRange, ranges: ranges,
                                     products: .exact)
    // The float model on the input as the integer paths round it: how far the input's precision
    // alone moves the outputs, a floor under the other scopes' errors.
    scopes.append(("float+input-codes", { x, n, _ in own.run(exact.roundedInput(x), images: n) }))
    scopes.append(("quantized", { x, n, b in exact.run(x, images: n, batch: b) }))
    var ideal = spec
    ideal.device = .ideal
    let crossbar = try IntegerInference(model: compressed, spec: ideal, inputRange: inputRange, ranges: ranges,
                                        products: .crossbar(layout, ideal))
    scopes.append(("crossbar", { x, n, b in crossbar.run(x, images: n, batch: b) }))
    if !spec.device.isIdeal {
      let noisy = try IntegerInference(model: compressed, spec: spec, inputRange: inputRange, ranges: ranges,
                                       products: .crossbar(layout, spec))
      scopes.append(("crossbar+noise", { x, n, b in noisy.run(x, images: n, batch: b) }))
    }
    let sinkOf = { (n: Network) throws -> Int in
      let s = n.consumers().enumerated().filter { $0.element.isEmpty }.map(\.offset)
      guard s.count == 1 else { throw InputError("\(n.name): \(s.count) outputs " +
          "(\(s.map { n.layers[$0].name }.joined(separator: ", "))); evaluation needs one") }
      return s[0]
    }
    let refSink = try sinkOf(original.network), ownSink = try sinkOf(compressed.network)
    let classes = original.network.layers[refSink].outputShape.elements
    // Layers compared: original layer index -> compressed layer index.
    var pairs: [(Int, Int)] = []
    for (j, l) in compressed.network.layers.enumerated() where l.factor?.part != .r {
      let name = l.factor?.original ?? l.name
      if let i = original.network.layers.firstIndex(where: { $0.name == name }),
         original.network.layers[i].outputShape == l.outputShape { pairs.append((i, j)) }
    }
    var correct = [Int](repeating: 0, count: scopes.count + 1), agree = [Int](repeating: 0, count: scopes.count + 1)
    var diff = [[Double]](repeating: [Double](repeating: 0, count: pairs.count), count: scopes.count)
    var norm = [Double](repeating: 0, count: pairs.count)
    func top1(_ v: [Float], _ n: Int) -> Int {
      var best = 0
      for c in 1..<classes where v[n * classes + c] > v[n * classes + best] { best = c }
      return best
    }
    let batches = (data.images + batchSize - 1) / batchSize
    for b in 0..<batches {
      let r = (b * batchSize)..<min(data.images, (b + 1) * batchSize)
      let (x, y) = data.slice(r, elements: elements)
      let ref = reference.run(x, images: r.count)
      let floatTop = (0..<r.count).map { top1(ref[refSink], $0) }
      for n in 0..<r.count where floatTop[n] == y[n] { correct[0] += 1 }
      for (p, (i, _)) in pairs.enumerated() { norm[p] += ref[i].reduce(0) { $0 + Double($1) * Double($1) } }
      for (s, (_, path)) in scopes.enumerated() {
        let out = path(x, r.count, b)
        for n in 0..<r.count {
          let t = top1(out[ownSink], n)
          if t == y[n] { correct[s + 1] += 1 }
          if t == floatTop[n] { agree[s + 1] += 1 }
        }
        for (p, (i, j)) in pairs.enumerated() {
          diff[s][p] += zip(ref[i],
                            out[j]).reduce(0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        }
      }
      progress?("eval: \(r.upperBound)/\(data.images) images")
    }
    let n = Double(data.images)
    var rows = [AccuracyRow(scope: "float", images: data.images, top1: Double(correct[0]) / n, agreementWithFloat: 1)]
    for (s, (name, _)) in scopes.enumerated() {
      rows.append(AccuracyRow(scope: name, images: data.images, top1: Double(correct[s + 1]) / n,
                              agreementWithFloat: Double(agree[s + 1]) / n))
    }
    var layers: [LayerError] = []
    for (p, (i, _)) in pairs.enumerated() {
      for (s, (name, _)) in scopes.enumerated() {
        layers.append(LayerError(layer: original.network.layers[i].name, scope: name,
                                 relativeError: norm[p] > 0 ? (diff[s][p] / norm[p]).squareRoot() : 0))
      }
    }
    return (rows, layers)
  }
}
