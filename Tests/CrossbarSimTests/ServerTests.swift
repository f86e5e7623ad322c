import Testing
import TestSupport
@testable import CrossbarSim

@Suite("Server")
struct ServerTests {
  @Test("a request starts when it is made or when the resource frees, whichever is later")
  func fifo() {
    var s = Server()
    #expect(s.reserve(at: Cycle(10), for: Cycles(5)) == Cycle(15))   // idle: starts at once
    #expect(s.reserve(at: Cycle(12), for: Cycles(4)) == Cycle(19))   // queued behind it: 15 -> 19
    #expect(s.reserve(at: Cycle(30), for: Cycles(2)) == Cycle(32))   // idle gap: starts at 30
    #expect(s.reserve(at: Cycle(31), for: .zero) == Cycle(32))       // even an empty request waits its turn
    #expect(s.busy == Cycles(11) && s.waited == Cycles(3 + 1) && s.requests == 4 && s.freeAt == Cycle(32))
    #expect(abs(s.utilization(over: Cycles(44)) - 0.25) < 1e-15)
    #expect(s.utilization(over: .zero) == 0)
  }

  @Test("any request sequence: served back to back without overlap, busy and wait add up")
  func property() async {
    // Parameters: a seed for 1-40 requests with gaps 0-9 and durations 0-12.
    await forAll(seed: 17, count: 200, [0...1_000_000, 1...40], make: { $0 }) { p in
      var rng = SeededGenerator(seed: UInt64(p[0]))
      var s = Server(), at: UInt64 = 0, previousEnd: UInt64 = 0, busy: UInt64 = 0, waited: UInt64 = 0
      for _ in 0..<p[1] {
        at += UInt64.random(in: 0...9, using: &rng)
        let d = UInt64.random(in: 0...12, using: &rng)
        let start = max(at, previousEnd)   // the oracle: one at a time, in order
        let end = s.reserve(at: Cycle(at), for: Cycles(d))
        #expect(end.value == start + d)
        busy += d; waited += start - at; previousEnd = start + d
      }
      #expect(s.busy.count == busy && s.waited.count == waited && s.requests == UInt64(p[1]))
      #expect(s.freeAt.value == previousEnd)
    }
  }
}
