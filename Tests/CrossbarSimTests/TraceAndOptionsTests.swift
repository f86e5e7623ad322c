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
    let spans = events.filter { $0["ph"] as? String == "X" }
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
    let sink = ChromeTrace(limit: 10)
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: sink)
    #expect(sink.count == 10 && sink.dropped == 54)
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
