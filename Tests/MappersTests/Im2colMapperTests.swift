import Testing
import CrossbarSim
@testable import Mappers

@Suite("Im2colMapper")
struct Im2colMapperTests {
  /// The im2col column of the published VW-SDK table: 512x512 array, one column per weight,
  /// inputs already padded (NeuroSim style), stride 1.
  static let published: [(Int, Int, Int, Int, Int)] = [
    (224, 3, 3, 64, 49284), (224, 3, 64, 64, 98568), (112, 3, 64, 128, 24200), (112, 3, 128, 128, 36300),
    (56, 3, 128, 256, 8748), (56, 3, 256, 256, 14580), (112, 7, 3, 64, 11236), (56, 3, 64, 64, 5832),
    (28, 3, 128, 128, 2028), (14, 3, 256, 256, 720),
  ]

  @Test("activations equal the published im2col computing cycles", arguments: published.indices)
  func publishedTable(i: Int) throws {
    let (size, k, ic, oc, cc) = Self.published[i]
    let net = try NeuroSimImporter.parse("\(size),\(size),\(ic),\(k),\(k),\(oc),0,1\n", source: "row", name: "row")
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: ArrayGeometry(rows: 512, columns: 512, slicesPerWeight: 1))
    #expect(layout.activations == cc)
  }

  @Test("every weight slice is placed exactly once", arguments: [(1, false), (4, false), (2, true)])
  func placedOnce(slices: Int, differential: Bool) throws {
    let net = try { () throws -> Network in
      var b = NetworkBuilder(name: "t", input: TensorShape(6, 5, 5))
      try b.conv("c", Convolution(outChannels: 10, kernel: 3, padding: 1, groups: 2))
      return b.network
    }()
    let g = ArrayGeometry(rows: 16, columns: 12, slicesPerWeight: slices, isDifferential: differential)
    let layout = try Im2colMapper().map(layer: 0, of: net, geometry: g)
    var seen: [String: Int] = [:]
    for x in layout.crossbars {
      #expect(x.rows.count <= 16 && x.columns.count <= 12)
      for c in x.columns { for r in x.rows where Int(r.channel) / 3 == Int(c.outChannel) / 5 {
        seen["\(c.outChannel),\(r.channel),\(r.dy),\(r.dx),\(c.slice),\(c.sign)", default: 0] += 1
      } }
    }
    #expect(seen.count == net.layers[0].parameters * g.columnsPerWeight)
    #expect(seen.values.allSatisfy { $0 == 1 })
  }

  @Test("crossbar counts follow ceil(K*K*IC / 128) x ceil(OC * 4 / 128) for 8-bit weights on 2-bit cells")
  func crossbarCount() throws {
    let net = try BuiltinWorkloads.named("resnet18")
    let layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))
    for (i, l) in net.layers.enumerated() where l.operation.isMatrix {
      let expected = ((l.weightRows + 127) / 128) * ((l.weightColumns * 4 + 127) / 128)
      #expect(layout.layouts[i]!.crossbars.count == expected, "\(l.name)")
    }
  }

  @Test("an array narrower than one weight is an error naming the layer")
  func tooNarrow() throws {
    let net = try NeuroSimImporter.parse("8,8,3,3,3,4,0,1\n", source: "x", name: "x")
    do {
      _ = try Im2colMapper().map(layer: 0, of: net, geometry: ArrayGeometry(rows: 64, columns: 2, slicesPerWeight: 4))
      Issue.record("accepted")
    } catch { #expect("\(error)".contains("layer conv1")) }
  }

  @Test("unknown mapper kinds list the known ones")
  func registry() {
    #expect(throws: InputError.self) { try MapperRegistry.mapper(kind: "magic") }
    do { _ = try MapperRegistry.mapper(kind: "magic") } catch { #expect("\(error)".contains("im2col")) }
    for m in allMappers { #expect((try? MapperRegistry.mapper(kind: m.kind))?.kind == m.kind) }
  }
}

@Suite("Grouped layouts")
struct GroupedLayoutTests {
  func layout(_ groups: Int, ic: Int, oc: Int, _ gl: String?) throws -> LayerLayout {
    var b = NetworkBuilder(name: "g", input: TensorShape(ic, 8, 8))
    try b.conv("c", Convolution(outChannels: oc, kernel: 3, padding: 1, groups: groups))
    let mapper = try gl.map { try Im2colMapper(options: ["groups": $0]) } ?? Im2colMapper()
    return try mapper.map(layer: 0, of: b.network, geometry: ArrayGeometry(.isaac8bit))
  }

  @Test("block-diagonal places no crossbar that holds only other groups' zeros")
  func noZeroCrossbars() throws {
    // 2 groups of 64 -> 32 channels, 3x3, 32 weights per array row. Per group: 576 rows in 5
    // chunks x 1 column chunk = 5 crossbars, 10 in all. Block-diagonal: 1152 rows in 9 chunks x 2
    // column chunks = 18, of which 8 (chunks 0-3 x group 1's columns, 5-8 x group 0's) hold only
    // zeros; chunk 4 straddles both groups.
    let per = try layout(2, ic: 128, oc: 64, "per-group"), block = try layout(2, ic: 128, oc: 64, "block-diagonal")
    #expect(per.crossbars.count == 10 && block.crossbars.count == 10)
    #expect(block.crossbars.allSatisfy { $0.usefulCells > 0 })
    // The tie goes to per group, and the note says so.
    let smaller = try layout(2, ic: 128, oc: 64, nil)
    #expect(smaller.crossbars.count == 10 && smaller.note.hasPrefix("per-group (smaller: 10 crossbars vs 10 block-diagonal)"))
  }

  @Test("the default picks the layout with fewer crossbars and names it")
  func smallerWins() throws {
    // 4 groups of 8 -> 8 channels: per group 72 rows x 8 weights, one crossbar each (4); block-
    // diagonal 288 rows in 3 chunks x 32 weights in one chunk: 3 crossbars, all holding weights.
    let per = try layout(4, ic: 32, oc: 32, "per-group"), block = try layout(4, ic: 32, oc: 32, "block-diagonal")
    #expect(per.crossbars.count == 4 && block.crossbars.count == 3)
    let smaller = try layout(4, ic: 32, oc: 32, nil)
    #expect(smaller.crossbars.count == 3 && smaller.note == "block-diagonal (smaller: 3 crossbars vs 4 per group)")
  }
}
