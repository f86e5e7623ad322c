import CrossbarSim
import Foundation
import Mappers

// MARK: - One run, resolved: what `run`, `compare` and `sweep` execute

/// The inputs of one run with every default filled in.
struct RunSetup: Sendable, Equatable {
  var workload = "resnet20"
  var arch = "isaac-8bit"
  /// Arch overrides `path=value`, applied in order.
  var sets: [String] = []
  var weights: String?
  var seed: UInt64 = 1
  var mapper = PluginSpec(kind: "im2col", options: [:])
  var compress: [PluginSpec] = []
  var factorize: String?
  var schedule: Schedule = .pipeline
  var images = 1
  var replicate = "none"
  var rounds = false
  var singleArray = false
}

extension RunSetup {
  /// Every default of a run, in one place: flags and help texts of `run` and `compare` read them.
  static let defaults = RunSetup()

  /// The run a run file describes, with every default filled in.
  init(file f: RunConfigFile) {
    self.init()
    workload = f.workload ?? workload
    arch = f.arch ?? arch
    sets = f.set ?? []
    weights = f.weights
    seed = f.seed ?? seed
    mapper = f.mapper ?? mapper
    compress = f.compress ?? []
    factorize = f.factorize
    schedule = f.schedule ?? schedule
    images = f.images ?? images
    replicate = f.replicate ?? replicate
    rounds = f.rounds ?? false
    singleArray = f.singleArray ?? false
  }
}

/// A finished run: the layouts it ran and the engine's result.
struct RunOutcome {
  let setup: RunSetup
  let spec: ArchSpec
  let bench: Workbench
  let result: SimulationResult
  var report: RunReport { RunReport(result, keptParameters: bench.keptParameters) }

  /// `config.yaml`: the fully resolved inputs.
  var resolvedConfig: ResolvedRunConfig {
    ResolvedRunConfig(workload: setup.workload, weights: bench.weightsSource, mapper: setup.mapper, compress: setup.compress,
                      factorize: setup.factorize, schedule: setup.schedule, images: setup.images, replicate: setup.replicate,
                      replicas: result.layers.filter { $0.crossbars > 0 }.map {
                        ReplicationPlan.LayerReplicas(layer: $0.name, replicas: $0.replicas) },
                      rounds: setup.rounds, singleArray: setup.singleArray, set: setup.sets, arch: spec)
  }
}

extension RunSetup {
  /// Loads the arch, compresses and maps the workload, and simulates it, streaming into the trace
  /// `trace` opens once the layouts exist (nil: no trace); `keepWeights` keeps the weights in the
  /// workbench for accuracy (see `Workbench`).
  func execute(keepWeights: Bool = false, trace makeTrace: (Workbench, ArchSpec) throws -> ChromeTrace? = { _, _ in nil }) throws -> RunOutcome {
    let spec = try ArchSpec.load(arch, overrides: sets)
    let m = try MapperRegistry.mapper(kind: mapper.kind, options: mapper.options)
    let bench = try Workbench(workload: workload, factorize: factorize, weights: weights, seed: seed,
                              compress: compress, mapper: m, geometry: ArrayGeometry(spec), weightBits: spec.data.weightBits,
                              keepWeights: keepWeights)
    let options = SimulationOptions(schedule: schedule, allowRounds: rounds, singleArrayPerLayer: singleArray, images: images,
                                    replication: try ReplicationPlan.parse(replicate, spec: spec))
    let engine = try Engine(spec: spec, layout: bench.layout, options: options)
    let trace = try makeTrace(bench, spec)
    engine.trace = trace
    let result = try engine.simulate()
    trace?.finish()
    return RunOutcome(setup: self, spec: spec, bench: bench, result: result)
  }
}
