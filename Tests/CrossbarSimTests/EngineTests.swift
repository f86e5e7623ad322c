import Testing
@testable import CrossbarSim
import Mappers

@Suite("Engine")
struct EngineTests {
  func simulate(_ net: Network, _ spec: ArchSpec, _ options: SimulationOptions = .init()) throws -> SimulationResult {
    try Simulation.run(network: net, spec: spec, mapper: Im2colMapper(), options: options)
  }

  /// 8x10x10 input, 3x3 conv to 16 channels: 72 rows x 64 columns, one crossbar, 64 windows.
  func oneCrossbarLayer() throws -> Network {
    try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
  }

  @Test("without contention, the array time equals activations x input cycles x read cycle")
  func analytic() throws {
    let spec = tinySpec()
    let r = try simulate(oneCrossbarLayer(), spec)
    let l = r.layers[0]
    #expect(l.crossbars == 1 && l.activations == 64)
    let read = spec.clock.cycles(ns: spec.ima.crossbar.readLatencyNs).count
    #expect(read == 128)
    #expect(l.arrayCycles.count == UInt64(l.activations * spec.inputCycles) * read)
    // End to end: first input fetch (3 beats of 256 bits + 1 ns), the arrays, the last conversion
    // batch (64 columns / 1.28 GS/s = 64 cycles), one S+A cycle, and the output write (1 beat + 1 ns).
    let latency = spec.clock.cycles(ns: spec.tile.buffer.accessLatencyNs).count
    #expect(r.totalCycles.count == (3 + latency) + l.arrayCycles.count + 64 + 1 + (1 + latency))
  }

  @Test("action counts follow the activations: conversions = activations x columns x input cycles")
  func counts() throws {
    let r = try simulate(oneCrossbarLayer(), tinySpec())
    #expect(r.counts[.adcConvert] == Double(64 * 64 * 8))
    #expect(r.counts[.dacDrive] == Double(64 * 72 * 8))
    #expect(abs(r.counts[.crossbarRead] - 64 * 8 * (72.0 * 64) / (128 * 128)) < 1e-9)
    #expect(r.counts[.tableLookup] == 0)
    let adc = r.energyByClass.first { $0.0 == .adc }!.1
    #expect(abs(adc - Double(64 * 64 * 8) * 1.5625) < 1e-6)
  }

  @Test("fewer ADCs per crossbar raise latency once conversions outlast a read")
  func adcContention() throws {
    let net = try oneCrossbarLayer()
    let slowADC: (Int) -> ArchSpec = { n in tinySpec { $0.ima.adc.sampleRateGSps = 0.32; $0.ima.adc.countPerCrossbar = .fixed(n) } }
    let four = try simulate(net, slowADC(4)), one = try simulate(net, slowADC(1))
    let free = try simulate(net, tinySpec())
    #expect(four.layers[0].arrayCycles == free.layers[0].arrayCycles)
    #expect(one.totalCycles.count > four.totalCycles.count * 19 / 10)
  }

  @Test("a narrower buffer bus raises latency once input fetches outlast the arrays")
  func bufferContention() throws {
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))
    let wide = try simulate(net, tinySpec())
    let narrow = try simulate(net, tinySpec { $0.tile.buffer.busWidthBits = 1 })
    #expect(wide.layers[0].crossbars == 5)
    // The five row tiles' fetches share the buffer, so their crossbars start a few cycles apart.
    #expect(wide.layers[0].arrayCycles.count >= UInt64(16 * 8 * 128))
    #expect(wide.layers[0].arrayCycles.count < UInt64(16 * 8 * 128 + 32))
    #expect(narrow.totalCycles.count > wide.totalCycles.count * 4)
  }

  /// Two layers, each on its own tile (one crossbar per tile).
  func twoTileNetwork() throws -> Network {
    var b = NetworkBuilder(name: "two", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 16, kernel: 1))
    return b.network
  }

  @Test("a slower NoC raises latency when layers sit on different tiles")
  func nocContention() throws {
    let net = try twoTileNetwork()
    let fast = try simulate(net, tinySpec(tiles: 8, crossbars: 1))
    let slowHop = try simulate(net, tinySpec(tiles: 8, crossbars: 1) { $0.tile.router.hopLatencyNs = 5_000 })
    let slowLink = try simulate(net, tinySpec(tiles: 8, crossbars: 1) { $0.tile.router.flitLatencyNs = 200 })
    #expect(fast.counts[.nocFlitHop] > 0)
    #expect(slowHop.totalCycles > fast.totalCycles)
    #expect(slowLink.totalCycles > fast.totalCycles)
  }

  @Test("the pipeline overlaps layers; layer by layer does not")
  func schedules() throws {
    let net = try twoTileNetwork()
    let spec = tinySpec(tiles: 2, crossbars: 1)
    let pipe = try simulate(net, spec, SimulationOptions(schedule: .pipeline))
    let layer = try simulate(net, spec, SimulationOptions(schedule: .layer))
    #expect(pipe.totalCycles < layer.totalCycles)
    #expect(layer.layers[1].start >= layer.layers[0].end)
    #expect(pipe.layers[1].start < pipe.layers[0].end)
  }

  @Test("timeline: the first activation starts exactly when its input fetch ends")
  func timeline() throws {
    let spec = tinySpec()
    let layout = try NetworkLayout.map(oneCrossbarLayer(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let engine = try Engine(spec: spec, layout: layout)
    let fetch = UInt64(3) + spec.clock.cycles(ns: spec.tile.buffer.accessLatencyNs).count   // 576 bits / 256 + 1 ns
    engine.run(until: Cycle(fetch - 1))
    #expect(engine.activationsStarted == 0)
    #expect(!engine.isCrossbarBusy(0))
    engine.run(until: Cycle(fetch))
    #expect(engine.activationsStarted == 1)
    #expect(engine.isCrossbarBusy(0))
    engine.run(until: Cycle(fetch + 8 * 128 - 1))
    #expect(engine.activationsStarted == 1)
    engine.run(until: Cycle(fetch + 8 * 128))
    #expect(engine.activationsStarted == 2)
    engine.run()
    #expect(engine.activationsFinished == 64)
  }

  @Test("a chip too small is an error naming the layer; with rounds it reprograms and runs")
  func rounds() throws {
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))   // 5 crossbars
    let spec = tinySpec(crossbars: 2)
    do { _ = try simulate(net, spec); Issue.record("accepted") } catch {
      #expect("\(error)".contains("layer conv needs 5 crossbars"), "\(error)")
    }
    let r = try simulate(net, spec, SimulationOptions(allowRounds: true))
    #expect(r.rounds == 3)
    // 576 weight rows = 4 full arrays + 64 rows; rounds program 128, 128 and 64 rows at 100 ns each.
    #expect(r.programmingCycles.count == (128 + 128 + 64) * 128)
    #expect(r.counts[.crossbarRowWrite] == 576)
    let one = try simulate(net, tinySpec(crossbars: 8))
    #expect(r.totalCycles > one.totalCycles)
    #expect(r.layers[0].activations == one.layers[0].activations)
  }

  @Test("networks larger than the chip split into rounds at layer boundaries")
  func layerRounds() throws {
    let r = try simulate(twoTileNetwork(), tinySpec(tiles: 1, crossbars: 1), SimulationOptions(allowRounds: true))
    #expect(r.rounds == 2)
    #expect(r.layers[1].start >= r.layers[0].end)
  }

  @Test("same inputs give byte-identical stats", arguments: [Schedule.pipeline, .layer])
  func determinism(schedule: Schedule) throws {
    let net = try BuiltinWorkloads.named("resnet20")
    let a = RunReport(try simulate(net, .isaac8bit, SimulationOptions(schedule: schedule)))
    let b = RunReport(try simulate(net, .isaac8bit, SimulationOptions(schedule: schedule)))
    #expect(a.statsJSON == b.statsJSON)
    #expect(a.layersCSV == b.layersCSV)
    #expect(a.energyCSV == b.energyCSV)
  }

  @Test("every built-in CIFAR network runs with no zero-cycle layer", arguments: ["resnet20", "vgg8", "wrn16-4"])
  func builtins(name: String) throws {
    let r = try simulate(try BuiltinWorkloads.named(name), .isaac8bit)
    for l in r.layers { #expect(l.cycles.count > 0, "\(l.name)") }
    #expect(r.energyPJ > 0)
    let adcShare = r.energyByClass.first { $0.0 == .adc }!.1 / r.energyPJ
    #expect(adcShare > 0.5)   // conversions dominate, as in ISAAC
  }

  @Test("imported NeuroSim networks with already-padded maps run")
  func neurosim() throws {
    let n = try NeuroSimImporter.parse(WorkloadTests.vgg8CSV, source: "NetWork_VGG8.csv", name: "VGG8")
    let r = try simulate(n, .isaac8bit)
    #expect(r.layers.count == n.layers.count)
  }

  @Test("traces record one span per activation")
  func trace() throws {
    let spec = tinySpec()
    let sink = ChromeTrace()
    _ = try Simulation.run(network: oneCrossbarLayer(), spec: spec, mapper: Im2colMapper(), trace: sink)
    #expect(sink.json().components(separatedBy: "\"ph\":\"X\",\"pid\":0,\"tid\":0,").count - 1 == 64)
  }

  @Test("layouts with sparsity tables read their table once per activation, in time and energy")
  func sparsityTables() throws {
    let spec = tinySpec()
    var layout = try NetworkLayout.map(oneCrossbarLayer(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let plain = try Engine(spec: spec, layout: layout).simulate()
    layout.layouts[0]!.crossbars[0].tableEntries = 72
    let tabled = try Engine(spec: spec, layout: layout).simulate()
    // 72 entries indexing 72 weight rows: 7 bits each, 504 bits read per activation.
    #expect(tabled.counts[.tableLookup] == 64 * 504)
    let lookup = spec.clock.cycles(ns: spec.sparsityTable.lookupLatencyNs).count
    #expect(tabled.totalCycles.count == plain.totalCycles.count + 64 * lookup)
    // A lookup per activation, and the 72 selected inputs routed through the table each time.
    #expect(tabled.counts[.tableRoute] == 64 * 72)
    let e = tabled.energyByClass.first { $0.0 == .sparsityTables }!.1
    #expect(abs(e - 64 * (504 * spec.sparsityTable.readEnergyPerBitPJ + 72 * spec.sparsityTable.routeEnergyPerValuePJ)) < 1e-9)
  }

  @Test("leakage is charged as power x latency for the whole chip")
  func leakage() throws {
    let spec = tinySpec { $0.ima.adc.leakageMW = 0.5 }
    let r = try simulate(oneCrossbarLayer(), spec)
    #expect(abs(r.leakagePowerMW - 0.5 * 8) < 1e-12)   // 8 crossbars x 1 ADC
    #expect(abs(r.leakageEnergyPJ - 4 * r.latencyNs) < 1e-6)
    #expect(abs(r.energyPJ - (r.counts.energyPJ(spec) + r.leakageEnergyPJ)) < 1e-6)
  }

  @Test("all-zero columns skip their conversions, which also shortens a conversion-bound read")
  func zeroColumns() throws {
    let spec = tinySpec { $0.ima.adc.sampleRateGSps = 0.32 }   // 64 columns take 200 ns: conversion-bound
    var layout = try NetworkLayout.map(oneCrossbarLayer(), with: Im2colMapper(), geometry: ArrayGeometry(spec))
    let full = try Engine(spec: spec, layout: layout).simulate()
    layout.layouts[0]!.crossbars[0].zeroColumns = 32
    let half = try Engine(spec: spec, layout: layout).simulate()
    #expect(full.counts[.adcConvert] == Double(64 * 64 * 8))
    #expect(half.counts[.adcConvert] == Double(64 * 32 * 8))
    #expect(half.totalCycles < full.totalCycles)
  }
}
