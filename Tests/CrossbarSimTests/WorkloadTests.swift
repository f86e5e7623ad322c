import Testing
@testable import CrossbarSim

@Suite("Workloads")
struct WorkloadTests {
  @Test("built-in networks have the published parameter counts (weights only, BN folded)", arguments: [
    ("resnet20", 270_896), ("resnet18", 11_678_912), ("vgg16", 14_715_584),
  ])
  func parameters(name: String, params: Int) throws {
    #expect(try BuiltinWorkloads.named(name).parameters == params)
  }

  @Test("every built-in network chains its shapes and has no empty layer", arguments: BuiltinWorkloads.all.map(\.name))
  func shapes(name: String) throws {
    let n = try BuiltinWorkloads.named(name)
    for (i, l) in n.layers.enumerated() {
      #expect(l.outputShape.elements > 0, "\(l.name)")
      for p in l.inputs { #expect(p < i) }
      if case .conv = l.operation, let p = l.inputs.first { #expect(n.layers[p].outputShape == l.inputShape) }
    }
    #expect(n.macs > 0)
  }

  @Test("ResNet-18 has about 1.81 G MACs and ends in FC-1000")
  func resnet18() throws {
    let n = try BuiltinWorkloads.named("resnet18")
    #expect(abs(Double(n.macs) - 1.814e9) / 1.814e9 < 0.01)
    #expect(n.layers.last?.outputShape == TensorShape(1000, 1, 1))
  }

  @Test("unknown workloads list the built-in names")
  func unknown() {
    do { _ = try BuiltinWorkloads.load("alexnet"); Issue.record("accepted") } catch {
      #expect("\(error)".contains("resnet20"))
    }
  }

  static let vgg8CSV = """
    32,32,3,3,3,128,0,1
    32,32,128,3,3,128,1,1
    16,16,128,3,3,256,0,1
    16,16,256,3,3,256,1,1
    8,8,256,3,3,512,0,1
    8,8,512,3,3,512,1,1
    1,1,8192,1,1,1024,0,1
    1,1,1024,1,1,10,0,1
    """

  @Test("NeuroSim files import with their already-padded meaning")
  func neurosim() throws {
    let n = try NeuroSimImporter.parse(Self.vgg8CSV, source: "NetWork_VGG8.csv", name: "VGG8")
    #expect(n.matrixLayerCount == 8)
    #expect(n.layers.count == 11)    // three pools after the flagged rows
    let c1 = n.layers[0]
    #expect(c1.inputShape == TensorShape(3, 32, 32))
    #expect(c1.outputShape == TensorShape(128, 30, 30))   // padding 0: (32 - 3) + 1
    #expect(n.layers.first { $0.name == "fc1" }?.weightRows == 8192)
  }

  @Test("7-column files default to stride 1, and 8-column strides apply")
  func sevenColumns() throws {
    let n = try NeuroSimImporter.parse("224,224,3,7,7,64,0\n", source: "a.csv", name: "a")
    #expect(n.layers[0].outputShape == TensorShape(64, 218, 218))
    let s = try NeuroSimImporter.parse("225,225,3,3,3,8,0,2\n", source: "b.csv", name: "b")
    #expect(s.layers[0].outputShape == TensorShape(8, 112, 112))
  }

  @Test("malformed NeuroSim rows name the file and line", arguments: [
    ("32,32,3,3,3\n", "x.csv:1: expected 7 or 8"),
    ("32,32,3,3,3,64,0,1\n16,16,5,3,3,64,0,1\n", "x.csv:2: IFM channels 5 match no earlier tensor (previous layer: 64 channels; network input: 3)"),
    ("32,32,3,three,3,64,0,1\n", "x.csv:1: field 4 'three'"),
    ("32,0,3,3,3,64,0,1\n", "x.csv:1: IFM width is 0"),
    ("32,32,3,3,3,64,2,1\n", "pooled flag is 2"),
    ("2,2,3,3,3,64,0,1\n", "kernel 3x3 larger than"),
    ("\n# nothing\n", "x.csv: no layers"),
  ])
  func malformed(text: String, message: String) {
    do { _ = try NeuroSimImporter.parse(text, source: "x.csv", name: "x"); Issue.record("accepted \(text)") } catch {
      #expect("\(error)".contains(message), "\(error)")
    }
  }

  @Test("layer builders reject sizes that do not fit")
  func builderErrors() {
    var b = NetworkBuilder(name: "t", input: TensorShape(3, 4, 4))
    #expect(throws: InputError.self) { try b.conv("big", Convolution(outChannels: 8, kernel: 7)) }
    #expect(throws: InputError.self) { try b.conv("zero", Convolution(outChannels: 0, kernel: 3)) }
    #expect(throws: InputError.self) { try b.conv("groups", Convolution(outChannels: 8, kernel: 3, groups: 2)) }
  }

  @Test("non-square maps and kernels keep height and width apart (NeuroSim rows, convs, pools)")
  func nonSquare() throws {
    let n = try NeuroSimImporter.parse("12,20,3,3,5,8,0,1\n10,16,8,3,3,4,0,2\n", source: "ns.csv", name: "ns")
    #expect(n.layers[0].outputShape == TensorShape(8, 10, 16))
    #expect(n.layers[1].outputShape == TensorShape(4, 4, 7))   // (10 - 3) / 2 + 1, (16 - 3) / 2 + 1
    guard case .conv(let c) = n.layers[0].operation else { Issue.record("not a conv"); return }
    #expect(c.kernelHeight == 3 && c.kernelWidth == 5)
    var b = NetworkBuilder(name: "rect", input: TensorShape(3, 8, 6))
    var k = Convolution(outChannels: 4, kernel: 3, padding: 1)
    k.kernelWidth = 1
    try b.conv("tall", k)                                       // 3x1 kernel, padding 1: 8x8
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    #expect(b.network.layers[0].outputShape == TensorShape(4, 8, 8))
    var c2 = NetworkBuilder(name: "rect2", input: TensorShape(3, 8, 4))
    try c2.pool("pool", Pooling(.average, kernel: 2, stride: 2))
    #expect(c2.network.layers[0].outputShape == TensorShape(3, 4, 2))
  }

  @Test("a NeuroSim row flagged as pooled is followed by a 2x2/2 max pool, an unflagged one is not")
  func pooledFlag() throws {
    let n = try NeuroSimImporter.parse("8,8,3,3,3,4,1,1\n3,3,4,3,3,4,0,1\n", source: "p.csv", name: "p")
    #expect(n.layers.map(\.name) == ["conv1", "pool1", "conv2"])
    #expect(n.layers[1].outputShape == TensorShape(4, 3, 3))
  }

  @Test("a grouped conv's weight matrix has IC/g x K x K rows")
  func groupedRows() throws {
    var b = NetworkBuilder(name: "g", input: TensorShape(8, 5, 5))
    try b.conv("g", Convolution(outChannels: 16, kernel: 3, padding: 1, groups: 4))
    #expect(b.network.layers[0].weightRows == 18 && b.network.layers[0].parameters == 16 * 18)
    #expect(b.network.layers[0].macs == 16 * 18 * 25)
  }

  @Test("factoring a strided conv keeps stride and padding on R, and L is a 1x1 stride-1 conv")
  func factorStrided() throws {
    var b = NetworkBuilder(name: "s", input: TensorShape(8, 9, 9))
    try b.conv("c", Convolution(outChannels: 16, kernel: 3, stride: 2, padding: 1))
    let f = try b.network.factorized(FactorizationPlan(rank: 4, groups: 2))
    guard case .conv(let r) = f.layers[0].operation, case .conv(let l) = f.layers[1].operation else {
      Issue.record("not convs"); return
    }
    #expect(r.stride == 2 && r.padding == 1 && r.groups == 2 && r.outChannels == 8)
    #expect(l.stride == 1 && l.kernelHeight == 1 && l.padding == 0)
    #expect(f.layers[0].outputShape == TensorShape(8, 5, 5) && f.layers[1].outputShape == b.network.layers[0].outputShape)
  }
}
