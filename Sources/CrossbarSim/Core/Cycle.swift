// MARK: - Typed simulated time (gem5 style: a point and a span are different types)

/// A point in simulated time, counted in cycles of the chip's base clock.
public struct Cycle: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Cycles since the start of the run.
  public var value: UInt64

  /// Creates the point `value` cycles after the start of the run.
  @inlinable public init(_ value: UInt64) { self.value = value }

  /// The start of a run.
  public static let zero = Cycle(0)
  /// A point after every event (the first start of a stage that never started).
  public static let never = Cycle(UInt64.max)

  @inlinable public static func < (a: Cycle, b: Cycle) -> Bool { a.value < b.value }
  @inlinable public static func + (a: Cycle, b: Cycles) -> Cycle { Cycle(a.value + b.count) }
  @inlinable public static func += (a: inout Cycle, b: Cycles) { a.value += b.count }
  /// The span from `b` to `a`; `a` must not precede `b`.
  @inlinable public static func - (a: Cycle, b: Cycle) -> Cycles {
    precondition(a.value >= b.value, "negative span \(b) -> \(a)")
    return Cycles(a.value - b.value)
  }
  /// The point `b` before `a`; it must not precede the start of the run.
  @inlinable public static func - (a: Cycle, b: Cycles) -> Cycle {
    precondition(a.value >= b.count, "point before the start: \(a) - \(b)")
    return Cycle(a.value - b.count)
  }
  public var description: String { "@\(value)" }
}

/// A span of simulated time [cycles].
public struct Cycles: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Length of the span [cycles].
  public var count: UInt64

  /// Creates a span of `count` cycles.
  @inlinable public init(_ count: UInt64) { self.count = count }

  /// The empty span.
  public static let zero = Cycles(0)

  @inlinable public static func < (a: Cycles, b: Cycles) -> Bool { a.count < b.count }
  @inlinable public static func + (a: Cycles, b: Cycles) -> Cycles { Cycles(a.count + b.count) }
  @inlinable public static func += (a: inout Cycles, b: Cycles) { a.count += b.count }
  @inlinable public static func - (a: Cycles, b: Cycles) -> Cycles {
    precondition(a.count >= b.count, "negative span \(a) - \(b)")
    return Cycles(a.count - b.count)
  }
  @inlinable public static func * (a: Cycles, n: Int) -> Cycles { Cycles(a.count * UInt64(n)) }
  @inlinable public static func * (n: Int, a: Cycles) -> Cycles { Cycles(a.count * UInt64(n)) }
  public var description: String { "\(count) cy" }
}

/// Converts between nanoseconds and cycles of the base clock; used only at config load and output.
public struct Clock: Sendable, Equatable {
  /// Base clock frequency [GHz].
  public var frequencyGHz: Double

  /// Creates a clock running at `frequencyGHz`.
  public init(frequencyGHz: Double) { self.frequencyGHz = frequencyGHz }

  /// Length of one cycle [ns].
  public var periodNs: Double { 1.0 / frequencyGHz }

  /// The shortest whole number of cycles that lasts at least `ns` (a latency never rounds to less).
  public func cycles(ns: Double) -> Cycles {
    let exact = ns * frequencyGHz
    // Tolerate float noise such as 100 ns * 1.28 GHz = 128.00000000000003.
    let rounded = exact.rounded()
    if abs(exact - rounded) < 1e-9 * max(1, exact) { return Cycles(UInt64(max(0, rounded))) }
    return Cycles(UInt64(max(0, exact.rounded(.up))))
  }

  /// Duration of a span [ns].
  public func ns(_ span: Cycles) -> Double { Double(span.count) * periodNs }

  /// Time of a point [ns].
  public func ns(_ point: Cycle) -> Double { Double(point.value) * periodNs }
}
