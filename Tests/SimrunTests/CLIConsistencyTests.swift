import Foundation
import Testing
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit

/// The small things a newcomer trips on (issue 26's CLI points done so far).
@Suite("CLI consistency")
struct CLIConsistencyTests {
  @Test("a first word that is no command names the nearest one and lists them; commands and flags pass")
  func unknownCommand() {
    #expect(SimrunCommand.unknownCommand("mapp")?.contains("unknown command 'mapp' (did you mean 'map'?)") == true)
    #expect(SimrunCommand.unknownCommand("swep")?.contains("did you mean 'sweep'?") == true)
    let far = SimrunCommand.unknownCommand("zzzzzzzz") ?? ""
    #expect(!far.contains("did you mean") && far.contains("commands: run, eval"))
    for ok in ["run", "sweep", "help", "--workload", "-h"] { #expect(SimrunCommand.unknownCommand(ok) == nil, "\(ok)") }
  }

  @Test("simrun --version prints the version; simrun mapp exits 64 with the suggestion")
  func versionAndTypo() throws {
    let v = try runBinary(["--version"])
    #expect(v.status == 0 && v.stdout == "simrun \(simrunVersion)\n", "\(v)")
    let typo = try runBinary(["mapp", "--workload", "vgg8"])
    #expect(typo.status == 64 && typo.stderr.contains("did you mean 'map'?"), "\(typo.stderr)")
  }

  @Test("workloads takes --model as map and run do")
  func workloadsModel() throws {
    #expect(try WorkloadsCommand.parse(["--model", "vgg8"]).workload == "vgg8")
    #expect(try WorkloadsCommand.parse(["--workload", "vgg8"]).workload == "vgg8")
  }

  @Test("the default run folder names the compression, so two compressed runs do not share one")
  func defaultFolder() throws {
    func folder(_ flags: [String]) throws -> String {
      try PreparedRun(RunSetup.load(file: nil, flags: ["--workload", tiny] + flags)).defaultFolder
    }
    #expect(try folder([]) == "runs/NetWork_tiny-isaac-8bit-im2col-pipeline")
    #expect(try folder(["--compress", "prune-rows:ratio=0.5"]) == "runs/NetWork_tiny-isaac-8bit-im2col-pipeline-prune-rows_ratio=0.5")
    #expect(try folder(["--compress", "prune-rows:ratio=0.5", "--compress", "quant-pow2:bits=8"])
      == "runs/NetWork_tiny-isaac-8bit-im2col-pipeline-prune-rows_ratio=0.5-quant-pow2_bits=8")
  }

  @Test("simrun arch says its power and area are per row, for all the row's units")
  func archTotals() throws {
    let r = try runBinary(["arch", "--set", "chip.tilesPerRouter=2"])
    #expect(r.status == 0 && r.stdout.contains("power of all [mW]") && r.stdout.contains("area of all [mm2]"))
    #expect(r.stdout.contains("all its `count` units together") && r.stdout.contains("shared by 2 tiles"), "\(r.stdout)")
  }

  @Test("--quiet on sweep and finetune: no progress on stderr, one line on stdout")
  func quiet() throws {
    let spec = try specFile("version: 1\nbase: {workload: \(tiny)}\ngrid: {mapper: [im2col, sdk]}\n" +
                            "objectives: [energyPerImage, imagesPerSecond]\n")
    let dir = (spec as NSString).deletingLastPathComponent
    let s = try runBinary(["sweep", spec, "--out", "\(dir)/s", "--quiet"])
    #expect(s.status == 0 && s.stderr.isEmpty && s.stdout.split(separator: "\n").count == 1, "\(s)")
    let d = BadInputCase.folder
    let f = try runBinary(["finetune", "--model", "\(d)/../digits/digits-cnn.onnx", "--train", "\(d)/d-test16.npz",
                           "--val", "\(d)/d-test16.npz", "--calibration", "\(d)/d-calib16.npz", "--epochs", "1",
                           "--out", "\(dir)/f", "--quiet"])
    #expect(f.status == 0 && f.stdout.split(separator: "\n").count == 1 && f.stdout.hasPrefix("wrote "), "\(f)")
    #expect(!f.stderr.contains("epoch"), "\(f.stderr)")
  }

  @Test("a sweep whose every point fails exits non-zero, after writing each point's error")
  func allPointsFail() throws {
    let spec = try specFile("""
      version: 1
      base: {workload: vgg16, set: [chip.tiles=1]}
      grid: {mapper: [im2col, sdk]}
      objectives: [energyPerImage, imagesPerSecond]
      """)
    let out = (spec as NSString).deletingLastPathComponent + "/out"
    let r = try runBinary(["sweep", spec, "--out", out, "--progress", "none"])
    #expect(r.status != 0 && r.stderr.contains("all 2 points failed"), "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: "\(out)/results.csv"))
  }
}

@Suite("YAML numbers")
struct YAMLNumbersTests {
  @Test("written YAML has shortest round-trip floats; strings that look like numbers and integers stay")
  func human() throws {
    let yaml = "a: 1.28e+0\nb: 6.0000000000000002e-05\nc: '1e5'\nd: 12\ne: [1e+2, x]\nf: {g: 0e+0}\nh: .inf\n"
    #expect(try YAMLNumbers.human(yaml) == "a: 1.28\nb: 6e-05\nc: '1e5'\nd: 12\ne:\n- 100.0\n- x\nf:\n  g: 0.0\nh: .inf\n")
    // The preset written and read back is the same spec, its clock written as a person would.
    let text = try ArchSpec.isaac8bit.yaml()
    #expect(text.contains("clockGHz: 1.28\n") && !text.contains("e+0"))
    #expect(try ArchSpec.parse(text: text, source: "t") == ArchSpec.isaac8bit)
  }
}
