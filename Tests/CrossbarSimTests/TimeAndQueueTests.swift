import Testing
@testable import CrossbarSim

@Suite("Cycle and Clock")
struct CycleTests {
  @Test("points and spans do arithmetic in whole cycles")
  func arithmetic() {
    let t = Cycle(10) + Cycles(5)
    #expect(t == Cycle(15))
    #expect(t - Cycle(3) == Cycles(12))
    #expect(Cycles(4) * 3 == Cycles(12))
  }

  @Test("ns convert to cycles rounding up, never down", arguments: [
    (100.0, 1.28, UInt64(128)), (0.78125, 1.28, 1), (1.0, 1.28, 2), (0.0, 1.28, 0), (10.0, 1.0, 10),
  ])
  func conversion(ns: Double, ghz: Double, cycles: UInt64) {
    #expect(Clock(frequencyGHz: ghz).cycles(ns: ns) == Cycles(cycles))
  }
}

@Suite("EventQueue")
struct EventQueueTests {
  @Test("pops by time, then priority, then insertion order")
  func ordering() {
    var q = EventQueue<String>()
    q.schedule("late", at: Cycle(20))
    q.schedule("b", at: Cycle(10))
    q.schedule("urgent", at: Cycle(10), priority: 1)
    q.schedule("c", at: Cycle(10))
    q.schedule("a0", at: Cycle(5))
    var order: [String] = []
    while let (_, p) = q.pop() { order.append(p) }
    #expect(order == ["a0", "urgent", "b", "c", "late"])
    #expect(q.processed == 5)
    #expect(q.now == Cycle(20))
  }

  @Test("ties keep insertion order over many equal-time events")
  func stableTies() {
    var q = EventQueue<Int>()
    for i in 0..<1000 { q.schedule(i, at: Cycle(7)) }
    var last = -1
    while let (_, p) = q.pop() { #expect(p == last + 1); last = p }
    #expect(last == 999)
  }

  @Test("pop(notAfter:) stops at the limit")
  func limit() {
    var q = EventQueue<Int>()
    q.schedule(1, at: Cycle(3)); q.schedule(2, at: Cycle(4))
    #expect(q.pop(notAfter: Cycle(3))?.payload == 1)
    #expect(q.pop(notAfter: Cycle(3)) == nil)
    #expect(q.count == 1)
  }
}
