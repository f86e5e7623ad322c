import Testing
@testable import CrossbarSim
import Mappers

/// Hand-worked timing and resource cases on tiny chips. Figures of `tinySpec` (isaac-8bit): base
/// clock 1.28 GHz, read 100 ns = 128 cycles, 8 input cycles, one ADC per crossbar at 1.28 GS/s
/// (N columns convert in N cycles), buffer bus 256 bits + 1 ns = 2 cycles, 32-bit flits of
/// 1 cycle, 1 ns = 2 cycles per hop, 8-bit outputs, partial sums at 16 bits.
@Suite("Engine timing, hand-worked")
struct EngineTimingTests {
  func run(_ net: Network, _ spec: ArchSpec, _ options: SimulationOptions = .init()) throws -> SimulationResult {
    try Simulation.run(network: net, spec: spec, mapper: Im2colMapper(), options: options)
  }

  func resource(_ r: SimulationResult, _ path: String) -> Server? { r.resources.first { $0.path == path }?.server }

  /// 8x10x10 input, 3x3 conv to 16 channels: one crossbar of 72 rows x 64 columns, 64 windows.
  func oneCrossbar() throws -> Network {
    try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
  }

  @Test("a conversion-bound crossbar takes ceil(columns / ADCs) conversions per bit: 64 columns on 3 ADCs")
  func conversionBound() throws {
    // ceil(64 / 3) = 22 conversions at 0.16 GS/s = 137.5 ns = 176 cycles per bit, longer than a
    // 128-cycle read, so every bit after the first waits for the sample-and-hold: the array runs
    // from the first read (128 cycles) through 64 x 8 - 1 further bits of 176 cycles.
    let spec = tinySpec { $0.ima.adc.countPerCrossbar = 3; $0.ima.adc.sampleRateGSps = 0.16 }
    let r = try run(oneCrossbar(), spec)
    #expect(r.layers[0].arrayCycles.count == 128 + (64 * 8 - 1) * 176)
    // The same 64 columns on 4 ADCs: 16 conversions = 100 ns = 128 cycles, exactly a read.
    let even = try run(oneCrossbar(), tinySpec { $0.ima.adc.countPerCrossbar = 4; $0.ima.adc.sampleRateGSps = 0.16 })
    #expect(even.layers[0].arrayCycles.count == UInt64(64 * 8 * 128))
  }

  @Test("one window in flight: each window is fetch, 8 reads, the last conversion batch, one S+A cycle, the write")
  func inputRegisterOfOneWindow() throws {
    // A 100-byte input register holds one 72-row x 8-bit window (576 bits), so the next window is
    // issued only when the previous one is written: fetch 3 beats + 2, reads 8 x 128, 64
    // conversions, 1 S+A cycle, write of 16 x 8 bits = 1 beat + 2.
    let spec = tinySpec { $0.ima.inputRegister.sizeBytes = 100 }
    let r = try run(oneCrossbar(), spec)
    #expect(r.totalCycles.count == 64 * (5 + 8 * 128 + 64 + 1 + 3))
    // A register for two windows overlaps the next fetch with the current activation.
    let two = try run(oneCrossbar(), tinySpec { $0.ima.inputRegister.sizeBytes = 144 })
    #expect(two.totalCycles < r.totalCycles)
  }

  @Test("max pooling uses its own unit: busy windows x ceil(values / lanes), the tile shift-and-add idle")
  func maxPoolUnit() throws {
    var b = NetworkBuilder(name: "pool", input: TensorShape(8, 10, 10))
    try b.conv("conv", Convolution(outChannels: 16, kernel: 3))
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    // 4x4 pooled outputs, each reading 2 x 2 x 16 = 64 values on 3 lanes: ceil(64 / 3) = 22 cycles.
    let r = try run(b.network, tinySpec { $0.tile.maxPool.lanes = 3 })
    let pool = try #require(resource(r, "tile0.maxPool"))
    #expect(pool.requests == 16 && pool.busy.count == 16 * 22)
    #expect(resource(r, "tile0.shiftAdd") == nil)   // one crossbar: no partial sums to add
    #expect(r.layers[1].counts[.maxPoolOp] == Double(16 * 22))
  }

  @Test("a residual addition reads every input: windows x ceil(inputs x channels / lanes) S+A cycles")
  func residualAdd() throws {
    var b = NetworkBuilder(name: "res", input: TensorShape(8, 6, 6))
    let a = try b.conv("a", Convolution(outChannels: 8, kernel: 3, padding: 1))
    let c = try b.conv("b", Convolution(outChannels: 8, kernel: 3, padding: 1))
    try b.add("add", a, c)
    // 36 pixels, each adding 2 x 8 values on 5 lanes: ceil(16 / 5) = 4 cycles.
    let r = try run(b.network, tinySpec { $0.tile.imas = 2; $0.tile.shiftAdd.lanes = 5 })
    let sa = try #require(resource(r, "tile0.shiftAdd"))
    #expect(sa.requests == 36 && sa.busy.count == 36 * 4)
  }

  @Test("partial sums of row tiles are reduced in ceil(additions / lanes) S+A cycles per window")
  func partialSums() throws {
    // 64 x 9 = 576 rows on 5 crossbars, each holding all 16 outputs: 16 x 4 additions per window,
    // on 10 lanes 7 cycles; 4 x 4 windows.
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))
    let r = try run(net, tinySpec { $0.tile.shiftAdd.lanes = 10 })
    let sa = try #require(resource(r, "tile0.shiftAdd"))
    #expect(r.layers[0].crossbars == 5)
    #expect(sa.requests == 16 && sa.busy.count == 16 * 7)
    #expect(r.counts[.tileShiftAdd] == Double(16 * 7))
  }

  /// 40 x 9 = 360 rows on three one-crossbar tiles (0, 1, 2), 13 outputs; then a 1x1 conv on tile 3.
  func threeTileLayer() throws -> Network {
    var b = NetworkBuilder(name: "spread", input: TensorShape(40, 6, 6))
    try b.conv("wide", Convolution(outChannels: 13, kernel: 3))
    try b.conv("next", Convolution(outChannels: 16, kernel: 1))
    return b.network
  }

  @Test("flit-hops follow the mesh: partial sums travel to the layer's first tile, outputs from it to the consumer")
  func meshHops() throws {
    // Four tiles, one router each: a 2 x 2 mesh, tile t at (t % 2, t / 2); hops = distance + 1.
    // Per window: tiles 1 and 2 send 13 partial sums x 16 bits = 7 flits to home tile 0 (2 hops
    // each); home sends 13 outputs x 8 bits = 4 flits to tile 3 (3 hops). 4 x 4 windows.
    let spec = tinySpec(tiles: 4, crossbars: 1) { $0.chip.tilesPerRouter = 1 }
    let r = try run(threeTileLayer(), spec)
    #expect(r.layers[0].counts[.nocFlitHop] == Double(16 * (7 * 2 + 7 * 2 + 4 * 3)))
    #expect(r.layers[1].counts[.nocFlitHop] == 0)
    // XY routes: tile 1 -> 0 leaves router 1 westwards, tile 2 -> 0 northwards, both end on router
    // 0's local port; the outputs leave router 0 eastwards, turn south at router 1, end at 3.
    #expect(resource(r, "router1.west")?.busy.count == 16 * 7)
    #expect(resource(r, "router2.north")?.busy.count == 16 * 7)
    #expect(resource(r, "router0.local")?.busy.count == 2 * 16 * 7)
    #expect(resource(r, "router0.east")?.busy.count == 16 * 4 && resource(r, "router1.south")?.busy.count == 16 * 4)
    #expect(resource(r, "router3.local")?.busy.count == 16 * 4 && resource(r, "router3.north") == nil)
  }

  @Test("transfers on one link serialise: nothing is still busy when the run ends, and a slow link sets the pace")
  func linkSerialises() throws {
    // 200 ns flits (256 cycles): a 7-flit partial-sum transfer holds each port 1792 cycles, and
    // both partial-sum streams end on router 0's local port: 3584 cycles a window, far longer
    // than the 1024-cycle activation, so that port sets the pace.
    let spec = tinySpec(tiles: 4, crossbars: 1) { $0.chip.tilesPerRouter = 1; $0.tile.router.flitLatencyNs = 200 }
    let r = try run(threeTileLayer(), spec)
    for x in r.resources {
      #expect(x.server.freeAt.value <= r.totalCycles.count, "\(x.path) busy after the run ended")
      #expect(x.server.busy <= r.totalCycles, "\(x.path)")
    }
    let link = try #require(resource(r, "router0.local"))
    #expect(link.busy.count == 2 * 16 * 7 * 256)
    #expect(link.waited.count > 0)
    // The last partial sum has arrived one hop after the local port sent its tail.
    #expect(r.layers[0].end.value >= link.freeAt.value + 2)
    #expect(r.totalCycles.count > 2 * 16 * 7 * 256)
  }

  @Test("a layer's home tile is the first tile it occupies")
  func homeTile() throws {
    let spec = tinySpec(tiles: 4, crossbars: 1) { $0.chip.tilesPerRouter = 1 }
    let layout = try NetworkLayout.map(threeTileLayer(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let p = try Placement.place(layout, spec: spec, allowRounds: false)
    #expect(p.stages[0].tiles == [0, 1, 2] && p.stages[0].homeTile == 0)
    #expect(p.stages[1].tiles == [3] && p.stages[1].homeTile == 3)
  }

  @Test("every output value is activated, rescaled and counted once per window")
  func perOutputCounts() throws {
    let spec = tinySpec()
    var layout = try NetworkLayout.map(oneCrossbar(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    layout.layouts[0]!.rescale = .shift
    let r = try Engine(spec: spec, layout: layout).simulate()
    #expect(r.counts[.rescaleShift] == Double(64 * 16))                  // 64 windows x 16 outputs
    #expect(r.counts[.sigmoidOp] == Double(64))                         // ceil(16 / 64 lanes) per window
    #expect(r.counts[.tileOutputRegisterAccess] == Double(64))          // 128 bits per window, 128-bit port
    layout.layouts[0]!.rescale = .multiply
    let m = try Engine(spec: spec, layout: layout).simulate()
    #expect(m.counts[.rescaleMultiply] == Double(64 * 16) && m.counts[.rescaleShift] == 0)
    // Float scales (`data.scales: float`) multiply every output of a layer no compressor rescaled.
    layout.layouts[0]!.rescale = .none
    var float = spec
    float.data.scales = .float
    let f = try Engine(spec: float, layout: layout).simulate()
    #expect(f.counts[.rescaleMultiply] == Double(64 * 16))
    #expect(try Engine(spec: spec, layout: layout).simulate().counts[.rescaleMultiply] == 0)
    float.tile.rescale.multipliersPerTile = 0
    #expect(throws: InputError.self) { try Engine(spec: float, layout: layout).simulate() }
  }

  @Test("busy time per tile and layer: reads, conversions and shift-and-add ops of every activation")
  func unitBusy() throws {
    // 64 activations of 8 reads of 128 cycles; 64 columns converted in 64 cycles per bit; the
    // IMA shift-and-add folds 64 columns x 8 bits on 1-lane units: 512 unit-cycles each.
    let r = try run(oneCrossbar(), tinySpec())
    func stat(_ path: String) -> ResourceStats? { r.resources.first { $0.path == path } }
    #expect(stat("tile0.crossbars")?.server.busy.count == 64 * 8 * 128 && stat("tile0.crossbars")?.units == 8)
    #expect(stat("tile0.adcs")?.server.busy.count == 64 * 8 * 64 && stat("tile0.sampleHolds")?.server.busy.count == 64 * 8 * 64)
    #expect(stat("tile0.imaShiftAdds")?.server.busy.count == 64 * 512 && stat("tile0.imaShiftAdds")?.units == 4)
    #expect(r.layers[0].crossbarBusyCycles.count == 64 * 8 * 128 && r.layers[0].adcBusyCycles.count == 64 * 8 * 64)
    let u = try #require(stat("tile0.crossbars")).utilization(over: r.totalCycles)
    #expect(abs(u - Double(64 * 8 * 128) / (8 * Double(r.totalCycles.count))) < 1e-12)
  }

  @Test("an index table holds an entry per kept row of ceil(log2(weight rows)) bits, priced per bit")
  func tableCounts() throws {
    let spec = tinySpec { $0.sparsityTable.leakagePerBitMW = 0.001 }
    var layout = try NetworkLayout.map(oneCrossbar(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    layout.layouts[0]!.crossbars[0].tableEntries = 72   // 72 rows, each an index among 3x3x8 = 72: 7 bits
    let r = try Engine(spec: spec, layout: layout).simulate()
    #expect(r.sparsityTables == 1 && r.tableEntries == 72 && r.tableBits == 72 * 7)
    #expect(abs(r.leakagePowerMW - 0.504) < 1e-12)
    #expect(abs(r.tableAreaMm2 - 504 * spec.sparsityTable.areaPerBitUm2 * 1e-6) < 1e-15)
    // A 1x1 layer of 200 input channels indexes 200 rows: 8 bits an entry.
    var wide = try NetworkLayout.map(convNetwork(input: TensorShape(200, 4, 4), Convolution(outChannels: 8, kernel: 1)),
                                     with: Im2colMapper(), geometry: ArrayGeometry(spec))
    wide.layouts[0]!.crossbars[0].tableEntries = 100
    #expect(try Engine(spec: spec, layout: wide).simulate().tableBits == 100 * 8)
    // 128 rows need exactly 7 bits.
    var pow2 = try NetworkLayout.map(convNetwork(input: TensorShape(128, 4, 4), Convolution(outChannels: 8, kernel: 1)),
                                     with: Im2colMapper(), geometry: ArrayGeometry(spec))
    pow2.layouts[0]!.crossbars[0].tableEntries = 64
    #expect(try Engine(spec: spec, layout: pow2).simulate().tableBits == 64 * 7)
  }

  @Test("at weight granularity an index table holds an entry per kept weight, of auto or fixed width")
  func tableWeightGranularity() throws {
    // 8x10x10, 3x3 to 16 channels, 8-bit weights on 4 cells: 72 rows x 64 columns, 1,152 weights.
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
    func bits(_ edit: (inout SparsityTableSpec) -> Void, pruned: Int = 0) throws -> Int {
      let spec = tinySpec { edit(&$0.sparsityTable) }
      var layout = try NetworkLayout.map(net, with: Im2colMapper(), geometry: ArrayGeometry(spec))
      layout.layouts[0]!.crossbars[0].tableEntries = 72
      layout.layouts[0]!.crossbars[0].usefulCells = 72 * 64 - 4 * pruned   // a pruned weight frees its 4 cells
      return try Engine(spec: spec, layout: layout).simulate().tableBits
    }
    #expect(try bits { _ in } == 72 * 7)                                            // rows, ceil(log2 72) bits
    #expect(try bits({ $0.granularity = .weight }, pruned: 0) == 1_152 * 7)
    #expect(try bits({ $0.granularity = .weight }, pruned: 152) == 1_000 * 7)
    #expect(try bits({ $0.granularity = .weight; $0.indexBits = .fixed(4) }, pruned: 152) == 1_000 * 4)
    #expect(try bits({ $0.indexBits = .fixed(3) }) == 72 * 3)
  }

  @Test("on a non-square array, a read is charged for the fraction of the rows x columns it drives")
  func nonSquareRead() throws {
    // 64 x 32 arrays, 8-bit weights on 2-bit cells: 8 weights per row. 8x10x10, 3x3 to 8 channels:
    // 72 rows = 64 + 8 on two crossbars, 32 columns each; 64 windows of 8 bits.
    let spec = tinySpec { $0.ima.crossbar.rows = 64; $0.ima.crossbar.columns = 32 }
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 8, kernel: 3))
    let r = try run(net, spec)
    #expect(r.layers[0].crossbars == 2)
    #expect(abs(r.counts[.crossbarRead] - 64 * 8 * (64.0 * 32 + 8 * 32) / (64 * 32)) < 1e-9)
    #expect(r.counts[.dacDrive] == Double(64 * 8 * 72))
    #expect(r.counts[.adcConvert] == Double(64 * 8 * 64))
    #expect(abs(r.layers[0].utilization - Double(72 * 32) / Double(2 * 64 * 32)) < 1e-12)
  }
}

@Suite("Pipeline dependencies")
struct PipelineDependencyTests {
  @Test("a consumer window is issued exactly when the producer outputs it reads have been delivered, not a step earlier or later")
  func consumerWaitsForItsInputs() throws {
    // a: 8x10x10 -> 8x8x8, b: 3x3 on a's 8x8 output -> 8x6x6, one crossbar each, two IMAs of tile 0.
    // b's window (y, x) reads a's pixels up to (y + 2, x + 2): a (im2col, row-major) must have
    // delivered its first (y + 2) x 8 + (x + 2) + 1 windows.
    var b = NetworkBuilder(name: "chain", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 8, kernel: 3))
    try b.conv("b", Convolution(outChannels: 8, kernel: 3))
    let spec = tinySpec { $0.tile.imas = 2 }
    let engine = try Engine(spec: spec, layout: NetworkLayout.map(b.network, with: Im2colMapper(), geometry: ArrayGeometry(spec)))
    func need(_ w: Int) -> Int { (w / 6 + 2) * 8 + (w % 6 + 2) + 1 }
    var early: [Int] = [], late: [Int] = [], steps = 0
    engine.run(until: .zero)   // starts the run
    while let t = engine.core.queue.nextTime {
      engine.run(until: t)
      steps += 1
      let consumer = engine.core.progress[1], delivered = engine.core.edges[0].prefix
      let issued = consumer.nextWindow
      if issued > 0, need(issued - 1) > delivered { early.append(issued - 1) }
      if issued < 36, issued < consumer.oldest + engine.core.config[1].capacity, need(issued) <= delivered { late.append(issued) }
    }
    #expect(early.isEmpty, "windows issued before their inputs: \(early.prefix(5))")
    #expect(late.isEmpty, "windows held back although their inputs were there: \(late.prefix(5))")
    #expect(engine.core.progress[1].completed == 36 && steps > 100)
  }
}

@Suite("Streaming images")
struct StreamingTests {
  /// a: 8x10x10 -> 16x8x8 (one crossbar, 64 windows of 8 x 128 cycles: 65,536 cycles per image);
  /// b: 3x3 on a's output to 8 channels (two crossbars in parallel, 36 windows: 36,864 cycles).
  func chain() throws -> Network {
    var b = NetworkBuilder(name: "chain", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 8, kernel: 3))
    return b.network
  }

  @Test("an uncontended pipelined chain delivers one image per busy time of its slowest stage, within 1 %")
  func throughputIsTheSlowestStage() throws {
    let spec = tinySpec { $0.tile.imas = 2 }
    let r = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper(), options: SimulationOptions(images: 8))
    let slowest = spec.clock.ns(Cycles(64 * 8 * 128))   // 51,200 ns
    #expect(r.imageCompletions.count == 8 && zip(r.imageCompletions, r.imageCompletions.dropFirst()).allSatisfy { $0 < $1 })
    #expect(abs(r.initiationIntervalNs - slowest) / slowest < 0.01)
    #expect(abs(r.imagesPerSecond - 1e9 / slowest) / (1e9 / slowest) < 0.01)
    #expect(r.layers[0].windows == 8 * 64 && r.layers[0].activations == 8 * 64 && r.layers[0].computingCycles == 64)
  }

  @Test("every image costs the same energy as one image alone, and the first image is not faster than alone")
  func perImage() throws {
    let spec = tinySpec { $0.tile.imas = 2 }
    let one = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper())
    let many = try Simulation.run(network: chain(), spec: spec, mapper: Im2colMapper(), options: SimulationOptions(images: 5))
    #expect(abs(many.energyPerImagePJ - one.energyPJ) <= 1e-9 * one.energyPJ)
    #expect(many.counts[.adcConvert] == 5 * one.counts[.adcConvert])
    #expect(many.firstImageLatencyNs >= one.latencyNs && many.imageCompletions.last!.value == many.totalCycles.count)
    #expect(one.imageCompletions == [Cycle(one.totalCycles.count)] && one.initiationIntervalNs == one.latencyNs)
  }

  @Test("layer by layer, the images go through as one batch: the interval is the whole run over the images")
  func layerBatch() throws {
    let r = try Simulation.run(network: chain(), spec: tinySpec { $0.tile.imas = 2 }, mapper: Im2colMapper(),
                               options: SimulationOptions(schedule: .layer, images: 4))
    #expect(r.layers[1].start >= r.layers[0].end)
    #expect(abs(r.initiationIntervalNs - r.latencyNs / 4) < 1e-9)
    // In programming rounds too: every image passes round 1 before round 2 is programmed, so the
    // images finish together in the last round, and the interval is the whole run over the images.
    let rounds = try Simulation.run(network: chain(), spec: tinySpec(crossbars: 2), mapper: Im2colMapper(),
                                    options: SimulationOptions(allowRounds: true, images: 4))
    #expect(rounds.rounds == 2 && abs(rounds.initiationIntervalNs - rounds.latencyNs / 4) < 1e-9)
  }

  @Test("zero images is an error")
  func zeroImages() {
    #expect(throws: InputError.self) {
      try Simulation.run(network: chain(), spec: tinySpec(), mapper: Im2colMapper(), options: SimulationOptions(images: 0))
    }
  }
}

@Suite("NoC routes")
struct NoCRouteTests {
  @Test("two transfers sharing the last two ports of a 2-hop route arrive at hand-worked cycles")
  func sharedPorts() throws {
    // 2 x 2 mesh, one tile per router, 1-cycle flits, 2-cycle hops, 4-flit packets (128 bits).
    // A: tile 0 (0,0) -> tile 3 (1,1): router 0 east, router 1 south, router 3 local. Starts at 0,
    // 2 and 4 (head one hop on each time); tail off the last port at 8; arrives at 10.
    // B: tile 1 (1,0) -> tile 3, also at cycle 0: router 1 south is busy until 6, so it sends 6-10,
    // router 3 local 8-12: arrives at 14 (alone it would arrive at 4 + 2 x 2 = 8).
    let spec = tinySpec(tiles: 4, crossbars: 1) { $0.chip.tilesPerRouter = 1 }
    var b = NetworkBuilder(name: "n", input: TensorShape(8, 4, 4))
    try b.conv("c", Convolution(outChannels: 8, kernel: 1))
    let engine = try Engine(spec: spec, layout: NetworkLayout.map(b.network, with: Im2colMapper(), geometry: ArrayGeometry(spec)))
    #expect(engine.core.route(from: 0, to: 3).map(\.index) == [0 * 5 + 0, 1 * 5 + 3, 3 * 5 + 4])
    #expect(engine.core.route(from: 3, to: 0).map(\.index) == [3 * 5 + 1, 2 * 5 + 2, 0 * 5 + 4])
    #expect(engine.core.route(from: 2, to: 2).map(\.index) == [2 * 5 + 4])
    #expect(engine.core.transfer(bits: 128, from: 0, to: 3, now: .zero, stage: 0) == Cycle(10))
    #expect(engine.core.transfer(bits: 128, from: 1, to: 3, now: .zero, stage: 0) == Cycle(14))
    #expect(engine.core.stats[0].counts[.nocFlitHop] == Double(4 * 3 + 4 * 2))
  }

  @Test("the router's energy per flit-hop is its power over its peak throughput: 42 mW x 0.78125 ns / 8 ports")
  func routerEnergy() {
    let r = ArchSpec.isaac.tile.router
    #expect(abs(r.energyPerFlitHopPJ - r.powerMW * r.flitLatencyNs / Double(r.ports)) < 1e-3)
  }
}
