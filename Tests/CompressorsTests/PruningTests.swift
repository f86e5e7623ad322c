import Testing
import CrossbarSim
import Mappers
@testable import Compressors

@Suite("Pruning")
struct PruningTests {
  func layout(_ m: CompressedModel, mapper: any WeightMapper = Im2colMapper()) throws -> NetworkLayout {
    try m.layout(mapper: mapper, geometry: ArrayGeometry(.isaac8bit))
  }

  @Test("per-layer ratios remove exactly floor(ratio x segments)", arguments: ["prune-crossbar", "prune-rows", "prune-columns"], [0.25, 0.5, 0.75])
  func exactPerLayer(kind: String, ratio: Double) throws {
    let model = try resnet20Model()
    let pruner = try compressor("\(kind):ratio=\(ratio)") as! SegmentPruner
    let (m, records) = try pruner.compress(model, context: isaacContext)
    for r in records {
      let i = model.network.layers.firstIndex { $0.name == r.layer }!
      let segs = pruner.segments(of: model.weights.layers[i]!, layer: model.network.layers[i], geometry: isaacContext.geometry)
      let removed = segs.filter { seg in seg.allSatisfy { m.layers[i].keep![$0] == false } }.count
      #expect(removed == min(segs.count - 1, Int((ratio * Double(segs.count)).rounded(.down))), "\(r.layer)")
    }
  }

  @Test("a global ratio removes exactly round(ratio x all segments)")
  func exactGlobal() throws {
    let model = try resnet20Model()
    let pruner = try compressor("prune-rows:ratio=0.3,scope=global") as! SegmentPruner
    let (m, _) = try pruner.compress(model, context: isaacContext)
    var total = 0, removed = 0
    for (i, l) in model.network.layers.enumerated() where l.operation.isMatrix {
      let segs = pruner.segments(of: model.weights.layers[i]!, layer: l, geometry: isaacContext.geometry)
      total += segs.count
      removed += segs.filter { seg in seg.allSatisfy { m.layers[i].keep![$0] == false } }.count
    }
    #expect(removed == Int((0.3 * Double(total)).rounded()))
  }

  @Test("crossbar pruning removes crossbars without tables; row, column and pattern pruning need tables")
  func layouts() throws {
    let model = try resnet20Model()
    let dense = try layout(model).crossbars
    let blocks = try layout(try compressor("prune-crossbar:ratio=0.5").compress(model, context: isaacContext).0)
    #expect(blocks.crossbars < dense)
    #expect(blocks.layouts.allSatisfy { ($0?.crossbars ?? []).allSatisfy { $0.tableEntries == 0 } })
    for spec in ["prune-rows:ratio=0.5", "prune-columns:ratio=0.5", "prune-pattern:taps=4"] {
      let l = try layout(try compressor(spec).compress(model, context: isaacContext).0)
      #expect(l.crossbars < dense, "\(spec)")
      #expect(l.layouts.contains { ($0?.crossbars ?? []).contains { $0.tableEntries > 0 } }, "\(spec)")
    }
  }

  @Test("kernel-group pruning removes whole groups of 32 filters and the next layer's input rows")
  func kernelGroups() throws {
    let model = try resnet20Model()
    let (m, records) = try compressor("prune-kernel-group:ratio=0.5").compress(model, context: isaacContext)
    let i = m.network.layers.firstIndex { $0.name == "layer3.0.conv1" }!
    #expect(m.network.layers[i].outputShape.channels == 32)          // 64 filters = 2 groups, one removed
    #expect(m.network.layers[i + 1].inputShape.channels == 32)
    #expect(m.weights.layers[i + 1]!.inputs == 32 * 9)
    #expect(records.contains { $0.layer == "layer3.0.conv2" && $0.note.contains("input rows") })
    #expect(!records.contains { $0.layer == "layer3.0.conv2" && $0.note.contains("filter groups") })   // feeds an add
    #expect(try layout(m).crossbars < (try layout(model).crossbars))
    let r = try Simulation.run(network: m.network, spec: .isaac8bit, mapper: Im2colMapper())
    #expect(r.layers.count == m.network.layers.count)
    // The error is the removed filters' energy summed in channel order, to the last bit: the same
    // in every process (a Set's iteration order is not).
    let orig = model.weights.layers[i]!, kept = m.weights.layers[i]!
    func row(_ w: LayerWeights, _ o: Int) -> [Float] { Array(w.values[(o * w.inputs)..<((o + 1) * w.inputs)]) }
    let keptRows = Set((0..<kept.outputs).map { row(kept, $0) })
    var removed = 0.0
    for o in 0..<orig.outputs where !keptRows.contains(row(orig, o)) { for v in row(orig, o) { removed += Double(v) * Double(v) } }
    let record = try #require(records.first { $0.layer == "layer3.0.conv1" })
    #expect(record.relativeError == (removed / (orig.norm * orig.norm)).squareRoot())
  }

  @Test("kernel-group pruning of VGG follows channels through pooling into the FC layer")
  func kernelGroupsVGG() throws {
    let net = try BuiltinWorkloads.named("vgg8")
    let model = try CompressedModel(network: net, weights: SyntheticWeights(seed: 2).generate(for: net))
    let (m, _) = try compressor("prune-kernel-group:ratio=0.5,layers=conv6").compress(model, context: isaacContext)
    let fc = m.network.layers.first { $0.name == "fc1" }!
    #expect(fc.inputShape.elements == 256 * 4 * 4)
    #expect(m.weights.layers[m.network.layers.firstIndex { $0.name == "fc1" }!]!.inputs == 4096)
    _ = try Simulation.run(network: m.network, spec: .isaac8bit, mapper: Im2colMapper())
  }

  @Test("pattern pruning keeps exactly k taps per kernel, one pattern per input channel")
  func pattern() throws {
    let model = try resnet20Model()
    let (m, _) = try compressor("prune-pattern:taps=3,layers=layer1.0.conv1").compress(model, context: isaacContext)
    let i = m.network.layers.firstIndex { $0.name == "layer1.0.conv1" }!
    let keep = m.layers[i].keep!, w = m.weights.layers[i]!
    for ch in 0..<16 {
      let pattern = (0..<9).map { keep[ch * 9 + $0] }
      #expect(pattern.filter { $0 }.count == 3)
      for o in 0..<w.outputs { #expect((0..<9).map { keep[o * w.inputs + ch * 9 + $0] } == pattern) }
    }
  }

  @Test("pruned and quantized layouts execute bit-exactly what the crossbars hold",
        arguments: ["prune-crossbar:ratio=0.5", "prune-rows:ratio=0.5", "prune-columns:ratio=0.5", "prune-pattern:taps=4"],
        ["im2col", "vw-sdk", "sdk"])
  func functional(prune: String, mapperKind: String) throws {
    let model = try convModel(input: TensorShape(20, 6, 6), Convolution(outChannels: 40, kernel: 3, padding: 1))
    let ctx = CompressionContext(geometry: ArrayGeometry(rows: 64, columns: 64, slicesPerWeight: 4), weightBits: 8,
                                 mapper: try MapperRegistry.mapper(kind: mapperKind))
    let (m, _) = try CompressionPipeline.run(model, steps: [try compressor(prune), try compressor("quant-pow2")], context: ctx)
    let layout = try m.layout(mapper: ctx.mapper, geometry: ctx.geometry).layouts[0]!
    let q = m.layers[0].quantized!
    let modelBits = BitSerialModel(inputBits: 4, dacBits: 1, weightBits: 8, cellBits: 2, adcBits: 16, encoding: .offset)
    var rng = SeededRNG(seed: 9)
    let x = (0..<(20 * 36)).map { _ in Int.random(in: 0...15, using: &rng) }
    #expect(layout.zeroPoint == q.zeroPoint)
    let got = try FunctionalLayer.execute(compressed: m, layout: layout, input: x, model: modelBits)
    let signed = q.signed(m.weights.layers[0]!.values), stored = q.stored(m.weights.layers[0]!.values)
    #expect(got == FunctionalLayer.reference(layer: m.network.layers[0], weights: IntegerWeights(signed), input: x))
    // Pruned weights are stored exactly at the zero point.
    let keep = m.layers[0].keep!
    #expect(stored.indices.allSatisfy { keep[$0] || stored[$0] == q.zeroPoint })
  }

  @Test("bad ratios and options are errors naming the value", arguments: [
    ("prune-crossbar:ratio=1", "ratio='1' must be a number in [0.0, 1.0)"),
    ("prune-rows:ratio=-0.1", "ratio='-0.1'"),
    ("prune-columns", "exactly one of"),
    ("prune-kernel-group:ratio=0.5,layers=layer1.0.conv2", "layer layer1.0.conv2 cannot be compressed: its outputs reach a residual addition"),
    ("prune-pattern:taps=12,layers=layer1.0.conv1", "taps=12 exceeds the 9 taps of layer layer1.0.conv1"),
    ("prune-pattern:taps=2,layers=layer2.0.shortcut", "a 1x1 kernel has no pattern"),
    ("prune-crossbar:ratio=0.5,scope=everywhere", "scope='everywhere'"),
    ("prune-magic:ratio=0.5", "unknown compressor kind 'prune-magic'"),
  ])
  func badInput(spec: String, message: String) throws {
    do {
      _ = try compressor(spec).compress(try resnet20Model(), context: isaacContext)
      Issue.record("accepted \(spec)")
    } catch { #expect("\(error)".contains(message), "\(error)") }
  }
}
