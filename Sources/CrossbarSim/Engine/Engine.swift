/// Executes a placed network layout on the modelled chip, cycle by cycle, driven by events.
///
/// Per window (one input vector), the input is fetched from the tile buffer (finite bus width,
/// FIFO), broadcast to the crossbars of its input group, and each crossbar activation is resolved
/// into its bit-cycles: DAC drive + array read + sample-and-hold take one read cycle; the held
/// columns are converted by the crossbar's ADCs at their sample rate while the next bit is read
/// (ISAAC's pipeline; a read cannot latch before the previous bit's conversions free the S+H).
/// Shift-and-add follows each conversion. When every crossbar of the window is done, partial sums
/// of crossbars on other tiles cross the NoC, the tile shift-and-add reduces them, and the
/// outputs are written to the home tile buffer and sent to every tile of each consumer layer.
/// Buffers, NoC links and tile units are FIFO servers: contention is real.
///
/// The state lives in a value-type core so the hot loop runs with static exclusivity checking
/// instead of a runtime check on every property access.
public final class Engine {
  var core: EngineCore

  /// Builds an engine for `layout` on `spec`; throws if it does not fit (see `Placement`).
  public init(spec: ArchSpec, layout: NetworkLayout, options: SimulationOptions = .init()) throws {
    core = try EngineCore(spec: spec, layout: layout, options: options)
  }

  /// Optional trace sink; with none configured tracing costs one branch.
  public var trace: ChromeTrace? {
    get { core.trace }
    set { core.trace = newValue }
  }
  /// Processes events up to and including `limit` (all when nil); returns whether the run finished.
  @discardableResult
  public func run(until limit: Cycle? = nil) -> Bool { core.run(until: limit) }
  /// Runs to completion and returns the results, or throws if the run stalled.
  public func simulate() throws -> SimulationResult { try core.simulate() }
  /// The results of a finished run.
  public func result() throws -> SimulationResult { try core.result() }
  /// What `auto` placement chose and why, when its candidates differed.
  public var placementNote: String? { core.placementNote }
  /// The current simulated time.
  public var now: Cycle { core.now }
  /// Events processed so far.
  public var eventsProcessed: UInt64 { core.eventsProcessed }
  /// Crossbar activations started so far.
  public var activationsStarted: Int { core.activationsStarted }
  /// Crossbar activations finished so far.
  public var activationsFinished: Int { core.activationsFinished }
  /// Whether crossbar `id` is reading or has activations queued at the current time.
  public func isCrossbarBusy(_ id: Int) -> Bool { core.isCrossbarBusy(id) }
}
