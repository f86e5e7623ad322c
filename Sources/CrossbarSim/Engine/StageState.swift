// MARK: - A stage's state, split by what changes it

/// What a stage is: its windows' geometry, where its copies sit, what each window reads, computes
/// and writes. Set up once (`EngineCore+Setup`), then only read.
struct StageConfig {
  var spec: Placement.Stage
  var isMatrix: Bool
  var windowsY: Int, windowsX: Int
  var outputsPerWindowY = 1, outputsPerWindowX = 1
  var stepY = 1, stepX = 1, padding = 0, extentY = 1, extentX = 1
  /// Windows in flight at once (window slots).
  var capacity: Int
  /// Windows of the whole run: `perImage` x images, in image order.
  var windows = 0
  /// Whether the stage writes network outputs (no consumers): it marks when images complete.
  var isSink = false
  /// Whether the stage pools (folding each input into running results as it arrives).
  var isPooling = false
  /// Buffer groups holding this stage's outputs, one per destination tile.
  var groups: [Int] = []
  /// Destination tiles and their reading consumer edges, when no consumer is replicated;
  /// otherwise those of the windows in flight, worked out when they issue.
  var fixedDestinations: (tiles: [Int], readers: [UInt64])?
  /// Copies of the stage's crossbars; window w runs on copy `w % copies.count` (round-robin).
  var copies: [EngineCore.CopyState] = []
  /// Tile shift-and-add cycles reducing one window's partial sums.
  var reduceOps = Cycles.zero
  var outputBits = 0
  var outputValues = 0
  var psumBits = 0
  /// A digital stage's unit cycles, operations and action per window, and the bits it reads.
  var digitalCycles = Cycles.zero
  var digitalOps: Double = 0
  var digitalAction: Action = .maxPoolOp
  var digitalResource: ResourceKind = .maxPool
  var digitalInputBits = 0
  var rescale: Rescale = .none
  /// Edges into and out of the stage.
  var producers: [Int] = []
  var consumers: [Int] = []
  /// Windows of one image.
  var perImage: Int { windowsY * windowsX }
}

/// How far a stage has got: windows issued, finished and written, what is in flight, why it waits.
struct StageProgress {
  var nextWindow = 0, oldest = 0, completed = 0
  /// Per window slot: crossbars not yet started, when the started ones are done, whether written.
  var remaining: [Int32]
  var windowDone: [Cycle]
  var isDone: [Bool]
  /// Per image, windows a sink stage has written.
  var writtenInImage: [Int32] = []
  var destinationCache: [(window: Int, tiles: [Int], readers: [UInt64])?] = []
  /// The current stall: why, and since when.
  var stalled: (StallReason, Cycle)?
  /// Outputs sent but not yet delivered to every consumer.
  var outstanding = 0
  var isFinished = false

  /// Progress of a stage with `capacity` window slots.
  init(capacity: Int) {
    remaining = Array(repeating: 0, count: capacity)
    windowDone = Array(repeating: .zero, count: capacity)
    isDone = Array(repeating: false, count: capacity)
  }
}

/// What a stage has counted: its actions, its span, stalls, spills and busy times.
struct StageStats {
  var counts = ActionCounts()
  /// Sums over the stage's activations, for its action counts.
  var activity = Activity()
  /// First action and last output; first array read and last read end.
  var firstStart = Cycle.never, lastEnd = Cycle.zero
  var arrayStart = Cycle.never, arrayEnd = Cycle.zero
  var stallInputCycles = Cycles.zero, stallOutputCycles = Cycles.zero
  /// Bits this stage moved over the off-chip links (its spilled outputs, its inputs read back).
  var spilledBits = 0
  /// Busy time of the stage's crossbars (first drive to last latch) and ADC groups.
  var crossbarBusy = Cycles.zero, adcBusy = Cycles.zero

  /// Sums over activations: rows driven, fraction of the array read, columns converted, table
  /// lookups and values routed through tables (each per input bit where it applies).
  struct Activity {
    var rows = 0.0, readFraction = 0.0, converted = 0.0, lookups = 0.0, routed = 0.0, adcEnergyPJ = 0.0
  }

  /// The action counts of the stage's activations: every input bit drives the rows, reads the
  /// array's active fraction, samples, converts and shift-adds the converted columns.
  func activityCounts(inputCycles: Int) -> ActionCounts {
    var c = ActionCounts(), b = Double(inputCycles), a = activity
    c[.dacDrive] = a.rows * b
    c[.crossbarRead] = a.readFraction * b
    c[.sampleHold] = a.converted * b
    c[.adcConvert] = a.converted * b
    c.adcEnergyPJ = a.adcEnergyPJ * b
    c[.imaShiftAdd] = a.converted * b
    c[.tableLookup] = a.lookups
    c[.tableRoute] = a.routed
    return c
  }
}
