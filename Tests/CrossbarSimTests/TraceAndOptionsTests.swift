import Foundation
import Testing
@testable import CrossbarSim
import Mappers

@Suite("Chrome trace")
struct ChromeTraceTests {
  @Test("one span per activation on its tile and crossbar, in microseconds from the start cycle, each window once")
  func spans() throws {
    let spec = tinySpec()
    let sink = ChromeTrace()
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
    _ = try Simulation.run(network: net, spec: spec, mapper: Im2colMapper(), trace: sink)
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(sink.json().utf8)) as? [String: Any])
    let events = try #require(doc["traceEvents"] as? [[String: Any]])
    let spans = events.filter { $0["ph"] as? String == "X" && ($0["tid"] as! Int) < 8 }   // crossbar activations
    #expect(spans.count == 64)
    var windows = Set<Int>()
    for e in spans {
      let args = try #require(e["args"] as? [String: Any])
      let cycle = try #require(args["cycle"] as? Int), ts = try #require(e["ts"] as? Double), dur = try #require(e["dur"] as? Double)
      #expect(abs(ts - Double(cycle) / 1.28 / 1000) < 1e-6)
      #expect(abs(dur - 0.8) < 1e-6)                 // 8 reads of 100 ns, uncontended
      #expect(e["pid"] as? Int == 0 && e["tid"] as? Int == 0)
      windows.insert(try #require(args["window"] as? Int))
    }
    #expect(windows == Set(0..<64))
    #expect(events.contains { $0["ph"] as? String == "M" && ($0["args"] as? [String: Any])?["name"] as? String == "crossbar 0" })
  }

  @Test("a trace keeps at most its limit of spans and counts the rest as dropped")
  func limit() throws {
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
    let all = ChromeTrace(), sink = ChromeTrace(limit: 10)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: all)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: sink)
    #expect(all.dropped == 0 && all.count > 64)
    #expect(sink.count == 10 && sink.dropped == all.count - 10)
  }

  @Test("a trace streamed to a file holds the same events as one kept in memory")
  func streamed() throws {
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))
    let memory = ChromeTrace()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
    let file = try ChromeTrace(path: path)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: memory)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: file)
    file.finish()
    func events(_ data: Data) throws -> [String] {
      let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      return try #require(doc["traceEvents"] as? [[String: Any]]).map { "\($0["ph"]!)\($0["pid"]!)\($0["tid"] ?? "")\($0["ts"] ?? "")\($0["name"]!)" }.sorted()
    }
    #expect(try events(Data(contentsOf: URL(fileURLWithPath: path))) == events(Data(memory.json().utf8)))
  }

  @Test("shared units get their own tracks: ADC groups, the buffer port, the shift-and-add, router ports, counters")
  func resourceTracks() throws {
    // 64 x 9 rows on five crossbars of tile 0 and a consumer on tile 1: partial sums, a NoC hop.
    var b = NetworkBuilder(name: "t", input: TensorShape(64, 6, 6))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 8, kernel: 1))
    let sink = ChromeTrace()
    _ = try Simulation.run(network: b.network, spec: tinySpec(tiles: 2, crossbars: 5) { $0.chip.tilesPerRouter = 1 },
                           mapper: Im2colMapper(), trace: sink)
    let json = sink.json()
    for name in ["crossbar 0 ADCs", "buffer port", "shift-and-add", "router 0", "east", "local"] {
      #expect(json.contains("\"name\":\"\(name)\""), "\(name)")
    }
    #expect(json.contains("\"ph\":\"C\"") && json.contains("bufferBytes"))
  }
}

@Suite("Plug-in options")
struct PluginOptionsTests {
  @Test("kind:key=value,... splits into a kind and options; malformed items are errors naming the flag")
  func parse() throws {
    let p = try PluginOptions.parse("vw-sdk:search=exhaustive,window=2x3", what: "--mapper")
    #expect(p.kind == "vw-sdk" && p.options == ["search": "exhaustive", "window": "2x3"])
    #expect(try PluginOptions.parse("im2col", what: "--mapper").options.isEmpty)
    #expect(throws: InputError.self) { try PluginOptions.parse(":a=1", what: "--mapper") }
    #expect(throws: InputError.self) { try PluginOptions.parse("x:novalue", what: "--mapper") }
  }

  @Test("typed access checks ranges, closed and open bounds, pairs and booleans, naming the plug-in and option")
  func typed() throws {
    let o = try PluginOptions(kind: "k", ["n": "4", "r": "1", "s": "0.5", "w": "2x3", "b": "true", "bad": "x"],
                              allowed: ["n", "r", "s", "w", "b", "bad"])
    #expect(try o.int("n", in: 1...4) == 4)
    #expect(throws: InputError.self) { try o.int("n", in: 1...3) }
    #expect(try o.double("r", from: 0, below: 1, closed: true) == 1)
    #expect(throws: InputError.self) { try o.double("r", from: 0, below: 1) }
    #expect(try o.double("s", from: 0, below: 1) == 0.5)
    #expect(try o.pair("w")! == (2, 3))
    #expect(try o.bool("b", default: false))
    #expect(try o.int("missing", in: 1...2) == nil)
    do { _ = try o.int("bad", in: 1...9); Issue.record("accepted") } catch { #expect("\(error)".contains("k: option bad='x'")) }
    #expect(throws: InputError.self) { try PluginOptions(kind: "k", ["zz": "1"], allowed: ["n"]) }
  }
}
