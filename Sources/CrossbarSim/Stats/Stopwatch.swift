// MARK: - Best-of-N wall-clock timing (the bench subcommands)

/// Times a body of work `repeats` times and keeps the fastest, in seconds.
public struct Stopwatch: Sendable {
  /// Repetitions per measurement.
  public let repeats: Int
  /// A stopwatch of `repeats` repetitions.
  public init(repeats: Int) { self.repeats = repeats }

  /// The fastest of `repeats` runs of `body` [s].
  public func best(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var t = Double.infinity
    for _ in 0..<repeats {
      let d = try clock.measure(body)
      t = min(t, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    return t
  }
}
