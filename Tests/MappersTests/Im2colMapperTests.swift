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
