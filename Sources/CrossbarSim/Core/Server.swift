// MARK: - A contended resource (gem5's BaseXBar::Layer): one request at a time, first come first served

/// A resource that serves one request at a time in arrival order: a buffer port, a NoC link, a
/// tile shift-and-add or max-pool unit.
///
/// A request made at `at` starts when the resource frees (never earlier than `at`) and holds it
/// for its duration. The server keeps its own busy, wait and request counts, so every resource
/// has utilization stats and no handler repeats `max(now, free)` by hand. Requests are served in
/// the order they are made.
public struct Server: Sendable, Equatable {
  /// When the last reservation ends.
  public private(set) var freeAt: Cycle = .zero
  /// Time spent serving requests [cycles].
  public private(set) var busy: Cycles = .zero
  /// Time requests spent waiting for the resource to free [cycles].
  public private(set) var waited: Cycles = .zero
  /// Requests served.
  public private(set) var requests: UInt64 = 0

  /// Creates an idle server.
  public init() {}

  /// A record of `busy` time only, for units summed rather than queued (crossbars of a tile).
  init(busy: Cycles) { self.busy = busy }

  /// Reserves the resource for `duration` from `at`, or from when it frees if later; returns
  /// when the reservation ends.
  @discardableResult
  public mutating func reserve(at: Cycle, for duration: Cycles) -> Cycle {
    let start = max(at, freeAt)
    waited += start - at
    busy += duration
    requests &+= 1
    freeAt = start + duration
    return freeAt
  }

  /// Fraction of `span` the resource was busy.
  public func utilization(over span: Cycles) -> Double {
    span.count == 0 ? 0 : Double(busy.count) / Double(span.count)
  }
}
