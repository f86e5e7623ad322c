import HeapModule

/// A time-ordered queue of payloads, ordered by (time, priority, insertion sequence).
///
/// `Heap` is not stable on its own, so a sequence number breaks ties in insertion order, as in
/// swift-nio's `EmbeddedEventLoop` and gem5's event queue. Nothing may be scheduled in the past.
public struct EventQueue<Payload> {
  struct Entry: Comparable {
    var key: UInt64      // time
    var order: UInt64    // priority (high 8 bits) | sequence (low 56 bits)
    var payload: Payload
    static func < (a: Entry, b: Entry) -> Bool {
      a.key != b.key ? a.key < b.key : a.order < b.order
    }
    static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.order == b.order }
  }

  var heap = Heap<Entry>()
  var sequence: UInt64 = 0
  /// The time of the most recently popped event; nothing may be scheduled before it.
  public private(set) var now: Cycle = .zero
  /// Events popped so far.
  public private(set) var processed: UInt64 = 0

  /// Creates an empty queue at cycle 0.
  public init() {}

  /// Number of pending events.
  public var count: Int { heap.count }
  /// Whether no event is pending.
  public var isEmpty: Bool { heap.isEmpty }
  /// Time of the next pending event, if any.
  public var nextTime: Cycle? { heap.min.map { Cycle($0.key) } }

  /// Schedules `payload` at `time`; lower `priority` runs first among events at the same time.
  public mutating func schedule(_ payload: Payload, at time: Cycle, priority: UInt8 = 128) {
    precondition(time >= now, "event scheduled in the past: \(time) < now \(now)")
    precondition(sequence < (1 << 56), "event sequence overflow")
    heap.insert(Entry(key: time.value, order: (UInt64(priority) << 56) | sequence, payload: payload))
    sequence &+= 1
  }

  /// Removes and returns the earliest event, advancing `now` to its time.
  public mutating func pop() -> (time: Cycle, payload: Payload)? {
    guard let e = heap.popMin() else { return nil }
    now = Cycle(e.key)
    processed &+= 1
    return (now, e.payload)
  }

  /// Removes and returns the earliest event only if it is at or before `limit`.
  public mutating func pop(notAfter limit: Cycle) -> (time: Cycle, payload: Payload)? {
    guard let m = heap.min, m.key <= limit.value else { return nil }
    return pop()
  }
}
