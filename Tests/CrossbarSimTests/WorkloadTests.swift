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
    ("32,32,3,3,3,64,0,1\n16,16,3,3,3,64,0,1\n", "x.csv:2: IFM channels 3 do not match"),
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
}
