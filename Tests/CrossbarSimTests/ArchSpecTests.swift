import Foundation
import Testing
@testable import CrossbarSim

@Suite("ArchSpec")
struct ArchSpecTests {
  func within(_ x: Double, _ target: Double, _ tol: Double = 0.005) -> Bool { abs(x - target) / target <= tol }

  @Test("ISAAC tile and chip power and area follow from the component rows within 0.5 %")
  func isaacTotals() {
    let m = AreaPowerModel(spec: .isaac)
    #expect(within(m.tile.powerMW, 330))
    #expect(within(m.tile.areaMm2, 0.372))
    #expect(within(m.chip.powerMW, 65_800))
    #expect(within(m.chip.areaMm2, 85.4))
    // The IMA rows reproduce the table: 8 ADCs = 16 mW, 1024 DACs = 4 mW, 8 arrays = 2.4 mW.
    let rows = Dictionary(uniqueKeysWithValues: m.imaRows.map { ($0.path, $0) })
    #expect(abs(rows["tile.ima.adc"]!.powerMW - 16) < 1e-9)
    #expect(abs(rows["tile.ima.dac"]!.powerMW - 4) < 1e-9)
    #expect(abs(rows["tile.ima.crossbar"]!.powerMW - 2.4) < 1e-9)
  }

  @Test("totals scale with the geometry instead of being fixed")
  func totalsScale() throws {
    let s = try ArchSpec.load("isaac", overrides: ["chip.tiles=84"])
    let m = AreaPowerModel(spec: s)
    #expect(within(m.chip.powerMW, 10_400 + 84 * AreaPowerModel(spec: .isaac).tile.powerMW, 1e-9))
  }

  @Test("presets validate and derive cells per weight and input cycles", arguments: ArchSpec.allPresets.map(\.name))
  func presets(name: String) throws {
    let s = try ArchSpec.preset(named: name)
    #expect(s.validate().isEmpty)
    #expect(s.cellsPerWeight == s.data.weightBits / 2)
    #expect(s.inputCycles == s.data.inputBits)
    #expect(s.losslessADCBits == 9)
  }

  @Test("a file overrides its base preset field by field")
  func fileOverrides() throws {
    let text = """
      version: 1
      base: isaac-8bit
      name: my-chip
      ima:
        adc: {countPerCrossbar: 2, bits: 6}
      """
    let s = try ArchSpec.parse(text: text, source: "my.yaml")
    #expect(s.name == "my-chip")
    #expect(s.ima.adc.countPerCrossbar == 2)
    #expect(s.ima.adc.bits == .bits(6))
    #expect(s.data.weightBits == 8)
    #expect(s.ima.crossbar.rows == 128)
  }

  @Test("JSON files load like YAML")
  func json() throws {
    let s = try ArchSpec.parse(text: #"{"version": 1, "base": "isaac", "chip": {"tiles": 4}}"#, source: "a.json")
    #expect(s.chip.tiles == 4)
  }

  @Test("the resolved spec round-trips through its YAML")
  func roundTrip() throws {
    var t = try ArchSpec.isaac8bit.yaml()
    t = "version: 1\nbase: isaac\n" + t.split(separator: "\n").filter { !$0.hasPrefix("version") }.joined(separator: "\n")
    #expect(try ArchSpec.parse(text: t, source: "resolved.yaml") == ArchSpec.isaac8bit)
  }

  @Test("bad input names the file and key", arguments: [
    ("version: 1\nima: {adc: {bitz: 3}}", "unknown key 'ima.adc.bitz'"),
    ("version: 1\nchip: {tiles: 0}", "'chip.tiles' is 0; must be in 1...65535"),
    ("version: 1\nima: {crossbar: {rows: -4}}", "'ima.crossbar.rows' is -4"),
    ("version: 1\nima: {crossbar: {readLatencyNs: 0}}", "'ima.crossbar.readLatencyNs' is 0.0; must be > 0"),
    ("version: 1\nclockGHz: fast", "'clockGHz' has the wrong type"),
    ("version: 1\nima: {adc: 3}", "'ima.adc' must be a mapping"),
    ("chip: {tiles: 2}", "missing key 'version'"),
    ("version: 2", "only version 1 exists"),
    ("version: 1\nbase: tpu", "unknown arch preset 'tpu'"),
    ("version: 1\nima: [1, 2\n", "malformed YAML"),
    ("- 1\n- 2", "expected a mapping"),
  ])
  func badInput(text: String, message: String) {
    do {
      _ = try ArchSpec.parse(text: text, source: "bad.yaml")
      Issue.record("accepted: \(text)")
    } catch let e as InputError {
      #expect(e.description.contains("bad.yaml"), "\(e)")
      #expect(e.description.contains(message), "\(e)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("every problem is reported at once")
  func allProblems() {
    var s = ArchSpec.isaac
    s.chip.tiles = 0; s.ima.adc.bits = .bits(0); s.tile.buffer.busWidthBits = -1
    #expect(s.validate().count == 3)
  }

  @Test("unknown presets and missing files are errors listing the presets")
  func unknownPreset() {
    #expect(throws: InputError.self) { try ArchSpec.load("nope") }
    do { _ = try ArchSpec.load("nope") } catch { #expect("\(error)".contains("isaac-8bit")) }
  }

  @Test("--set rejects unknown keys and malformed assignments")
  func setOverrides() {
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: ["ima.adc.speed=3"]) }
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: ["ima.adc.bits"]) }
    #expect(throws: InputError.self) { try ArchSpec.load("isaac", overrides: ["ima.adc.countPerCrossbar=0"]) }
  }

  @Test("a crossbar narrower than one weight is rejected")
  func narrowArray() {
    var s = ArchSpec.isaac
    s.ima.crossbar.columns = 4
    #expect(s.validate().contains { $0.contains("ima.crossbar.columns") })
  }

  @Test("a config document's size counts what its aliases expand to, measured before composing")
  func aliasExpansion() {
    // Hand count: the top mapping 1, key a 1, [1, 2] 3, key b 1, [*a, *a] 1 + 3 + 3: 13 values.
    let text = "a: &a [1, 2]\nb: [*a, *a]\n"
    #expect(YAMLExpansion.problem(in: text, maximumValues: 13, maximumDepth: 10) == nil)
    #expect(YAMLExpansion.problem(in: text, maximumValues: 12, maximumDepth: 10)?.contains("more than 12 values") == true)
    // Three levels of lists: refused at a depth bound of 2, taken at 3.
    #expect(YAMLExpansion.problem(in: "x: [[1]]\n", maximumValues: 100, maximumDepth: 2)?.contains("deeper than 2") == true)
    #expect(YAMLExpansion.problem(in: "x: [[1]]\n", maximumValues: 100, maximumDepth: 3) == nil)
    // An alias or a list as a key is refused without expanding it.
    #expect(YAMLExpansion.problem(in: "a: &a [1]\n*a : 3\n", maximumValues: 100, maximumDepth: 10)?.contains("plain name") == true)
    #expect(YAMLExpansion.problem(in: "? [1]\n: 3\n", maximumValues: 100, maximumDepth: 10)?.contains("plain name") == true)
    #expect(YAMLExpansion.problem(in: "a: [1\n", maximumValues: 100, maximumDepth: 10)?.hasPrefix("malformed YAML/JSON at line") == true)
  }

  @Test("an arch file with 80 unknown keys lists 50 of them and counts the other 30")
  func problemCap() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cap-\(getpid()).yaml").path
    let keys = (0..<80).map { "k\($0): 1\n" }.joined()
    try ("version: 1\nbase: isaac-8bit\n" + keys).write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      _ = try ArchSpec.load(path)
      Issue.record("80 unknown keys accepted")
    } catch let e as InputError {
      #expect(e.problems.count == 51)
      #expect(e.problems.last == "... and 30 more")
      #expect(e.problems.dropLast().allSatisfy { $0.contains("unknown key 'k") })
    }
  }
}
