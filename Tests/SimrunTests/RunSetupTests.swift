import CrossbarSim
import Foundation
import Testing
@testable import SimrunKit


@Suite("RunSetup")
struct RunSetupTests {
  @Test("flags, a run file and defaults make one setup; the last flag wins, --compress replaces the file's list, --set extends it")
  func overrides() throws {
    var t = RunTree()
    try t.merge(file: ["version": 1, "images": 3, "set": ["chip.tiles=4"], "compress": [["kind": "quant-pow2"]]], source: "run.yaml")
    try t.apply(flags: ["--images=5", "--set", "ima.adc.bits=6", "--compress", "prune-rows:ratio=0.5", "--images", "7",
                        "--rounds", "--mapper", "vw-sdk:search=exhaustive"])
    let s = try t.setup(source: "test")
    #expect(s.images == 7 && s.rounds && !s.singleArray && s.set == ["chip.tiles=4", "ima.adc.bits=6"])
    #expect(s.compress == [PluginSpec(kind: "prune-rows", options: ["ratio": "0.5"])])
    #expect(s.mapper == PluginSpec(kind: "vw-sdk", options: ["search": "exhaustive"]) && s.workload == RunSetup().workload)
  }

  @Test("bad flags are errors naming the flag: unknown (with the nearest name), missing value, two names of one setting",
        arguments: [
          (["--imagse", "4"], "unknown option '--imagse' (did you mean '--images'?)"),
          (["--images"], "--images: missing value (N)"),
          (["--weights", "--seed", "3"], "--weights: missing value (FILE)"),
          (["--model", "a.onnx", "--workload", "resnet20"], "give --model or --workload, not both"),
          (["resnet20"], "unexpected argument 'resnet20'"),
          (["--schedule", "sideways"], "--schedule sideways: not a schedule (valid: layer, pipeline)"),
          (["--rounds=maybe"], "--rounds maybe: must be true or false"),
        ])
  func badFlags(_ flags: [String], _ message: String) {
    var t = RunTree()
    do { try t.apply(flags: flags); Issue.record("accepted \(flags)") } catch { #expect("\(error)".contains(message), "\(error)") }
  }

  @Test("a run file's problems name the file and the key")
  func badFile() {
    for (tree, message) in [(["version": 1, "imagez": 2] as [String: Any], "run.yaml: unknown key 'imagez'"),
                            (["version": 1, "images": 0], "run.yaml: 'images' is 0; must be in 1...1000000"),
                            (["version": 1, "images": "many"], "run.yaml: 'images' has the wrong type (expected a whole number)"),
                            (["version": 1, "mapper": ["options": ["a": 1]]], "run.yaml: missing key 'mapper.kind'")] {
      var t = RunTree()
      do { try t.merge(file: tree, source: "run.yaml"); _ = try t.setup(source: "run.yaml"); Issue.record("accepted \(tree)") } catch {
        #expect("\(error)".contains(message), "\(error)")
      }
    }
  }

  @Test("config.yaml is the setup's encoding: run again from it, a run writes the same files, arch inline included")
  func configRepeatsTheRun() throws {
    let first = temporaryDirectory(), second = temporaryDirectory()
    var setup = RunSetup()
    setup.workload = tiny
    setup.set = ["chip.tiles=4", "ima.adc.bits=7"]
    setup.compress = [PluginSpec(kind: "prune-rows", options: ["ratio": "0.25"])]
    setup.images = 2
    _ = try RunJob(setup: setup, out: first).run()
    let again = try RunSetup.load(file: "\(first)/config.yaml")
    #expect(again.images == 2 && again.compress == setup.compress && again.set == setup.set)
    guard case .inline = again.arch else { Issue.record("config.yaml names its chip instead of holding it: \(again.arch)"); return }
    _ = try RunJob(setup: again, out: second).run()
    for f in ["config.yaml", "stats.csv", "layers.csv", "metrics.csv", "compression.csv"] {
      let a = try String(contentsOfFile: "\(first)/\(f)", encoding: .utf8), b = try String(contentsOfFile: "\(second)/\(f)", encoding: .utf8)
      #expect(a == b, "\(f)")
    }
    let yaml = try String(contentsOfFile: "\(first)/config.yaml", encoding: .utf8)
    #expect(yaml.hasPrefix("version: 1\nworkload: ") && yaml.contains("\nresolved:\n  weights: synthetic (seed 1)\n"))
    #expect(yaml.contains("\narch:\n  version: 1\n  name: isaac-8bit\n"))
  }

  @Test("an arch mapping in a run file is an arch file's keys: a base preset and overrides")
  func inlineArch() throws {
    var t = RunTree()
    try t.merge(file: ["version": 1, "arch": ["base": "isaac-8bit", "chip": ["tiles": 4]]], source: "run.yaml")
    let spec = try t.setup(source: "run.yaml").arch.load(overrides: ["ima.adc.bits=6"])
    #expect(spec.name == "isaac-8bit" && spec.chip.tiles == 4 && spec.data.weightBits == 8)
    var bad = RunTree()
    try bad.merge(file: ["version": 1, "arch": ["chip": ["tilez": 4]]], source: "run.yaml")
    #expect(throws: InputError.self) { try bad.setup(source: "run.yaml").arch.load(overrides: []) }
  }
}

@Suite("Compression that does nothing, or the opposite, says so")
struct IdleCompressionNotes {
  @Test("a rank at or above the break-even rank leaves layers dense, and a pruner with nothing to remove, are notes")
  func notes() throws {
    var setup = RunSetup()
    setup.workload = "resnet20"
    setup.compress = [PluginSpec(kind: "lowrank", options: ["rank": "16"])]
    setup.mapper = PluginSpec(kind: "lowrank")
    // 16-channel 3x3 convs: a rank-16 pair would hold 16 x 144 + 16 x 16 = 2,560 weights against 2,304
    // (break-even rank 16 x 144 / 160 = 14.4), so those 6 layers stay dense.
    let grown = try PreparedRun(setup).bench.notes
    #expect(grown.contains { $0.hasPrefix("lowrank:rank=16 left 6 layers dense, a pair no smaller than the layer: " +
      "layer1.0.conv1 (rank 16 >= break-even 14.4)") })
    setup.compress = [PluginSpec(kind: "prune-kernel-group", options: ["ratio": "0.5"])]
    setup.mapper = PluginSpec(kind: "im2col")
    setup.set = ["data.weightBits=2"]   // 128 filters per group: every resnet20 layer is one group
    let idle = try PreparedRun(setup).bench.notes
    #expect(idle == ["prune-kernel-group:ratio=0.5 made no layer smaller at this setting (no layer it could change)"])
    setup.set = []
    #expect(try PreparedRun(setup).bench.notes.isEmpty)
  }
}

@Suite("Lossy ADCs are named")
struct LossyADCNotes {
  @Test("4-bit ADCs on 256-row arrays: a note names the layers and the bits their rows need; 8 bits at 128 rows none")
  func note() throws {
    var setup = RunSetup()
    setup.workload = "resnet20"
    setup.set = ["ima.crossbar.rows=256", "ima.crossbar.columns=256", "ima.adc.bits=4"]
    let notes = try PreparedRun(setup).bench.notes
    // ISAAC's rule with 1-bit DACs and 2-bit cells: ceil(log2 rows) + 2 bits, one less with flip encoding;
    // conv1 has 3 x 3 x 3 = 27 rows: 5 + 2 - 1 = 6; a 16-channel 3x3 conv 144 rows: 8 + 2 - 1 = 9.
    #expect(notes.count == 1 && notes[0].hasPrefix("ADCs of 4 bits clip the column sums of ")
            && notes[0].contains("conv1 (27 rows need 6), layer1.0.conv1 (144 rows need 9)"))
    setup.set = []
    #expect(try PreparedRun(setup).bench.notes.isEmpty)
    setup.set = ["ima.adc.bits=auto"]
    #expect(try PreparedRun(setup).bench.notes.isEmpty)
  }
}
