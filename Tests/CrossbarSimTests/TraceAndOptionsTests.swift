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
    // The cut trace is valid JSON and says so: a global instant event and otherData.
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(sink.json().utf8)) as? [String: Any])
    let other = try #require(doc["otherData"] as? [String: Any])
    #expect(other["droppedEvents"] as? Int == all.count - 10 && other["eventLimit"] as? Int == 10)
    let events = try #require(doc["traceEvents"] as? [[String: Any]])
    #expect(events.contains { ($0["name"] as? String)?.hasPrefix("trace truncated: \(all.count - 10) events") == true
      && $0["ph"] as? String == "i" })
    #expect(all.json().contains("otherData") == false)
  }

  @Test("a trace that cannot be written (a full disk: /dev/full) is an error naming the file, not a trap")
  func fullDisk() throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
    let net = try convNetwork(input: TensorShape(8, 10, 10), Convolution(outChannels: 16, kernel: 3))
    let sink = try ChromeTrace(path: "/dev/full")
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: sink)
    #expect { try sink.finish() } throws: { e in
      "\(e)".contains("--trace: writing /dev/full failed") && "\(e)".lowercased().contains("space")
    }
  }

  @Test("a trace streamed to a file holds the same events as one kept in memory")
  func streamed() throws {
    let net = try convNetwork(input: TensorShape(64, 6, 6), Convolution(outChannels: 16, kernel: 3))
    let memory = ChromeTrace()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
    let file = try ChromeTrace(path: path)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: memory)
    _ = try Simulation.run(network: net, spec: tinySpec(), mapper: Im2colMapper(), trace: file)
    try file.finish()
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

  /// One option of every kind.
  static let declared: [PluginOption] = [
    .integer("n", "N", in: 1...4, default: 2, help: "an integer"),
    .number("r", "R", from: 0, below: 1, closed: true, help: "a closed number"),
    .number("s", "S", from: 0, below: 1, help: "a half-open number"),
    PluginOption("e", .number(low: 0, high: 1, openBelow: true, closedAbove: true), placeholder: "E", help: "open below"),
    PluginOption("w", .size, placeholder: "HxW", help: "a size"),
    .flag("b", default: false, help: "a flag"),
    PluginOption("c", .choice(["x", "y"]), default: "y", help: "a choice"),
  ]

  @Test("values are checked against their declarations when given: ranges, open and closed bounds, sizes, flags, choices")
  func typed() throws {
    let o = try PluginOptions(kind: "k", ["n": "4", "r": "1", "s": "0.5", "w": "2x3", "b": "true"], declared: Self.declared)
    #expect(o.int("n") == 4 && o.double("r") == 1 && o.double("s") == 0.5 && o.bool("b"))
    #expect(o.size("w")! == (2, 3))
    #expect(o.double("e") == nil)
    for (key, bad, message) in [("n", "5", "k: option n='5' must be an integer in 1...4"),
                                ("s", "1", "k: option s='1' must be a number in [0.0, 1.0)"),
                                ("e", "0", "k: option e='0' must be a number in (0.0, 1.0]"),
                                ("w", "3x", "k: option w='3x' must be N or HxW"), ("b", "yes", "must be true or false"),
                                ("c", "z", "k: option c='z' (valid: x, y)")] {
      #expect(throws: InputError.self) { try PluginOptions(kind: "k", [key: bad], declared: Self.declared) }
      do { _ = try PluginOptions(kind: "k", [key: bad], declared: Self.declared) } catch {
        #expect("\(error)".contains(message), "\(error)")
      }
    }
    do { _ = try PluginOptions(kind: "k", ["zz": "1"], declared: Self.declared); Issue.record("accepted zz") } catch {
      #expect("\(error)".contains("unknown option 'zz' (known: n, r, s, e, w, b, c)"))
    }
  }

  @Test("defaults come from the declarations, and help lines are derived from them")
  func defaultsAndHelp() throws {
    let o = try PluginOptions(kind: "k", [:], declared: Self.declared)
    #expect(o.int("n") == 2 && !o.bool("b") && o.size("w") == nil)
    enum XY: String { case x, y }
    #expect(o.choice("c") as XY == .y)
    #expect(Self.declared.map(\.helpLine) == [
      "n=N: an integer, in 1...4 (default 2)", "r=R: a closed number, in [0, 1]", "s=S: a half-open number, in [0, 1)",
      "e=E: open below, in (0, 1]", "w=HxW: a size",
      "b=true|false: a flag (default false)", "c=x|y: a choice (default y)",
    ])
  }
}
