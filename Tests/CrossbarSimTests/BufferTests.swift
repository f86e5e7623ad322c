import Testing
@testable import CrossbarSim
import Mappers

/// Two layers on one tile with a 1 KB buffer. a: 8x18x18, 3x3 to 16 channels (one crossbar, 256
/// windows of 16 output bytes, 64 columns); b: 1x1, 16 to 32 channels (one crossbar, 128 columns).
/// ADCs at 0.32 GS/s make both conversion-bound: b takes 8 x 512 cycles a window, a about 2185
/// (8 x 256 plus fetch and write, one window at a time in a 72-byte input register, which holds
/// 4 of b's 16-byte windows). A window leaves the buffer when b fetches it into its register, so
/// a runs ahead until the buffer holds 1024 / 16 = 64 of its windows.
@Suite("Finite buffers")
struct BufferTests {
  func pair() throws -> Network {
    var b = NetworkBuilder(name: "pair", input: TensorShape(8, 18, 18))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 32, kernel: 1))
    return b.network
  }

  func spec(kb: Int, links: Int = 4) -> ArchSpec {
    tinySpec {
      $0.tile.imas = 2; $0.ima.adc.sampleRateGSps = 0.32; $0.ima.inputRegister.sizeBytes = 72
      $0.tile.buffer.sizeKB = kb; $0.chip.hyperTransport.count = links
    }
  }

  func engine(_ s: ArchSpec, _ o: SimulationOptions = .init()) throws -> Engine {
    try Engine(spec: s, layout: NetworkLayout.map(pair(), with: Im2colMapper(), geometry: ArrayGeometry(s)), options: o)
  }

  @Test("a full buffer holds the producer back: never more than 64 windows ahead, and its last window waits for the consumer to issue window 191")
  func fullBuffer() throws {
    let e = try engine(spec(kb: 1))
    var ahead = 0, lastA: UInt64?, b191: UInt64?
    e.run(until: .zero)
    while let t = e.core.queue.nextTime {
      e.run(until: t)
      let a = e.core.progress[0].nextWindow, b = e.core.progress[1].nextWindow
      ahead = max(ahead, a - b)
      if a == 256, lastA == nil { lastA = t.value }
      if b >= 192, b191 == nil { b191 = t.value }
    }
    // a may issue window w only with room for it: windows w - 64 and before must have left, i.e.
    // b has issued window w - 64 (a 1x1 consumer frees a window once it has read it).
    #expect(ahead == 64)
    #expect(lastA != nil && lastA == b191)
    let r = try e.result()
    #expect(r.resources.first { $0.path == "tile0.buffer" }?.peakBytes == 1024)
    // b waits for inputs only while its register fills (in flight grows by 1 - 2185/4096 a window,
    // so about 9 windows); afterwards its register, not a, limits it.
    #expect(r.layers[0].stallOutputCycles.count > 0 && r.layers[1].stallInputCycles.count < 10 * 2185)
    #expect(r.bufferStallCycles == r.layers[0].stallOutputCycles && r.spilledBytes == 0)
    // The consumer sets the pace either way: the small buffer costs no time here, and never saves any.
    let big = try engine(spec(kb: 64)).simulate()
    #expect(big.layers[0].stallOutputCycles.count == 0 && r.totalCycles >= big.totalCycles)
  }

  @Test("layer by layer, what the buffer cannot hold is spilled off chip and read back once: 192 windows x 16 bytes each way")
  func spill() throws {
    let r = try engine(spec(kb: 1), SimulationOptions(schedule: .layer)).simulate()
    #expect(r.layers[0].spilledBytes == 192 * 16 && r.layers[1].spilledBytes == 192 * 16)
    #expect(r.counts[.offChipBit] == Double(2 * 192 * 16 * 8))
    let e = r.energyByClass.first { $0.0 == .offChip }!.1
    #expect(abs(e - Double(2 * 192 * 128) * spec(kb: 1).chip.hyperTransport.energyPerBitPJ) < 1e-6)
    #expect(r.layers[1].start >= r.layers[0].end)
    // 384 transfers of one 16-byte window each: 128 bits over 4 links of 6.4 GB/s take 0.625 ns,
    // 0.8 cycles at 1.28 GHz, so one cycle each (on one link: 2.5 ns, 4 cycles).
    let links = r.resources.first { $0.path == "chip.offChip" }?.server
    #expect(links?.requests == 384 && links?.busy.count == 384)
    let one = try engine(spec(kb: 1, links: 1), SimulationOptions(schedule: .layer)).simulate()
    #expect(one.resources.first { $0.path == "chip.offChip" }?.server.busy.count == 4 * 384)
  }

  @Test("a strided consumer's skipped windows take no room: 1 KB holds what a 1x1 stride-2 layer reads, one window at a time")
  func stridedSkip() throws {
    var b = NetworkBuilder(name: "strided", input: TensorShape(8, 18, 18))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 32, kernel: 1, stride: 2))
    let r = try Simulation.run(network: b.network, spec: spec(kb: 1, links: 0), mapper: Im2colMapper())
    // b reads 64 of a's 256 windows, each as soon as it arrives (b is 4x faster per window than a's four).
    #expect(r.spilledBytes == 0 && r.resources.first { $0.path == "tile0.buffer" }?.peakBytes == 16)
  }

  @Test("a tile whose groups together need more than it holds shares it first come, first served: it spills only when full")
  func oversubscribed() throws {
    // Every 3x3 layer (padding 1, 16x16x16) needs 2 rows + 3 windows = 35 x 16 bytes = 560 bytes
    // of its producer's outputs at once; two such groups on one tile need 1120 bytes.
    var chain = NetworkBuilder(name: "chain", input: TensorShape(8, 18, 18))
    for n in ["a", "b", "c"] { try chain.conv(n, Convolution(outChannels: 16, kernel: 3, padding: 1)) }
    var fork = NetworkBuilder(name: "fork", input: TensorShape(8, 18, 18))
    let x = try fork.conv("x", Convolution(outChannels: 16, kernel: 1))
    try fork.conv("a1", Convolution(outChannels: 16, kernel: 3, padding: 1), from: x)
    try fork.conv("c1", Convolution(outChannels: 16, kernel: 3, padding: 1))
    let a2 = try fork.conv("a2", Convolution(outChannels: 16, kernel: 3, padding: 1), from: x)
    try fork.conv("c2", Convolution(outChannels: 16, kernel: 3, padding: 1), from: a2)
    for (net, imas) in [(chain.network, 3), (fork.network, 5)] {
      for kb in [1, 2] {
        let s = tinySpec { $0.tile.imas = imas; $0.ima.adc.sampleRateGSps = 0.32; $0.tile.buffer.sizeKB = kb }
        let r = try Simulation.run(network: net, spec: s, mapper: Im2colMapper())
        let peak = r.resources.first { $0.path == "tile0.buffer" }?.peakBytes
        if kb == 1 {
          #expect(r.spilledBytes > 0 && peak == 1024, "\(net.name): spilled \(r.spilledBytes) bytes at a peak of \(peak ?? 0)")
        } else {
          #expect(r.spilledBytes == 0 && r.bufferStallCycles.count == 0, "\(net.name) at 2 KB")
        }
      }
    }
  }

  @Test("with no off-chip links, a full buffer the consumer cannot drain is a deadlock that names every stuck layer")
  func deadlock() throws {
    do {
      _ = try engine(spec(kb: 1, links: 0), SimulationOptions(schedule: .layer)).simulate()
      Issue.record("finished")
    } catch {
      let m = "\(error)"
      #expect(m.contains("deadlock") && m.contains("chip.hyperTransport.count 0"), "\(m)")
      #expect(m.contains("layer a stuck after") && m.contains("waiting for room in tile 0's buffer (1024 of 1024 bytes held)"), "\(m)")
      #expect(m.contains("layer b stuck after 0 of 256 windows") && m.contains("waiting for layer a to finish (layer schedule)"), "\(m)")
    }
  }

  @Test("a window whose inputs can never fit the buffer is an error naming the layer and the sizes")
  func neverFits() throws {
    // c: 3x3 on a 16x16x64 map reads 2 rows + 3 windows = 35 windows of 64 bytes: 2240 bytes > 2 KB.
    var b = NetworkBuilder(name: "wide", input: TensorShape(8, 18, 18))
    try b.conv("a", Convolution(outChannels: 64, kernel: 3))
    try b.conv("c", Convolution(outChannels: 8, kernel: 3))
    let s = tinySpec { $0.tile.imas = 2; $0.tile.buffer.sizeKB = 2 }
    do {
      _ = try Simulation.run(network: b.network, spec: s, mapper: Im2colMapper())
      Issue.record("accepted")
    } catch {
      #expect("\(error)".contains("layer c: one window reads 2240 bytes of inputs"), "\(error)")
      #expect("\(error)".contains("(35 windows x 64 bytes of a)") && "\(error)".contains("holds 2048 bytes"), "\(error)")
    }
  }

  @Test("on resnet20, shrinking the buffer never lowers latency, and shows stalls")
  func shrinking() throws {
    let net = try BuiltinWorkloads.named("resnet20")
    var last: SimulationResult?
    for kb in [64, 8, 2] {
      var s = ArchSpec.isaac8bit
      s.tile.buffer.sizeKB = kb
      let r = try Simulation.run(network: net, spec: s, mapper: Im2colMapper())
      if let last { #expect(r.totalCycles >= last.totalCycles, "\(kb) KB") }
      #expect(kb == 64 ? r.bufferStallCycles.count == 0 : r.bufferStallCycles.count > 0, "\(kb) KB")
      last = r
    }
  }
}
