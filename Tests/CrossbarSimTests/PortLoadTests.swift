import Testing
@testable import CrossbarSim
import Mappers

/// The planner's router-port estimate on chips small enough to route by hand: 4 tiles, one per
/// router, routers in a 2 x 2 mesh (router 1 east of router 0, router 2 south of it).
@Suite("Router port load estimate")
struct PortLoadTests {
  let spec = tinySpec(tiles: 4) { $0.chip.tilesPerRouter = 1 }

  /// a: 3x3 conv 8 -> 16 on 10x10 (one crossbar; 16 x 8 x 8 outputs of 8 bits = 256 flits of 32 bits);
  /// then `consumer`.
  func load(_ consumer: Convolution, replicas: [Int], policy: PlacementPolicy) throws -> [Int] {
    var b = NetworkBuilder(name: "two", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", consumer)
    let layout = try NetworkLayout.map(b.network, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let p = try Placement.place(layout, spec: spec, allowRounds: false, replicas: replicas, policy: policy)
    return PortLoad(layout, placement: p, spec: spec).flits
  }

  func port(_ router: Int, _ direction: Int) -> Int { PortID(router: router, direction: direction).index }

  @Test("one consumer on the next router: every output crosses router 0's east port and router 1's local port")
  func oneCopy() throws {
    let flits = try load(Convolution(outChannels: 16, kernel: 1), replicas: [1, 1], policy: .router)
    var expected = [Int](repeating: 0, count: 4 * 5)
    expected[port(0, 0)] = 256; expected[port(1, 4)] = 256
    #expect(flits == expected)
    // Both layers on tile 0 (sharing its IMA): nothing crosses the network.
    #expect(try load(Convolution(outChannels: 16, kernel: 1), replicas: [1, 1], policy: .crossbar).allSatisfy { $0 == 0 })
  }

  @Test("two copies of a 1x1 consumer on two tiles each receive half the outputs; of a 3x3 one, all of them")
  func twoCopies() throws {
    // b: 1x1 conv 16 -> 256 (1,024 columns: 8 crossbars, a whole tile a copy): copies on tiles 1 and 2.
    let flits = try load(Convolution(outChannels: 256, kernel: 1), replicas: [1, 2], policy: .ima)
    var expected = [Int](repeating: 0, count: 4 * 5)
    expected[port(0, 0)] = 128; expected[port(1, 4)] = 128   // east to tile 1
    expected[port(0, 3)] = 128; expected[port(2, 4)] = 128   // south to tile 2
    #expect(flits == expected)
    // b: 3x3 conv 16 -> 128 (144 rows x 512 columns: 8 crossbars, a tile a copy): the 9 windows that
    // read a middle pixel are dealt to both copies, so each tile receives every output.
    let wide = try load(Convolution(outChannels: 128, kernel: 3), replicas: [1, 2], policy: .ima)
    #expect(wide[port(1, 4)] == 256 && wide[port(2, 4)] == 256)
  }
}

@Suite("Placement auto weighs router ports")
struct AutoPortTests {
  @Test("ResNet-20 on the full chip with replication: auto spreads layers over router groups, and says why")
  func resnet20Router() throws {
    // Measured (release build): router placement streams 75,929 images/s against 58,097 on fresh IMAs,
    // both paced by a router's local port; the crossbar stages tie (6.40 us per image).
    let spec = ArchSpec.isaac8bit
    let layout = try NetworkLayout.map(try BuiltinWorkloads.named("resnet20"), with: Im2colMapper(),
                                       geometry: ArrayGeometry(spec))
    let options = SimulationOptions(images: 16, replication: .auto(budget: nil), placement: .auto)
    let choice = try PlacementChoice.choose(.auto, layout: layout, spec: spec, options: options)
    #expect(choice.policy == .router)
    let by = Dictionary(uniqueKeysWithValues: choice.candidates.map { ($0.policy, $0) })
    let ima = try #require(by[.ima]), router = try #require(by[.router])
    #expect(ima.slowestStage == router.slowestStage && router.busiestPort < ima.busiestPort)
    #expect(router.busiestPort > router.slowestStage)   // the port, not the crossbars, sets the pace
    #expect(choice.note(clock: spec.clock)?.contains("busiest router port") == true)
  }
}
