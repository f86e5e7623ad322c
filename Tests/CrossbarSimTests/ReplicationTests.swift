import Foundation
import Testing
@testable import CrossbarSim
import Mappers

@Suite("Replication")
struct ReplicationTests {
  /// a: 8x10x10 -> 16x8x8 (one crossbar, 64 windows); b: 3x3 on a's output to 8 channels
  /// (two crossbars, 36 windows). Both activations take 8 reads of 128 cycles.
  func chain() throws -> Network {
    var b = NetworkBuilder(name: "chain", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 8, kernel: 3))
    return b.network
  }

  func factors(_ plan: String, _ spec: ArchSpec, _ net: Network) throws -> [Int] {
    try ReplicationPlan.parse(plan, spec: spec).factors(for: NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec)), spec: spec)
  }

  @Test("auto gives the slowest layer the fewest copies that shorten it, until the budget runs out")
  func autoGreedy() throws {
    // 4 IMAs of 8 crossbars; a and b take one IMA each. a (64 windows) is slowest: 2 copies fit
    // its IMA; then b (36) gets 2 copies (4 crossbars, its IMA); then a (32) wants 3 (same IMA),
    // then b (18) 3, ..., each pair costing nothing until a copy spills into a new IMA.
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 4 }
    #expect(try factors("none", spec, chain()) == [1, 1])
    // a: ceil(64/k) vs b: ceil(36/k'); with both layers' copies in 16 crossbars each (2 IMAs):
    // a up to 16 copies (4 windows each), b up to 8 copies of 2 crossbars (5 windows each).
    let auto = try factors("auto", spec, chain())
    #expect(auto == [16, 8])
    #expect(try factors("auto:crossbars=16", spec, chain()) == [8, 4])   // one IMA each: 8 x 1, 4 x 2
    #expect(try factors("auto:tiles=1", spec, chain()) == auto)
    #expect(try factors("a=3,b=2", spec, chain()) == [3, 2])
  }

  @Test("auto never spends a copy that shortens nothing: 64 windows take 8 copies of 8, and 9 would still leave 8")
  func noWastedCopy() throws {
    // One-crossbar IMAs, so every copy costs one crossbar. 64 windows: k = 8 leaves 8 windows a
    // copy; 9 copies still leave ceil(64 / 9) = 8, and the next gain (7 a copy) needs 10.
    var b = NetworkBuilder(name: "one", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    let spec = tinySpec(crossbars: 1) { $0.tile.imas = 16 }
    #expect(try factors("auto:crossbars=9", spec, b.network) == [8])
    #expect(try factors("auto:crossbars=10", spec, b.network) == [10])
    // Whatever the budget, the copies auto picks are the fewest giving their windows per copy.
    for budget in 1...16 {
      let k = try factors("auto:crossbars=\(budget)", spec, b.network)[0]
      #expect(k <= budget && (k == 1 || (64 + k - 2) / (k - 1) > (64 + k - 1) / k), "budget \(budget): \(k) copies")
    }
  }

  @Test("auto stops where the slowest stage it cannot replicate sets the pace")
  func digitalFloor() throws {
    // conv: 18x18x8 -> 16x16x16, one crossbar, 256 windows of 1024 cycles; a 2x2/2 max pool on
    // one 1-lane unit: 64 windows x 64 values = 4096 cycles per image (its 1024 input flits take
    // less). Copies below 4096 cycles gain nothing: 256 x 1024 / k <= 4096 at k = 64, although
    // 256 one-crossbar copies would fit.
    var b = NetworkBuilder(name: "floor", input: TensorShape(8, 18, 18))
    try b.conv("conv", Convolution(outChannels: 16, kernel: 3))
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 40; $0.tile.maxPool.lanes = 1 }
    #expect(try factors("auto", spec, b.network) == [64, 1])
  }

  @Test("replicated windows are dealt round-robin: window w runs on copy w mod k")
  func roundRobin() throws {
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 2 }
    let sink = ChromeTrace()
    let r = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper(),
                               options: SimulationOptions(replication: .explicit([.init(layer: "a", replicas: 3)])), trace: sink)
    #expect(r.layers[0].replicas == 3 && r.layers[0].crossbars == 3 && r.layers[0].activations == 64)
    let doc = try JSONSerialization.jsonObject(with: Data(sink.json().utf8)) as! [String: Any]
    let spans = (doc["traceEvents"] as! [[String: Any]]).filter { $0["name"] as? String == "a" && ($0["tid"] as! Int) < 8 }
    #expect(spans.count == 64)
    for s in spans {
      let window = (s["args"] as! [String: Any])["window"] as! Int
      #expect(s["tid"] as? Int == window % 3, "window \(window)")   // copies on crossbars 0, 1, 2
    }
    // Copies on three tiles: each fetches the inputs of its own windows (22, 21 and 21 of 64) from
    // its tile's buffer, a reservation and a read each.
    var n = NetworkBuilder(name: "t", input: TensorShape(8, 10, 10))
    try n.conv("a", Convolution(outChannels: 16, kernel: 3))
    let spread = try Simulation.run(network: n.network, spec: tinySpec(tiles: 3, crossbars: 1), mapper: Im2colMapper(),
                                    options: SimulationOptions(replication: .explicit([.init(layer: "a", replicas: 3)])))
    #expect((0..<3).map { t in spread.resources.first { $0.path == "tile\(t).buffer" }?.server.requests } == [44, 42, 42])
  }

  @Test("a replicated producer sends each output from its copy's tile; a replicated 1x1 consumer receives only its own windows")
  func targetedDelivery() throws {
    // Four tiles, one crossbar and one router each: a 2 x 2 mesh, hops = distance + 1. Outputs of
    // a are 16 x 8 bits = 4 flits. a on tiles 0 and 1 (even and odd windows), b1 (1x1) on tile 2:
    // even windows 0 -> 2 take 2 hops, odd 1 -> 2 take 3.
    var n = NetworkBuilder(name: "t", input: TensorShape(8, 10, 10))
    try n.conv("a", Convolution(outChannels: 16, kernel: 3))
    try n.conv("b1", Convolution(outChannels: 8, kernel: 1))
    let spec = tinySpec(tiles: 4, crossbars: 1) { $0.chip.tilesPerRouter = 1 }
    let r = try Simulation.run(network: n.network, spec: spec, mapper: Im2colMapper(),
                               options: SimulationOptions(replication: .explicit([.init(layer: "a", replicas: 2)])))
    #expect(r.layers[0].counts[.nocFlitHop] == Double(32 * 4 * 2 + 32 * 4 * 3))
    // The other way round: a on tile 0, b1 in two copies on tiles 1 and 2; window w of a feeds
    // only window w of b1, on copy w mod 2: 2 hops to either tile.
    let s = try Simulation.run(network: n.network, spec: spec, mapper: Im2colMapper(),
                               options: SimulationOptions(replication: .explicit([.init(layer: "b1", replicas: 2)])))
    #expect(s.layers[0].counts[.nocFlitHop] == Double(64 * 4 * 2))
    // Half of them leave east to tile 1, half south to tile 2.
    #expect(["router0.east", "router0.south"].map { p in s.resources.first { $0.path == p }?.server.requests } == [32, 32])
  }

  @Test("two consumers on one tile get one transfer and one buffer write of a shared input")
  func sharedDestination() throws {
    // x (16 x 9 = 144 rows: two crossbars) fills tile 0's two one-crossbar IMAs; c1 and c2, both
    // 1x1 convs reading x, sit on tile 1. Each of x's 64 windows (16 x 8 bits = 4 flits) crosses
    // once, 2 hops (two routers side by side), and is written once into tile 1's buffer.
    var n = NetworkBuilder(name: "fork", input: TensorShape(16, 10, 10))
    let x = try n.conv("x", Convolution(outChannels: 16, kernel: 3))
    try n.conv("c1", Convolution(outChannels: 8, kernel: 1), from: x)
    try n.conv("c2", Convolution(outChannels: 8, kernel: 1), from: x)
    let spec = tinySpec(tiles: 2, crossbars: 1) { $0.chip.tilesPerRouter = 1; $0.tile.imas = 2 }
    let r = try Simulation.run(network: n.network, spec: spec, mapper: Im2colMapper())
    #expect(r.layers[0].counts[.nocFlitHop] == Double(64 * 4 * 2))
    #expect(r.resources.first { $0.path == "router0.east" }?.server.requests == 64)
    // Tile 1's buffer: 64 arrivals of one 128-bit beat, then c1's and c2's 64 fetches of 16 x 8 bits.
    #expect(r.resources.first { $0.path == "tile1.buffer" }?.server.busy.count == UInt64(64 + 2 * 64 + 2 * 64))
  }

  @Test("the replicated pipeline: resnet20 on isaac-8bit, auto copies conv1 and streams at least 3x the images of none")
  func resnet20Throughput() throws {
    let net = try BuiltinWorkloads.named("resnet20")
    let none = try Simulation.run(network: net, spec: .isaac8bit, mapper: Im2colMapper(), options: SimulationOptions(images: 4))
    let auto = try Simulation.run(network: net, spec: .isaac8bit, mapper: Im2colMapper(),
                                  options: SimulationOptions(images: 4, replication: .auto(budget: nil)))
    #expect(auto.layers[0].name == "conv1" && auto.layers[0].replicas > 1)
    #expect(auto.imagesPerSecond >= 3 * none.imagesPerSecond)
    // Every residual join's shortcut has room for its skew to the conv branch: nothing spills.
    #expect(auto.spilledBytes == 0 && none.spilledBytes == 0)
    #expect(auto.layers.reduce(0) { $0 + $1.crossbars } <= ArchSpec.isaac8bit.crossbarsPerChip)
  }

  @Test("bad replication requests are errors naming the layer or the limit", arguments: [
    ("a=0", "replication factor '0' must be an integer >= 1"),
    ("nope=2", "no layer named 'nope'"),
    ("a=2,a=3", "layer a given twice"),
    ("a", "expected none, auto"),
    ("auto:crossbars=4", "the model needs 16 crossbars"),
    ("auto:tiles=9", "the chip has 1 tiles"),
    ("auto:crossbars=8,tiles=1", "not both"),
    ("a=40", "copy 33 of 40 needs 1 crossbars"),
  ])
  func badInput(plan: String, message: String) throws {
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 4 }
    do {
      let p = try ReplicationPlan.parse(plan, spec: spec)
      _ = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper(),
                             options: SimulationOptions(replication: p, placement: .ima))
      Issue.record("accepted \(plan)")
    } catch { #expect("\(error)".contains(message), "\(error)") }
  }

  @Test("a budget too small for every layer on fresh IMAs fits when layers share IMAs (placement auto)")
  func budgetShared() throws {
    let spec = tinySpec(crossbars: 8) { $0.tile.imas = 4 }
    let p = try ReplicationPlan.parse("auto:crossbars=4", spec: spec)
    let r = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper(), options: SimulationOptions(replication: p))
    #expect(r.placement == .crossbar && r.layers.reduce(0) { $0 + $1.crossbars } <= 4)
  }

  @Test("replication does not mix with rounds, and a pooling layer has nothing to replicate")
  func incompatible() throws {
    var b = NetworkBuilder(name: "p", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    let spec = tinySpec()
    #expect(throws: InputError.self) {
      try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper(),
                         options: SimulationOptions(allowRounds: true, replication: .explicit([.init(layer: "a", replicas: 2)])))
    }
    do {
      _ = try Simulation.run(network: b.network, spec: spec, mapper: Im2colMapper(),
                             options: SimulationOptions(replication: .explicit([.init(layer: "pool", replicas: 2)])))
      Issue.record("accepted")
    } catch { #expect("\(error)".contains("layer pool has no weights to replicate")) }
  }
}
