import CrossbarSim
import Foundation

// MARK: - One run and its folder: what `simrun run` and `simrun eval` do

/// A run written to its folder: prepared, simulated (streaming `trace.json` into the folder when
/// asked), evaluated when the setup has `eval`, and every file of `RunOutputs` written, all or
/// nothing (see `RunFolder`).
public struct RunJob {
  /// What to run.
  public var setup: RunSetup
  /// The folder (nil: `PreparedRun.defaultFolder`).
  public var out: String?
  /// Whether to stream `trace.json`.
  public var trace = false
  /// The folder of an earlier run whose `area.csv` the new one is divided by.
  public var baseline: String?
  /// The mappers and compressors the setup may name.
  public var plugins = PluginCatalog.builtIn

  /// A job for `setup`.
  public init(setup: RunSetup, out: String? = nil, trace: Bool = false, baseline: String? = nil) {
    self.setup = setup; self.out = out; self.trace = trace; self.baseline = baseline
  }

  /// What a finished job leaves.
  public struct Finished {
    /// The run.
    public var outcome: RunOutcome
    /// Its folder.
    public var folder: String
    /// The files written, in `RunOutputs` order.
    public var files: [String]
    /// Trace events kept, and dropped past the trace's limit (0 without a trace).
    public var traceEvents = 0, droppedTraceEvents = 0
  }

  /// Runs the job; `meter` hears each phase and the evaluation's progress.
  public func run(meter: PhaseMeter? = nil) throws -> Finished {
    let baselineArea = try baseline.map(RunOutputs.baselineArea)
    let prepared = try PreparedRun(setup, plugins: plugins) { meter?.enter($0) }
    let folder = try RunFolder(out ?? prepared.defaultFolder)
    do {
      let sink = trace ? try ChromeTrace(path: "\(folder.staging)/trace.json") : nil   // streamed while the run goes
      meter?.enter("simulation")
      var outcome = try prepared.simulate(trace: sink)
      meter?.enter("evaluation")
      try outcome.evaluate(progress: meter.map { m in { m.report($0) } })
      meter?.enter("writing the folder")
      var files = try OutputFile.texts(RunOutputs.files, for: RunProducts(outcome: outcome, baselineArea: baselineArea,
                                                                       hasTrace: sink != nil))
      try folder.write(files)
      try folder.commit()
      if sink != nil { files.append(("trace.json", "")) }
      return Finished(outcome: outcome, folder: folder.path, files: files.map(\.0), traceEvents: sink?.count ?? 0,
                      droppedTraceEvents: sink?.dropped ?? 0)
    } catch {
      folder.discard()
      throw error
    }
  }
}
