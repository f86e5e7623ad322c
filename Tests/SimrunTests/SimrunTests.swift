import Foundation
import Testing
@testable import CrossbarSim
@testable import simrun
@testable import SimrunKit
import Mappers

/// Runs the built `simrun` binary and returns its exit status and output.
func runBinary(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let binary = root.appendingPathComponent(".build/debug/simrun")
  guard FileManager.default.fileExists(atPath: binary.path) else {
    throw InputError("simrun binary not found at \(binary.path); run `swift build` first")
  }
  let p = Process()
  p.executableURL = binary
  p.arguments = args
  let out = Pipe(), err = Pipe()
  p.standardOutput = out; p.standardError = err
  try p.run()
  let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func temporaryDirectory() -> String {
  let d = FileManager.default.temporaryDirectory.appendingPathComponent("simrun-test-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
  return d.path
}

@Suite("simrun arch")
struct ArchCommandTests {
  @Test("--format json gives tile and chip power and area computed from the rows")
  func json() throws {
    let text = ArchCommand.render(AreaPowerModel(spec: .isaac), format: .json)
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let tile = try #require(obj["tile"] as? [String: Any]), chip = try #require(obj["chip"] as? [String: Any])
    let tp = try #require(tile["powerMW"] as? Double), ta = try #require(tile["areaMm2"] as? Double)
    let cp = try #require(chip["powerMW"] as? Double), ca = try #require(chip["areaMm2"] as? Double)
    #expect(abs(tp - 330) / 330 < 0.005 && abs(ta - 0.372) / 0.372 < 0.005)
    #expect(abs(cp - 65_800) / 65_800 < 0.005 && abs(ca - 85.4) / 85.4 < 0.005)
    let comps = try #require(obj["components"] as? [[String: Any]])
    let rowSum = comps.filter { ($0["path"] as? String)?.hasPrefix("tile.ima.") == true }.reduce(0.0) { $0 + ($1["powerMW"] as! Double) }
    #expect(abs(rowSum * 12 + comps.filter { ($0["path"] as? String)?.hasPrefix("tile.ima.") == false && ($0["path"] as? String)?.hasPrefix("tile.") == true }
      .reduce(0.0) { $0 + ($1["powerMW"] as! Double) } - tp) < 1e-9)
  }
}

@Suite("simrun run")
struct RunCommandTests {
  @Test("with no flags a run is the README's default job: resnet20 on isaac-8bit, im2col, pipeline")
  func defaults() throws {
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(["--out", dir, "--quiet"])
    try cmd.run()
    let stats = try String(contentsOfFile: "\(dir)/stats.csv", encoding: .utf8)
    for row in ["run,network,resnet20,", "run,arch,isaac-8bit,", "run,schedule,pipeline,", "run,rounds,1,count"] {
      #expect(stats.contains(row + "\n"), "\(row)")
    }
    let config = try String(contentsOfFile: "\(dir)/config.yaml", encoding: .utf8)
    #expect(config.contains("workload: resnet20") && config.contains("kind: im2col") && config.contains("schedule: pipeline"))
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/compression.csv"))
  }

  @Test("a run writes the resolved config, stats and per-layer CSVs")
  func writesFolder() throws {
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(["--workload", "resnet20", "--out", dir, "--quiet"])
    try cmd.run()
    for f in ["config.yaml", "stats.json", "stats.csv", "layers.csv", "layers.svg", "energy.csv"] {
      #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)"), "\(f)")
    }
    // layers.svg: conv1 reads 1,024 input vectors on 1 crossbar, layer1.0.conv1 2,048 on 2, each 8
    // bit-serial reads of 100 ns (ISAAC): 819.2 µs of busy time per crossbar.
    let svg = try String(contentsOfFile: "\(dir)/layers.svg", encoding: .utf8)
    #expect(svg.contains("<title>conv1: crossbar busy (mean) 819</title>") && svg.contains("<title>layer1.0.conv1: crossbar busy (mean) 819</title>"))
    #expect(svg.contains(">time [µs]</text>") && svg.contains(">input stalls</text>"))
    let layers = try String(contentsOfFile: "\(dir)/layers.csv", encoding: .utf8).split(separator: "\n")
    let header = layers[0].split(separator: ",").map(String.init)
    for c in ["layer", "crossbars", "activations", "cycles", "latencyNs", "energyPJ", "utilization"] { #expect(header.contains(c)) }
    #expect(layers.count == 1 + (try BuiltinWorkloads.named("resnet20")).layers.count)
    let stats = try String(contentsOfFile: "\(dir)/stats.csv", encoding: .utf8)
    #expect(stats.hasPrefix("path,stat,value,unit\n"))
    #expect(stats.contains("chip,latency,"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/stats.json"))) as? [String: Any]
    #expect(json?["chip"] != nil)
    let config = try String(contentsOfFile: "\(dir)/config.yaml", encoding: .utf8)
    #expect(config.contains("kind: im2col") && config.contains("weightBits: 8"))
  }

  @Test("bad input is an error naming the file, key or layer", arguments: [
    (["--workload", "alexnet"], "unknown workload 'alexnet'"),
    (["--arch", "tpu-v9"], "neither a preset"),
    (["--mapper", "magic"], "unknown mapper kind 'magic'"),
    (["--set", "ima.adc.count=2"], "unknown key 'ima.adc.count'"),
    (["--set", "chip.tiles=-3"], "'chip.tiles' is -3"),
    (["--workload", "vgg13", "--set", "chip.tiles=4"], "layer conv7 needs 288 crossbars"),
  ])
  func badInput(args: [String], message: String) throws {
    let cmd = try RunCommand.parse(args + ["--out", temporaryDirectory(), "--quiet"])
    do { try cmd.run(); Issue.record("accepted \(args)") } catch {
      #expect("\(error)".contains(message), "\(error)")
    }
  }

  @Test("malformed files are errors naming the file")
  func badFiles() throws {
    let dir = temporaryDirectory()
    try "version: 1\nima: {adc: [\n".write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)
    try "32,32,3,3\n".write(toFile: "\(dir)/NetWork_bad.csv", atomically: true, encoding: .utf8)
    for (args, message) in [(["--arch", "\(dir)/bad.yaml"], "bad.yaml: malformed YAML"),
                            (["--workload", "\(dir)/NetWork_bad.csv"], "NetWork_bad.csv:1: expected 7 or 8")] {
      let cmd = try RunCommand.parse(args + ["--out", dir, "--quiet"])
      do { try cmd.run(); Issue.record("accepted \(args)") } catch { #expect("\(error)".contains(message), "\(error)") }
    }
  }

  @Test("the binary exits non-zero with the message on bad input, zero on a good run")
  func exitStatus() throws {
    let bad = try runBinary(["run", "--workload", "nope", "--out", temporaryDirectory()])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("unknown workload 'nope'"))
    let badSchedule = try runBinary(["run", "--schedule", "sometimes"])
    #expect(badSchedule.status != 0)
    let good = try runBinary(["arch", "--preset", "isaac-8bit", "--format", "csv"])
    #expect(good.status == 0)
    #expect(good.stdout.contains("chip,1,"))
  }
}

@Suite("simrun workloads")
struct WorkloadsCommandTests {
  @Test("the listing has every built-in workload with layers, parameters and MACs")
  func listing() {
    let csv = WorkloadsCommand.summary(BuiltinWorkloads.all.map { $0.make() }, format: .csv)
    let lines = csv.split(separator: "\n")
    #expect(lines[0] == "workload,input,layers,matrixLayers,parameters,macs")
    #expect(lines.count == 1 + BuiltinWorkloads.all.count)
    #expect(csv.contains("resnet20,3x32x32,"))
  }
}

@Suite("Reference traces")
struct ReferenceTraceTests {
  @Test("re-running the committed tiny reference run reproduces its files byte for byte")
  func golden() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(["--workload", "\(root)/traces/NetWork_tiny.csv", "--arch", "isaac-8bit",
                                    "--set", "chip.tiles=4", "--trace", "--out", dir, "--quiet"])
    try cmd.run()
    for f in ["layers.csv", "stats.csv", "stats.json", "energy.csv", "trace.json"] {
      let committed = try String(contentsOfFile: "\(root)/traces/tiny-isaac-8bit/\(f)", encoding: .utf8)
      let fresh = try String(contentsOfFile: "\(dir)/\(f)", encoding: .utf8)
      let a = committed.split(separator: "\n", omittingEmptySubsequences: false)
      let b = fresh.split(separator: "\n", omittingEmptySubsequences: false)
      let first = a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
      #expect(committed == fresh, """
        \(f) differs from the committed reference at line \(first + 1):
          committed: \(first < a.count ? a[first] : "(end)")
          now:       \(first < b.count ? b[first] : "(end)")
        (the "reference run, explained" test says which modelled quantity broke)
        """)
    }
  }
}

/// The golden run's content checked against hand-worked figures: when the byte-for-byte comparison
/// fails, this says what broke.
@Suite("Reference run, explained")
struct ReferenceRunExplainedTests {
  @Test("the reference run, explained: its crossbars, windows, activations, array times and counts follow from the network by hand")
  func explained() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let net = try NeuroSimImporter.load(path: "\(root)/traces/NetWork_tiny.csv")
    let spec = try ArchSpec.load("isaac-8bit", overrides: ["chip.tiles=4"])
    let r = try Simulation.run(network: net, spec: spec, mapper: Im2colMapper())
    let l = Dictionary(uniqueKeysWithValues: r.layers.map { ($0.name, $0) })
    let (c1, c2, pool, fc) = (l["conv1"]!, l["conv2"]!, l["pool2"]!, l["fc1"]!)
    // conv1: 10x10x8 (already padded), 3x3 to 16: 72 rows x 16 weights x 4 cells, one crossbar, 8x8 windows.
    #expect(c1.crossbars == 1 && c1.windows == 64 && c1.activations == 64)
    #expect(c1.arrayCycles.count == 64 * 8 * 128)                   // alone on its array: 8 reads of 128 cycles each
    #expect(c1.counts[.adcConvert] == Double(64 * 64 * 8) && c1.counts[.dacDrive] == Double(64 * 72 * 8))
    #expect(c1.utilization == Double(72 * 64) / Double(128 * 128))
    // conv2: 8x8x16, 3x3 to 16: 144 rows on two crossbars (128 + 16), 6x6 windows, paced by conv1.
    #expect(c2.crossbars == 2 && c2.windows == 36 && c2.activations == 72)
    #expect(c2.counts[.adcConvert] == Double(72 * 64 * 8) && c2.counts[.dacDrive] == Double(36 * 144 * 8))
    #expect(c2.counts[.tileShiftAdd] == Double(36))                   // 16 partial sums per window on 64 lanes
    #expect(c2.start < c1.end && c2.end >= c1.end)                    // pipelined behind conv1
    // The 2x2 pool after conv2, then FC 144 -> 10 on two crossbars (128 + 16 rows, 40 columns), one window.
    #expect(pool.windows == 9 && pool.counts[.maxPoolOp] == Double(9))
    #expect(fc.crossbars == 2 && fc.windows == 1 && fc.start >= pool.end)
    #expect(fc.utilization == Double(144 * 40) / Double(2 * 128 * 128))
    #expect(r.totalCycles.count == fc.end.value)
    // Energy is counts x the per-action table, per layer and in total.
    for x in r.layers { #expect(abs(x.counts.energyPJ(spec) - Action.allCases.reduce(0.0) { $0 + x.counts[$1] * $1.energyPJ(spec) }) < 1e-6) }
    #expect(abs(r.energyPJ - r.layers.reduce(0.0) { $0 + $1.counts.energyPJ(spec) } - r.leakageEnergyPJ) < 1e-6)
  }
}

@Suite("simrun streaming and replication")
struct StreamingCommandTests {
  /// Runs `simrun run` with `args` and returns stats.csv as (path.stat -> value).
  func stats(_ args: [String]) throws -> [String: Double] {
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(args + ["--out", dir, "--quiet"])
    try cmd.run()
    var out: [String: Double] = [:]
    for row in try String(contentsOfFile: "\(dir)/stats.csv", encoding: .utf8).split(separator: "\n").dropFirst() {
      let f = row.split(separator: ",", omittingEmptySubsequences: false)
      if let v = Double(f[2]) { out["\(f[0]).\(f[1])"] = v }
    }
    return out
  }

  @Test("compression becomes speed: on a 4-tile chip with auto replication, crossbar pruning streams more images per second than the dense network")
  func compressionBecomesSpeed() throws {
    let base = ["--workload", "resnet20", "--set", "chip.tiles=4", "--replicate", "auto", "--images", "8"]
    let dense = try stats(base), pruned = try stats(base + ["--compress", "prune-crossbar:ratio=0.5"])
    #expect(pruned["chip.imagesPerSecond"]! > 1.5 * dense["chip.imagesPerSecond"]!)
    #expect(pruned["chip.energyPerImage"]! < dense["chip.energyPerImage"]!)
    #expect(dense["layers.conv1.replicas"]! > 1 && dense["chip.images"] == 8)
  }

  @Test("the run config records the replication asked for and the copies it resolved to; run files take the same keys")
  func configRecordsReplicas() throws {
    let dir = temporaryDirectory()
    try "version: 1\nworkload: resnet20\nimages: 2\nreplicate: conv1=3,layer1.0.conv1=2\n".write(toFile: "\(dir)/run.yaml", atomically: true, encoding: .utf8)
    let cmd = try RunCommand.parse(["--config", "\(dir)/run.yaml", "--out", dir, "--quiet"])
    try cmd.run()
    let config = try String(contentsOfFile: "\(dir)/config.yaml", encoding: .utf8)
    #expect(config.contains("replicate: conv1=3,layer1.0.conv1=2") && config.contains("images: 2"))
    #expect(config.contains("resolved:\n  weights: none (no compression)\n  replicas:\n  - layer: conv1\n    replicas: 3\n"
                            + "  - layer: layer1.0.conv1\n    replicas: 2\n  - layer: layer1.0.conv2\n    replicas: 1"))
    let layers = try String(contentsOfFile: "\(dir)/layers.csv", encoding: .utf8)
    #expect(layers.contains("\nconv1,conv,im2col,3x3x3x16,3,3,"))
  }

  @Test("bad streaming and replication flags are errors naming the value", arguments: [
    (["--images", "0"], "--images 0: must be in 1...1000000"),
    (["--replicate", "conv1=0"], "replication factor '0'"),
    (["--replicate", "convX=2"], "no layer named 'convX'"),
    (["--replicate", "auto:crossbars=10"], "but the budget is 10"),
  ])
  func badFlags(args: [String], message: String) throws {
    let cmd = try RunCommand.parse(["--workload", "resnet20", "--out", temporaryDirectory(), "--quiet"] + args)
    do { try cmd.run(); Issue.record("accepted \(args)") } catch { #expect("\(error)".contains(message), "\(error)") }
  }
}

@Suite("simrun compression")
struct CompressionCommandTests {
  @Test("--compress chains write compression.csv with per-layer records and the resolved steps")
  func chain() throws {
    let dir = temporaryDirectory()
    let cmd = try RunCommand.parse(["--workload", "resnet20", "--compress", "lowrank:rank=8,groups=2", "--compress", "quant-pow2:bits=8",
                                    "--mapper", "lowrank", "--out", dir, "--quiet"])
    try cmd.run()
    let csv = try String(contentsOfFile: "\(dir)/compression.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv[0] == "step,layer,rank,keptRatio,parametersBefore,parametersAfter,crossbarsBefore,crossbarsAfter,tableEntries,relativeError,note")
    #expect(csv.contains { $0.hasPrefix("\"lowrank:groups=2,rank=8\",layer1.0.conv1,8,") })
    #expect(csv.contains { $0.hasPrefix("quant-pow2:bits=8,layer1.0.conv1.R,") })
    let config = try String(contentsOfFile: "\(dir)/config.yaml", encoding: .utf8)
    #expect(config.contains("kind: lowrank") && config.contains("kind: quant-pow2") && config.contains("synthetic (seed 1)"))
  }

  @Test("a YAML run config lists compressors as {kind, options} with numeric option values")
  func yamlConfig() throws {
    let dir = temporaryDirectory()
    try """
      version: 1
      workload: resnet20
      arch: isaac-8bit
      seed: 3
      mapper: {kind: vw-sdk, options: {search: exhaustive}}
      compress:
        - {kind: prune-crossbar, options: {ratio: 0.5}}
        - {kind: quant-fp, options: {bits: 8}}
      schedule: layer
      """.write(toFile: "\(dir)/run.yaml", atomically: true, encoding: .utf8)
    let cmd = try RunCommand.parse(["--config", "\(dir)/run.yaml", "--out", "\(dir)/out", "--quiet"])
    try cmd.run()
    let csv = try String(contentsOfFile: "\(dir)/out/compression.csv", encoding: .utf8)
    #expect(csv.contains("prune-crossbar:ratio=0.5,") && csv.contains("quant-fp:bits=8,"))
    let stats = try String(contentsOfFile: "\(dir)/out/stats.csv", encoding: .utf8)
    #expect(stats.contains("run,schedule,layer,"))
    #expect(stats.contains("chip.actions,rescale.multiply,"))
  }

  @Test("bad compression input names the value", arguments: [
    (["--compress", "lowrank:rank=0"], "option rank='0' must be an integer"),
    (["--compress", "prune-rows:ratio=2"], "ratio='2'"),
    (["--compress", "squeeze:hard=1"], "unknown compressor kind 'squeeze'"),
    (["--compress", "lowrank:rank=4", "--factorize", "rank=4"], "--factorize reshapes"),
    (["--compress", "lowrank:rank=4", "--weights", "/nonexistent.npz"], "/nonexistent.npz: no such file"),
  ])
  func badInput(args: [String], message: String) throws {
    let cmd = try RunCommand.parse(args + ["--out", temporaryDirectory(), "--quiet"])
    do { try cmd.run(); Issue.record("accepted \(args)") } catch { #expect("\(error)".contains(message), "\(error)") }
  }

  @Test("malformed run configs name the file and key")
  func badConfig() throws {
    let dir = temporaryDirectory()
    try "version: 1\ncompres: []\n".write(toFile: "\(dir)/a.yaml", atomically: true, encoding: .utf8)
    try "version: 1\ncompress: [{options: {rank: 2}}]\n".write(toFile: "\(dir)/b.yaml", atomically: true, encoding: .utf8)
    for (f, message) in [("a.yaml", "a.yaml: unknown key 'compres'"), ("b.yaml", "b.yaml: missing key")] {
      let cmd = try RunCommand.parse(["--config", "\(dir)/\(f)", "--out", dir, "--quiet"])
      do { try cmd.run(); Issue.record("accepted \(f)") } catch { #expect("\(error)".contains(message), "\(error)") }
    }
  }
}
