// MARK: - Networks

/// A network: layers in execution order, each reading from earlier layers or the input.
public struct Network: Hashable, Codable, Sendable {
  /// Name (a built-in name or the imported file).
  public var name: String
  /// Shape of the network input.
  public var inputShape: TensorShape
  /// Layers in a valid execution order.
  public var layers: [Layer]

  /// Weights of all layers.
  public var parameters: Int { layers.reduce(0) { $0 + $1.parameters } }
  /// MACs of all layers per inference.
  public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
  /// Layers that hold weights.
  public var matrixLayerCount: Int { layers.filter { $0.operation.isMatrix }.count }

  /// The layer whose output is the network's: the first that no layer reads (the last layer when
  /// every one is read).
  public var outputLayer: Int { consumers().firstIndex { $0.isEmpty } ?? layers.count - 1 }
  /// Values of the output layer: the classes a classifier scores.
  public var classes: Int { layers[outputLayer].outputShape.elements }

  /// Consumers of each layer, in layer order.
  public func consumers() -> [[Int]] {
    var c = Array(repeating: [Int](), count: layers.count)
    for (i, l) in layers.enumerated() { for p in l.inputs { c[p].append(i) } }
    return c
  }
}

/// Builds a network layer by layer, computing output shapes and checking them.
public struct NetworkBuilder {
  /// The network so far.
  public private(set) var network: Network
  /// Names taken: a layer's name keys its rows and stats, so each is unique.
  private var names = Set<String>()

  /// Starts a network reading `input`.
  public init(name: String, input: TensorShape) {
    network = Network(name: name, inputShape: input, layers: [])
  }

  /// Index of the most recent layer, or nil at the start.
  public var last: Int? { network.layers.isEmpty ? nil : network.layers.count - 1 }

  func shape(of producer: Int?) -> TensorShape {
    producer.map { network.layers[$0].outputShape } ?? network.inputShape
  }

  /// Appends a convolution reading `from` (default: the last layer); returns its index.
  @discardableResult
  public mutating func conv(_ name: String, _ c: Convolution, from: Int? = nil) throws -> Int {
    try conv(name, c, reading: from ?? last)
  }

  /// The same, reading layer `reading` or, when nil, the network input (importers).
  @discardableResult
  public mutating func conv(_ name: String, _ c: Convolution, reading src: Int?) throws -> Int {
    let inS = shape(of: src)
    for (key, v) in [("outChannels", c.outChannels), ("kernel height", c.kernelHeight), ("kernel width", c.kernelWidth),
                     ("stride", c.stride), ("padding", c.padding), ("groups",
                                                                    c.groups)] where v > WorkloadLimits.dimension {
      throw InputError("layer \(name): \(key) is \(v); must be at most \(WorkloadLimits.dimension)")
    }
    let oh = (inS.height + 2 * c.padding - c.kernelHeight) / c.stride + 1
    let ow = (inS.width + 2 * c.padding - c.kernelWidth) / c.stride + 1
    guard c.outChannels > 0, c.kernelHeight > 0, c.kernelWidth > 0, c.stride > 0, c.padding >= 0, c.groups > 0 else {
      throw InputError("layer \(name): sizes must be positive (outChannels \(c.outChannels), " +
          "kernel \(c.kernelHeight)x\(c.kernelWidth), stride \(c.stride), padding \(c.padding), groups \(c.groups))")
    }
    guard inS.channels % c.groups == 0, c.outChannels % c.groups == 0 else {
      throw InputError("layer \(name): groups \(c.groups) must divide input channels \(inS.channels) and output " +
          "channels \(c.outChannels)")
    }
    guard oh >= 1, ow >= 1, inS.height + 2 * c.padding >= c.kernelHeight,
          inS.width + 2 * c.padding >= c.kernelWidth else {
      throw InputError("layer \(name): kernel \(c.kernelHeight)x\(c.kernelWidth) does not fit input \(inS) with " +
          "padding \(c.padding)")
    }
    return try append(Layer(name: name, operation: .conv(c), inputs: src.map { [$0] } ?? [], inputShape: inS,
                        outputShape: TensorShape(c.outChannels, oh, ow)))
  }

  /// Appends a fully connected layer (flattening its input).
  @discardableResult
  public mutating func fc(_ name: String, _ outFeatures: Int, from: Int? = nil) throws -> Int {
    try fc(name, outFeatures, reading: from ?? last)
  }

  /// The same, reading layer `reading` or, when nil, the network input (importers).
  @discardableResult
  public mutating func fc(_ name: String, _ outFeatures: Int, reading src: Int?) throws -> Int {
    guard outFeatures > 0 else { throw InputError("layer \(name): outFeatures \(outFeatures) must be >= 1") }
    return try append(Layer(name: name, operation: .fullyConnected(outFeatures: outFeatures),
                            inputs: src.map { [$0] } ?? [],
                        inputShape: shape(of: src), outputShape: TensorShape(outFeatures, 1, 1)))
  }

  /// Appends a pooling layer; `global: true` pools the whole map.
  @discardableResult
  public mutating func pool(_ name: String, _ p: Pooling, from: Int? = nil) throws -> Int {
    try pool(name, p, reading: from ?? last)
  }

  /// The same, reading layer `reading` or, when nil, the network input (importers).
  @discardableResult
  public mutating func pool(_ name: String, _ p: Pooling, reading src: Int?) throws -> Int {
    let inS = shape(of: src)
    guard p.kernel > 0, p.stride > 0, p.padding >= 0, max(p.kernel, p.stride, p.padding) <= WorkloadLimits.dimension,
          inS.height + 2 * p.padding >= p.kernel else {
      throw InputError("layer \(name): pool window \(p.kernel) stride \(p.stride) does not fit input \(inS)")
    }
    let oh = p.outputSize(inS.height), ow = p.outputSize(inS.width)
    return try append(Layer(name: name, operation: .pool(p), inputs: src.map { [$0] } ?? [], inputShape: inS,
                        outputShape: TensorShape(inS.channels, oh, ow)))
  }

  /// Appends a residual addition of two layers with equal shapes.
  @discardableResult
  public mutating func add(_ name: String, _ a: Int, _ b: Int) throws -> Int {
    let sa = network.layers[a].outputShape, sb = network.layers[b].outputShape
    guard sa == sb else { throw InputError("layer \(name): cannot add shapes \(sa) and \(sb)") }
    return try append(Layer(name: name, operation: .add, inputs: [a, b], inputShape: sa, outputShape: sa))
  }

  /// Appends a channel concatenation of layers with equal spatial sizes.
  @discardableResult
  public mutating func concat(_ name: String, _ parts: [Int]) throws -> Int {
    let shapes = parts.map { network.layers[$0].outputShape }
    guard let first = shapes.first, shapes.allSatisfy({ $0.height == first.height && $0.width == first.width }) else {
      throw InputError("layer \(name): cannot concatenate " +
          "shapes \(shapes.map(\.description).joined(separator: ", ")) (spatial sizes differ)")
    }
    let out = TensorShape(shapes.reduce(0) { $0 + $1.channels }, first.height, first.width)
    return try append(Layer(name: name, operation: .concat, inputs: parts, inputShape: out, outputShape: out))
  }

  /// Sets the activation after layer `index` (the last layer by default).
  public mutating func activate(_ activation: Activation, _ index: Int? = nil) {
    guard let i = index ?? last else { return }
    network.layers[i].activation = activation
  }

  /// Appends a layer whose shapes were set by the caller (importers), within `WorkloadLimits`.
  @discardableResult
  public mutating func append(_ layer: Layer) throws -> Int {
    try WorkloadLimits.check(layer)
    guard names.insert(layer.name).inserted else {
      throw InputError("layer \(layer.name): a second layer of that name (\(network.name)); layer names key " +
          "layers.csv and stats.json, so each must be unique")
    }
    network.layers.append(layer)
    return network.layers.count - 1
  }
}

/// Largest layer the simulator takes: beyond any network it models (VGG-16's largest layer has
/// 103 M weights), small enough that a layer's layout and activations fit in memory.
public enum WorkloadLimits {
  /// Any one size: channels, height, width, kernel, stride, padding, features.
  public static let dimension = 1 << 20
  /// Weights of one layer, and values of one activation tensor.
  public static let elements = 1 << 28

  static func check(_ l: Layer) throws {
    for (what, s) in [("input", l.inputShape), ("output", l.outputShape)] {
      let dims = [s.channels, s.height, s.width]
      guard dims.allSatisfy({ (1...dimension).contains($0) }),
            Double(s.channels) * Double(s.height) * Double(s.width) <= Double(elements) else {
        throw InputError("layer \(l.name): \(what) \(s.channels)x\(s.height)x\(s.width); each size must be in " +
            "1...\(dimension) and the tensor at most \(elements) values")
      }
    }
    if l.operation.isMatrix {
      let n = Double(l.weightRows) * Double(l.weightColumns)
      guard n <= Double(elements) else {
        throw InputError("layer \(l.name): \(l.weightRows) x \(l.weightColumns) = \(StatNode.number(n)) weights; at " +
            "most \(elements) per layer")
      }
    }
  }
}
