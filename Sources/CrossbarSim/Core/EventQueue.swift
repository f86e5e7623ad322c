import HeapModule

/// A time-ordered queue of payloads, ordered by (time, priority, insertion sequence).
///
/// `Heap` is not stable on its own, so a sequence number breaks ties in insertion order, as in
/// swift-nio's `EmbeddedEventLoop` and gem5's event queue. Nothing may be scheduled in the past.
/// Inlinable so that every payload type gets a specialized queue, in any module.
public struct EventQueue<Payload> {
  @usableFromInline
  struct Entry: Comparable {
    /// Time [cycles].
    @usableFromInline var key: UInt64
    /// Priority in the high 8 bits, insertion sequence in the low 56.
    @usableFromInline var order: UInt64
    @usableFromInline var payload: Payload

    @inlinable init(key: UInt64, order: UInt64, payload: Payload) {
      self.key = key; self.order = order; self.payload = payload
    }
    @inlinable static func < (a: Entry, b: Entry) -> Bool {
      a.key != b.key ? a.key < b.key : a.order < b.order
    }
    @inlinable static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.order == b.order }
  }

  @usableFromInline var heap = Heap<Entry>()
  @usableFromInline var sequence: UInt64 = 0
  @usableFromInline var current: UInt64 = 0
  @usableFromInline var popped: UInt64 = 0

  /// Creates an empty queue at cycle 0.
  @inlinable public init() {}

  /// The time of the most recently popped event; nothing may be scheduled before it.
  @inlinable public var now: Cycle { Cycle(current) }
  /// Events popped so far.
  @inlinable public var processed: UInt64 { popped }
  /// Number of pending events.
  @inlinable public var count: Int { heap.count }
  /// Whether no event is pending.
  @inlinable public var isEmpty: Bool { heap.isEmpty }
  /// Time of the next pending event, if any.
  @inlinable public var nextTime: Cycle? { heap.min.map { Cycle($0.key) } }

  /// Schedules `payload` at `time`; lower `priority` runs first among events at the same time.
  @inlinable
  public mutating func schedule(_ payload: Payload, at time: Cycle, priority: UInt8 = 128) {
    precondition(time.value >= current, "event scheduled in the past: \(time) < now @\(current)")
    precondition(sequence < (1 << 56), "event sequence overflow")
    heap.insert(Entry(key: time.value, order: (UInt64(priority) << 56) | sequence, payload: payload))
    sequence &+= 1
  }

  /// Removes and returns the earliest event, advancing `now` to its time.
  @inlinable
  public mutating func pop() -> (time: Cycle, payload: Payload)? {
    guard let e = heap.popMin() else { return nil }
    current = e.key
    popped &+= 1
    return (Cycle(e.key), e.payload)
  }

  /// Removes and returns the earliest event only if it is at or before `limit`.
  @inlinable
  public mutating func pop(notAfter limit: Cycle) -> (time: Cycle, payload: Payload)? {
    guard let m = heap.min, m.key <= limit.value else { return nil }
    return pop()
  }
}
