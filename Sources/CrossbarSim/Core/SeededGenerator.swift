import Foundation

/// SplitMix64: a small, seeded, platform-independent random generator, so every seeded result
/// (synthetic weights, property tests) is the same on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  /// Current state.
  public var state: UInt64
  /// Creates a generator from `seed`.
  public init(seed: UInt64) { state = seed }
  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in (0, 1).
  public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
  /// Standard normal (Box-Muller).
  public mutating func gaussian() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
}
