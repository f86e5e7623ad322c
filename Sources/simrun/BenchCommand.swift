import ArgumentParser
import Compressors
import CrossbarSim
import Foundation
import Mappers
import SimrunKit

/// Release-mode performance figures: whole-network runs and the raw event-queue rate.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure simulation speed (best of N wall-clock runs), events per second and peak memory.",
    discussion: "Build with -c release. Peak memory is the process high-water mark (VmHWM), so bench one workload " +
        "per process for a clean figure.")

  @Option(name: [.customLong("workload"), .customLong("model")], help: "Workloads to run (repeatable).")
  var workload: [String] = ["vgg8", "resnet18"]

  @Option(help: "Arch preset or spec file.")
  var arch = RunSetup().arch.name

  @Option(name: .customLong("set"), help: "Override an arch field, e.g. --set ima.adc.bits=6 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Mapper kind.")
  var mapper = "im2col"

  @Option(help: "Schedule: layer or pipeline.")
  var schedule: Schedule = .pipeline

  @Flag(help: "Allow rounds of reprogramming.")
  var rounds = false

  @Option(parsing: .unconditional, help: "Images streamed through the network.")
  var images = 1

  @Option(help: "Weight replication: none, auto, auto:crossbars=N, auto:tiles=N or LAYER=k,...")
  var replicate = "none"

  @Flag(help: "Also stream a trace (to a temporary file, deleted after each run).")
  var trace = false

  @Option(parsing: .unconditional, help: "Repetitions per workload; the best is reported.")
  var repeats = 3

  @Option(parsing: .unconditional, help: "Events for the raw event-queue benchmark (0 skips it).")
  var queueEvents = 10_000_000

  @Option(help: "Mappers whose whole-network mapping time to measure (repeatable; none skips it).")
  var mapMapper: [String] = ["vw-sdk:search=exhaustive", "vw-sdk"]

  @Flag(help: "Only measure mapping, not simulation.")
  var mapOnly = false

  @Flag(help: ArgumentHelp("Measure SVD compression of every matrix layer (low-rank, all energy kept) against raw " +
      "LAPACKE sgesdd calls on the same matrices."))
  var svd = false

  @Option(help: ArgumentHelp("An ONNX model: measure functional inference instead (the whole --functional-data split " +
      "through the crossbar path, and each layer's bit-sliced path against the GEMMs it needs)."))
  var functional: String?

  @Option(help: "Labelled images for --functional (.npz with x, y).")
  var functionalData: String?

  @Option(help: ArgumentHelp("A workload or ONNX model: measure training instead (forward and backward pass of one " +
      "batch, one epoch). Without --training-data: 1,024 seeded random images and labels, He-normal weights."))
  var training: String?

  @Option(help: "Labelled images for --training (.npz with x, y).")
  var trainingData: String?

  @Option(parsing: .unconditional, help: "Batch size for --training.")
  var trainingBatch = 32

  @Flag(help: "No progress on stderr (it appears once a benchmark has run 2 s).")
  var quiet = false

  func run() throws {
    Functional.useSingleThreadedBLAS()
    guard (1...1000).contains(repeats) else { throw InputError("--repeats \(repeats): must be in 1...1000") }
    guard (0...1_000_000_000).contains(queueEvents) else { throw InputError("--queue-events \(queueEvents): must be " +
        "in 0...1000000000") }
    guard (1...1_000_000).contains(images) else { throw InputError("--images \(images): must be in 1...1000000") }
    let spec = try ArchSpec.load(arch, overrides: overrides)
    let m = try MapperRegistry.mapper(kind: mapper)
    if let training {
      return try TrainingBenchCommand.run(training, data: trainingData, batch: trainingBatch, repeats: repeats)
    }
    if let functional {
      guard let functionalData else { throw InputError("--functional needs --functional-data FILE.npz") }
      return try InferenceBench.run(model: functional, data: functionalData, arch: spec, mapper: m, repeats: repeats)
    }
    let clock = ContinuousClock()
    let meter = PhaseMeter("bench", enabled: !quiet) { writeStandardError($0) }
    defer { meter.stop() }
    if queueEvents > 0 {
      meter.enter("event queue (\(queueEvents) events)")
      let (rate, checksum) = Self.queueRate(events: queueEvents)
      print(String(format: "event queue: %.1f M events/s (%d events, 4096 pending, checksum %llu)", rate / 1e6,
                   queueEvents, checksum))
    }
    let mapMappers = mapMapper.filter { $0 != "none" }
    if !mapMappers.isEmpty && !svd {
      var t = TextTable(header: ["workload", "mapper", "matrix layers", "arrays", "computing cycles", "best [ms]"],
                        leftColumns: 2)
      for w in workload {
        let network = try BuiltinWorkloads.load(w)
        for mapperSpec in mapMappers {
          let mapper = try MapperRegistry.mapper(kind: mapperSpec)
          var best = Double.infinity
          var layout: NetworkLayout?
          for k in 0..<max(1, repeats) {
            meter.enter("mapping \(w) with \(mapperSpec), run \(k + 1)/\(max(1, repeats))")
            let start = clock.now
            layout = try NetworkLayout.map(network, with: mapper, geometry: ArrayGeometry(spec))
            best = min(best, Self.seconds(clock.now - start))
          }
          let cc = layout!.layouts.reduce(0) { $0 + ($1?.computingCycles ?? 0) }
          t.rows.append([w, mapperSpec, "\(network.matrixLayerCount)", "\(layout!.crossbars)", "\(cc)",
                         String(format: "%.2f", best * 1000)])
        }
      }
      print(t.render(), terminator: "")
    }
    if svd {
      var t = TextTable(header: ["workload", "matrices", "lowrank compressor [s]", "raw sgesdd [s]", "ratio"])
      for w in workload {
        let network = try BuiltinWorkloads.load(w)
        let weights = try SyntheticWeights(seed: 1).generate(for: network)
        let model = try CompressedModel(network: network, weights: weights)
        let compressor = try LowRankCompressor(options: ["energy": "1", "layers": "all", "pointwise": "true"])
        let context = CompressionContext(geometry: ArrayGeometry(spec), weightBits: spec.data.weightBits,
                                         mapper: try MapperRegistry.mapper(kind: "im2col"))
        let targets = network.layers.indices.filter { network.layers[$0].operation.isMatrix }
        var bestCompress = Double.infinity, bestRaw = Double.infinity
        for k in 0..<max(1, repeats) {
          meter.enter("SVD of \(w), run \(k + 1)/\(max(1, repeats))")
          var start = clock.now
          _ = try compressor.compress(model, context: context)
          bestCompress = min(bestCompress, Self.seconds(clock.now - start))
          start = clock.now
          for i in targets {
            let w = weights.layers[i]!
            let info = LAPACK.rawSGESDD(w.values, m: w.outputs, n: w.inputs)
            guard info == 0 else { throw InputError("raw sgesdd on layer \(network.layers[i].name): info \(info)") }
          }
          bestRaw = min(bestRaw, Self.seconds(clock.now - start))
        }
        t.rows.append([w, "\(targets.count)", String(format: "%.3f", bestCompress), String(format: "%.3f", bestRaw),
                       String(format: "%.2f", bestCompress / bestRaw)])
      }
      print(t.render(), terminator: "")
    }
    if mapOnly || svd { return }
    var table = TextTable(header: ["workload", "crossbars", "activations", "events", "best [s]", "M events/s",
                                   "simulated [us]", "peak RSS [MB]"])
    for w in workload {
      let network = try BuiltinWorkloads.load(w)
      var best = Double.infinity
      var last: SimulationResult?
      let options = SimulationOptions(schedule: schedule, allowRounds: rounds, images: images,
                                      replication: try ReplicationPlan.parse(replicate, spec: spec))
      for k in 0..<max(1, repeats) {
        meter.enter("simulating \(w), run \(k + 1)/\(max(1, repeats))")
        let path = FileManager.default.temporaryDirectory
          .appendingPathComponent("bench-trace-\(UUID().uuidString).json").path
        let sink = trace ? try ChromeTrace(path: path) : nil
        let start = clock.now
        let r = try Simulation.run(network: network, spec: spec, mapper: m, options: options, trace: sink)
        try sink?.finish()
        let d = clock.now - start
        if sink != nil { try? FileManager.default.removeItem(atPath: path) }
        best = min(best, Self.seconds(d))
        last = r
      }
      let r = last!
      let xb = r.layers.reduce(0) { $0 + $1.crossbars }, act = r.layers.reduce(0) { $0 + $1.activations }
      table.rows.append([w, "\(xb)", "\(act)", "\(r.events)", String(format: "%.3f", best),
                         String(format: "%.1f", Double(r.events) / best / 1e6), String(format: "%.1f",
                             r.latencyNs / 1000),
                         String(format: "%.1f", Self.peakRSSMB())])
    }
    meter.stop()
    print(table.render(), terminator: "")
  }

  /// Steady-state schedule/pop rate of the engine's event queue with 4096 pending events.
  static func queueRate(events: Int) -> (Double, UInt64) {
    var q = EventQueue<UInt32>()
    var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng >> 33 }
    for i in 0..<4096 { q.schedule(UInt32(i), at: Cycle(next() % 1024)) }
    let clock = ContinuousClock()
    let start = clock.now
    var checksum: UInt64 = 0
    for _ in 0..<events {
      let (t, p) = q.pop()!
      checksum &+= UInt64(p)
      q.schedule(p, at: t + Cycles(1 + next() % 1024))
    }
    let d = clock.now - start
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    return (Double(events) / s, checksum)
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// The process's peak resident memory [MB], from /proc/self/status.
  static func peakRSSMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
    return kb / 1024
  }
}
