import Testing
@testable import CrossbarSim
import Mappers

/// NeuroSim layer lists that are not chains: files shaped like NeuroSim's ResNet (1x1 shortcut rows
/// reading the block input), DenseNet (channel counts that grow with each concatenation) and VGG
/// (pooled rows) files, written here at CIFAR scale.
@Suite("NeuroSim files beyond chains")
struct NeuroSimShapesTests {
  static let resnet = """
    32,32,3,3,3,16,0,1
    32,32,16,3,3,16,0,1
    32,32,16,3,3,16,0,1
    32,32,16,3,3,32,0,2
    16,16,32,3,3,32,0,1
    32,32,16,1,1,32,0,2
    16,16,32,3,3,32,1,1
    1,1,1568,1,1,10,0,1
    """
  static let densenet = """
    16,16,3,3,3,8,0,1
    16,16,8,1,1,16,0,1
    16,16,16,3,3,12,0,1
    16,16,12,1,1,16,0,1
    16,16,16,3,3,16,1,1
    8,8,16,1,1,16,0,1
    8,8,16,3,3,20,1,1
    1,1,180,1,1,10,0,1
    """
  static let vgg = """
    16,16,3,3,3,16,0,1
    16,16,16,3,3,16,1,1
    8,8,16,3,3,32,0,1
    8,8,32,3,3,32,1,1
    1,1,288,1,1,10,0,1
    """

  @Test("a shortcut row reads the most recent tensor with its channel count: the block input")
  func shortcut() throws {
    let n = try NeuroSimImporter.parse(Self.resnet, source: "r.csv", name: "r")
    let names = n.layers.map(\.name)
    // conv6 (16 -> 32, 1x1, stride 2) lists 16 channels while conv5 gives 32: it reads conv3, the
    // last 16-channel output; conv7 then reads conv6 (32 channels, as listed).
    let conv6 = try #require(n.layers.first { $0.name == "conv6" })
    #expect(conv6.inputs.map { names[$0] } == ["conv3"])
    #expect(n.layers.first { $0.name == "conv7" }?.inputs.map { names[$0] } == ["conv6"])
    #expect(conv6.outputShape == TensorShape(32, 16, 16))
  }

  @Test("ResNet-, DenseNet- and VGG-shaped files all run through the engine", arguments: [
    ("resnet", resnet), ("densenet", densenet), ("vgg", vgg),
  ])
  func runs(name: String, text: String) throws {
    let n = try NeuroSimImporter.parse(text, source: "\(name).csv", name: name)
    let r = try Simulation.run(network: n, spec: .isaac8bit, mapper: Im2colMapper())
    #expect(r.layers.count == n.layers.count && r.layers.allSatisfy { $0.end > $0.start })
  }

  @Test("an FC row over the last map's channels reads a global average pool the file omits (DenseNet-40)")
  func impliedGlobalPool() throws {
    // NeuroSim's NetWork_DenseNet40.csv ends this way: the FC row reads 132 values, the channels of
    // the last 132-channel map; a 3x3 conv over an 8x8 IFM (valid) leaves 6x6 of them.
    let text = "8,8,3,3,3,132,0,1\n1,1,132,1,1,10,0,1\n"
    let n = try NeuroSimImporter.parse(text, source: "d.csv", name: "d")
    #expect(n.layers.map(\.name) == ["conv1", "gap1", "fc1"])
    #expect(n.layers[1].operation == .pool(Pooling(.average, kernel: 6, stride: 6)))
    #expect(n.layers[1].outputShape == TensorShape(132, 1, 1) && n.layers[2].inputs == [1])
    let r = try Simulation.run(network: n, spec: .isaac8bit, mapper: Im2colMapper())
    let note = try #require(r.layers.first { $0.name == "fc1" }?.note)
    #expect(note.contains("global average pool over conv1's 6x6 map, which the file does not list"))
    // An FC row that matches neither the map, NeuroSim's sizing nor the channels is still refused.
    let e = #expect(throws: InputError.self) {
      try NeuroSimImporter.parse("8,8,3,3,3,132,0,1\n1,1,133,1,1,10,0,1\n", source: "d.csv", name: "d")
    }
    #expect(e?.description.contains("d.csv:2: FC row reads 133 inputs") == true)
  }

  @Test("unrelated rows are an error for a run, and map one by one for simrun map")
  func independent() throws {
    let text = "32,32,3,3,3,16,0,1\n8,8,64,3,3,64,0,1\n4,4,7,1,1,9,0,1\n"
    do { _ = try NeuroSimImporter.parse(text, source: "u.csv", name: "u"); Issue.record("accepted") } catch {
      #expect("\(error)".contains("u.csv:2: IFM channels 64 match no earlier tensor"), "\(error)")
    }
    let n = try NeuroSimImporter.parse(text, source: "u.csv", name: "u", independent: true)
    #expect(n.layers.map(\.inputShape) == [TensorShape(3, 32, 32), TensorShape(64, 8, 8), TensorShape(7, 4, 4)])
    let layout = try NetworkLayout.map(n, with: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))
    // 3x3x64 = 576 rows in 5 arrays x 64 outputs at 32 per array = 2 columns: 10 crossbars.
    #expect(layout.layouts[1]?.crossbars.count == 10)
  }
}
