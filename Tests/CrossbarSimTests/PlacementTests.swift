import Testing
@testable import CrossbarSim
import Mappers

@Suite("Placement")
struct PlacementTests {
  /// Three 1x1 convs of one crossbar each.
  func threeLayers() throws -> Network {
    var b = NetworkBuilder(name: "three", input: TensorShape(8, 4, 4))
    for n in ["a", "b", "c"] { try b.conv(n, Convolution(outChannels: 8, kernel: 1)) }
    return b.network
  }

  func place(_ net: Network, _ spec: ArchSpec, rounds: Bool = false) throws -> Placement {
    try Placement.place(NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec)), spec: spec, allowRounds: rounds)
  }

  @Test("each layer starts on a fresh IMA, in network order")
  func freshIMA() throws {
    let spec = tinySpec(crossbars: 4) { $0.tile.imas = 3 }   // one tile of 3 IMAs x 4 crossbars
    let p = try place(threeLayers(), spec)
    #expect(p.stages.map(\.physical) == [[0], [4], [8]])
    #expect(p.rounds == 1 && p.crossbarsPerRound == [3])
  }

  @Test("a network that exactly fills the chip fits without rounds; one crossbar more does not")
  func exactFit() throws {
    let spec = tinySpec(tiles: 3, crossbars: 1)   // 3 tiles x 1 IMA x 1 crossbar
    let p = try place(threeLayers(), spec)
    #expect(p.rounds == 1 && p.stages.map(\.homeTile) == [0, 1, 2])
    #expect(try Simulation.run(network: threeLayers(), spec: spec, mapper: Im2colMapper()).rounds == 1)
    #expect(throws: InputError.self) { try place(threeLayers(), tinySpec(tiles: 2, crossbars: 1)) }
    #expect(try place(threeLayers(), tinySpec(tiles: 2, crossbars: 1), rounds: true).rounds == 2)
  }
}
