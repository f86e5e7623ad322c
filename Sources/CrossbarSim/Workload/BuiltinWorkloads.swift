// MARK: - Built-in networks

/// The built-in workloads: CIFAR (32x32) and ImageNet (224x224) networks, BN folded, ReLU implicit.
public enum BuiltinWorkloads {
  /// Names and constructors, in listing order.
  public static let all: [(name: String, make: @Sendable () -> Network)] = [
    ("resnet20", { cifarResNet(name: "resnet20", blocksPerStage: 3, widths: [16, 32, 64]) }),
    ("resnet56", { cifarResNet(name: "resnet56", blocksPerStage: 9, widths: [16, 32, 64]) }),
    ("wrn16-4", { cifarResNet(name: "wrn16-4", blocksPerStage: 2, widths: [64, 128, 256]) }),
    ("vgg16", { vgg16CIFAR() }),
    ("vgg8", { vgg8() }),
    ("resnet18", { resnet18() }),
    ("vgg13", { vgg13() }),
    ("digits-cnn", { digitsCNN() }),
  ]

  /// The built-in network called `name`, or an error listing the known ones.
  public static func named(_ name: String) throws -> Network {
    guard let w = all.first(where: { $0.name == name }) else {
      throw InputError("unknown workload '\(name)' (built in: \(all.map(\.name).joined(separator: ", ")); or give a " +
          "NeuroSim NetWork_*.csv file or an .onnx model)")
    }
    return w.make()
  }

  /// A built-in network or an imported NeuroSim CSV file (`independentRows`: a row whose channels
  /// match no earlier tensor reads the network input, for mapping layers on their own).
  public static func load(_ nameOrFile: String, independentRows: Bool = false) throws -> Network {
    try loadWithWeights(nameOrFile, independentRows: independentRows).network
  }

  /// A built-in network, a NeuroSim CSV file, or an ONNX model (`.onnx`, which brings its weights).
  public static func loadWithWeights(_ nameOrFile: String, independentRows: Bool = false) throws
    -> (network: Network, weights: NetworkWeights?) {
    if nameOrFile.hasSuffix(".onnx") { let m = try ONNXImporter.load(path: nameOrFile); return (m.network, m.weights) }
    return (try networkOnly(nameOrFile, independentRows: independentRows), nil)
  }

  static func networkOnly(_ nameOrFile: String, independentRows: Bool) throws -> Network {
    if all.contains(where: { $0.name == nameOrFile }) { return try named(nameOrFile) }
    if nameOrFile.hasSuffix(".csv") || nameOrFile.contains("/") {
      return try NeuroSimImporter.load(path: nameOrFile, independent: independentRows)
    }
    return try named(nameOrFile)
  }

  // Shapes here are fixed and known to be valid; a failure is a programming error.
  private static func build(_ name: String, _ input: TensorShape,
                            _ body: (inout NetworkBuilder) throws -> Void) -> Network {
    var b = NetworkBuilder(name: name, input: input)
    do { try body(&b) } catch { preconditionFailure("built-in \(name) is malformed: \(error)") }
    return b.network
  }

  /// CIFAR ResNet (He et al. 2016) and Wide ResNet (Zagoruyko & Komodakis 2016): a 3x3 stem with 16
  /// channels, three stages of basic blocks (stride 2 at stages 2 and 3), global average pool, FC-10.
  /// Shortcuts that change shape are 1x1 convolutions (option B), so every layer is a real matrix.
  static func cifarResNet(name: String, blocksPerStage: Int, widths: [Int]) -> Network {
    build(name, TensorShape(3, 32, 32)) { b in
      let stem = try b.conv("conv1", Convolution(outChannels: 16, kernel: 3, padding: 1))
      let x = try residualStages(&b, from: stem, channels: 16, widths: widths, blocksPerStage: blocksPerStage,
                                 shortcutName: "shortcut")
      let side = b.network.layers[x].outputShape.height
      try b.pool("avgpool", Pooling(.average, kernel: side, stride: side))
      try b.fc("fc", 10)
    }
  }

  /// VGG-16 for CIFAR-10 (the common 13-conv, one-FC variant).
  static func vgg16CIFAR() -> Network {
    vgg(name: "vgg16", input: TensorShape(3, 32, 32),
        config: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0], fcs: [10])
  }

  /// NeuroSim's VGG-8 for CIFAR-10: six 3x3 convs (128-128-256-256-512-512, pooling after every
  /// second) and FC 8192-1024-10, as in NeuroSim's `NetWork_VGG8.csv` but with explicit padding.
  static func vgg8() -> Network {
    vgg(name: "vgg8", input: TensorShape(3, 32, 32), config: [128, 128, 0, 256, 256, 0, 512, 512, 0], fcs: [1024, 10])
  }

  /// The accuracy fixture's CNN for 8x8 UCI digits (`Tests/Fixtures/digits/`, BN folded): three
  /// 3x3x32 convs with a residual add, 2x2 max pool, a 3x3x64 conv, global average pool, FC-10.
  /// Activations are explicit, so `--weights digits-cnn-weights.npz` runs it functionally.
  static func digitsCNN() -> Network {
    build("digits-cnn", TensorShape(1, 8, 8)) { b in
      let r1 = try b.conv("conv1", Convolution(outChannels: 32, kernel: 3, padding: 1)); b.activate(.relu)
      try b.conv("conv2", Convolution(outChannels: 32, kernel: 3, padding: 1)); b.activate(.relu)
      let c3 = try b.conv("conv3", Convolution(outChannels: 32, kernel: 3, padding: 1))
      try b.add("add3", c3, r1); b.activate(.relu)
      try b.pool("pool3", Pooling(.max, kernel: 2, stride: 2))
      try b.conv("conv4", Convolution(outChannels: 64, kernel: 3, padding: 1)); b.activate(.relu)
      try b.pool("gap", Pooling(.average, kernel: 4, stride: 4))
      try b.fc("fc", 10)
    }
  }

  /// VGG-13 on ImageNet (Simonyan & Zisserman configuration B).
  static func vgg13() -> Network {
    vgg(name: "vgg13", input: TensorShape(3, 224, 224),
        config: [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], fcs: [4096, 4096, 1000])
  }

  /// A VGG stack: a channel count is a 3x3 conv with padding 1, 0 is a 2x2 max pool.
  static func vgg(name: String, input: TensorShape, config: [Int], fcs: [Int]) -> Network {
    build(name, input) { b in
      var conv = 0, pool = 0
      for c in config {
        if c == 0 {
          pool += 1
          try b.pool("pool\(pool)", Pooling(.max, kernel: 2, stride: 2))
        } else {
          conv += 1
          try b.conv("conv\(conv)", Convolution(outChannels: c, kernel: 3, padding: 1))
        }
      }
      for (i, f) in fcs.enumerated() { try b.fc("fc\(i + 1)", f) }
    }
  }

  /// ResNet-18 on ImageNet: 7x7/2 stem, 3x3/2 max pool, four stages of two basic blocks, 1x1
  /// downsampling shortcuts, global average pool, FC-1000.
  static func resnet18() -> Network {
    build("resnet18", TensorShape(3, 224, 224)) { b in
      try b.conv("conv1", Convolution(outChannels: 64, kernel: 7, stride: 2, padding: 3))
      let pool = try b.pool("maxpool", Pooling(.max, kernel: 3, stride: 2, padding: 1))
      try residualStages(&b, from: pool, channels: 64, widths: [64, 128, 256, 512], blocksPerStage: 2,
                         shortcutName: "downsample")
      try b.pool("avgpool", Pooling(.average, kernel: 7, stride: 7))
      try b.fc("fc", 1000)
    }
  }

  /// Stages of basic residual blocks (two 3x3 convs plus a shortcut); the first block of every
  /// stage after the first has stride 2; a shortcut that changes shape is a 1x1 conv. Returns the
  /// last layer.
  @discardableResult
  static func residualStages(_ b: inout NetworkBuilder, from input: Int, channels: Int, widths: [Int],
                             blocksPerStage: Int, shortcutName: String) throws -> Int {
    var x = input, channels = channels
    for (s, w) in widths.enumerated() {
      for k in 0..<blocksPerStage {
        let stride = (s > 0 && k == 0) ? 2 : 1
        let p = "layer\(s + 1).\(k)"
        let c1 = try b.conv("\(p).conv1", Convolution(outChannels: w, kernel: 3, stride: stride, padding: 1), from: x)
        let c2 = try b.conv("\(p).conv2", Convolution(outChannels: w, kernel: 3, padding: 1), from: c1)
        var shortcut = x
        if stride != 1 || channels != w {
          shortcut = try b.conv("\(p).\(shortcutName)", Convolution(outChannels: w, kernel: 1, stride: stride), from: x)
        }
        x = try b.add("\(p).add", c2, shortcut)
        channels = w
      }
    }
    return x
  }
}
