import Foundation
import PropertyBased
import Testing

// MARK: - Seeded, shrinking property checks on swift-property-based

/// Runs `body` on `count` cases drawn from integer parameters and shrinks a failing case to a
/// smallest one, through swift-property-based's `propertyCheck`.
///
/// Why a wrapper: the library draws every run from a fresh random seed (its `.fixedSeed` trait
/// replays one failure and reports an issue when the test passes), while our tests must give the
/// same verdict on every run. Here case `k` is drawn from SplitMix64 seeded with `seed ^ k` whatever
/// the library's generator says, so the cases are fixed by `seed`; the library still drives the
/// run and shrinks a failure, one parameter at a time towards its lower bound with its own
/// integer shrink sequences, and prints the shrunk case (parameters and the value `make` built).
///
/// - Parameters:
///   - seed: fixes the cases; change it to explore others.
///   - count: cases to run.
///   - ranges: one range per integer parameter.
///   - make: builds a case from parameters, or nil to skip an invalid combination.
public func forAll<Case: Sendable>(
  seed: UInt64, count: Int = 100, _ ranges: [ClosedRange<Int>],
  sourceLocation: SourceLocation = #_sourceLocation,
  make: @Sendable @escaping ([Int]) -> Case?,
  _ body: (Case) async throws -> Void
) async {
  let draws = CaseCounter()
  let parameters = Generator<[Int], [[Int]]>(
    run: { _ in
      var g = CaseRNG(seed: seed ^ (draws.next() &* 0x9E37_79B9_7F4A_7C15))
      return ranges.map { Int.random(in: $0, using: &g) }
    },
    shrink: { v in
      var out: [[Int]] = []
      for (i, r) in ranges.enumerated() {
        for c in v[i].shrink(within: r, towards: r.lowerBound) { var w = v; w[i] = c; out.append(w) }
      }
      return out
    })
  await propertyCheck(count: count, input: parameters.compactMap { p in make(p).map { Drawn(parameters: p, value: $0) } },
                      perform: { try await body($0.value) }, sourceLocation: sourceLocation)
}

/// A case with the parameters it was built from, as failures print it.
struct Drawn<Value: Sendable>: Sendable, CustomTestStringConvertible {
  var parameters: [Int]
  var value: Value
  var testDescription: String { "\(value) (parameters \(parameters))" }
}

/// Numbers the draws of one property check.
final class CaseCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var n: UInt64 = 0
  func next() -> UInt64 { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}

/// SplitMix64, as the core's `SeededGenerator` (the support target does not depend on the
/// simulator, so property inputs stay independent of the code under test).
struct CaseRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
