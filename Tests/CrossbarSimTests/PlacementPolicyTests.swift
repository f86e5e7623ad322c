import Testing
@testable import CrossbarSim
import Mappers

/// Where layers start under each placement policy, and what `auto` picks, on chips small enough to
/// work by hand.
@Suite("Placement policies")
struct PlacementPolicyTests {
  /// a: 3x3 conv 8 -> 16 on 10x10 (72 rows x 64 columns: one crossbar, 64 windows); b and c: 1x1
  /// convs 16 -> 16 (one crossbar each, 64 windows).
  func threeLayers() throws -> Network {
    var b = NetworkBuilder(name: "three", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 16, kernel: 1))
    try b.conv("c", Convolution(outChannels: 16, kernel: 1))
    return b.network
  }

  func starts(_ spec: ArchSpec, _ policy: PlacementPolicy, net: Network? = nil) throws -> [Int] {
    let layout = try NetworkLayout.map(net ?? threeLayers(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let p = try Placement.place(layout, spec: spec, allowRounds: false, policy: policy)
    return p.stages.map { $0.physical[0] }
  }

  @Test("ima starts every layer on the next IMA, crossbar on the next crossbar, router on the next router group")
  func starts() throws {
    // 8 tiles of one 8-crossbar IMA, 2 tiles per router: IMAs every 8 crossbars, router groups every 16.
    let spec = tinySpec(tiles: 8) { $0.chip.tilesPerRouter = 2 }
    #expect(try starts(spec, .ima) == [0, 8, 16])
    #expect(try starts(spec, .crossbar) == [0, 1, 2])
    #expect(try starts(spec, .router) == [0, 16, 32])
    // 4 tiles (32 crossbars): after b on group 16, c's group (32) is off the chip, so c takes the next IMA.
    let small = tinySpec(tiles: 4) { $0.chip.tilesPerRouter = 2 }
    #expect(try starts(small, .router) == [0, 16, 24])
  }

  @Test("layers sharing an IMA split its input register by their crossbars there")
  func sharedRegister() throws {
    // A 150-byte register holds two of a's 576-bit windows (72 rows x 8 bits) alone, one when b shares it.
    let spec = tinySpec(tiles: 4) { $0.ima.inputRegister.sizeBytes = 150 }
    let net = try threeLayers()
    let layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let alone = try Engine(spec: spec, layout: layout, options: .init(placement: .ima))
    let shared = try Engine(spec: spec, layout: layout, options: .init(placement: .crossbar))
    #expect(alone.core.config[0].capacity == 2)
    // a, b and c each hold one of IMA 0's 8 crossbars: 1200 / 3 = 400 bits for a's 576-bit windows.
    #expect(shared.core.config[0].capacity == 1)
    #expect(try shared.simulate().layers.allSatisfy { $0.windows == 64 })
  }

  @Test("auto shares IMAs when that lets replication balance the pipeline, and says so")
  func autoChoosesSharing() throws {
    // Three IMAs of 8 crossbars. a: 3x3 conv 32 -> 16 on 10x10 (288 rows: 3 crossbars, 64 windows);
    // b: 1x1 conv 16 -> 96 (384 columns: 3 crossbars, 64 windows); each window 8 bits x 128 cycles.
    let spec = tinySpec(tiles: 3)
    var builder = NetworkBuilder(name: "two", input: TensorShape(32, 10, 10))
    try builder.conv("a", Convolution(outChannels: 16, kernel: 3))
    try builder.conv("b", Convolution(outChannels: 96, kernel: 1))
    let layout = try NetworkLayout.map(builder.network, with: Im2colMapper(), geometry: ArrayGeometry(spec))
    #expect(layout.layouts.map { $0?.crossbars.count } == [3, 3])
    // On fresh IMAs: 2 copies of each fit one IMA, a third copy of a takes the last IMA: [3, 2],
    // b slowest with 32 windows a copy. Sharing IMAs: 4 copies each (24 crossbars), 16 windows.
    let options = SimulationOptions(images: 8, replication: .auto(budget: nil), placement: .auto)
    let choice = try PlacementChoice.choose(.auto, layout: layout, spec: spec, options: options)
    #expect(choice.policy == .crossbar && choice.replicas == [4, 4])
    let slowest: [UInt64] = choice.candidates.map(\.slowestStage.count)
    // ima, crossbar, router (one router group of 4 tiles holds this 3-tile chip: the plan of ima).
    let byHand: [UInt64] = [32 * 8 * 128, 16 * 8 * 128, 32 * 8 * 128]
    #expect(slowest == byHand)
    #expect(choice.note(clock: spec.clock)?.hasPrefix("placement auto chose crossbar (layers share IMAs)") == true)
    var ima = options
    ima.placement = .ima
    let fast = try Engine(spec: spec, layout: layout, options: options).simulate()
    let slow = try Engine(spec: spec, layout: layout, options: ima).simulate()
    #expect(slow.layers.map(\.replicas) == [3, 2] && fast.layers.map(\.replicas) == [4, 4])
    #expect(fast.placement == .crossbar && slow.placement == .ima)
    #expect(fast.imagesPerSecond > 1.5 * slow.imagesPerSecond)
    // Nothing to gain without replication: a tie, so auto keeps ima and has nothing to say.
    let none = try PlacementChoice.choose(.auto, layout: layout, spec: spec, options: .init())
    #expect(none.policy == .ima && none.note(clock: spec.clock) == nil)
  }
}
