/// A time-ordered queue of payloads, ordered by (time, priority, insertion sequence).
///
/// A sequence number breaks ties in insertion order, as in swift-nio's `EmbeddedEventLoop` and
/// gem5's event queue. Nothing may be scheduled in the past. The storage is a binary min-heap on
/// one 128-bit key (time, priority, sequence): a discrete-event queue only ever removes the
/// minimum, and swift-collections' `Heap` is a double-ended min-max heap whose pop does about twice
/// the comparisons (it was 73 % of the queue's time). Inlinable so every payload type gets a
/// specialized queue in any module.
public struct EventQueue<Payload> {
  @usableFromInline
  struct Entry {
    /// Time [cycles] in the high 64 bits, priority in the next 8, insertion sequence in the low 56.
    @usableFromInline var key: UInt128
    @usableFromInline var payload: Payload
    @inlinable init(key: UInt128, payload: Payload) { self.key = key; self.payload = payload }
    @inlinable var time: UInt64 { UInt64(truncatingIfNeeded: key >> 64) }
  }

  @usableFromInline var heap: [Entry] = []
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
  @inlinable public var nextTime: Cycle? { heap.first.map { Cycle($0.time) } }

  /// Schedules `payload` at `time`; lower `priority` runs first among events at the same time.
  @inlinable
  public mutating func schedule(_ payload: Payload, at time: Cycle, priority: UInt8 = 128) {
    precondition(time.value >= current, "event scheduled in the past: \(time) < now @\(current)")
    precondition(sequence < (1 << 56), "event sequence overflow")
    let entry = Entry(key: UInt128(time.value) << 64 | UInt128(UInt64(priority) << 56 | sequence), payload: payload)
    sequence &+= 1
    heap.append(entry)
    heap.withUnsafeMutableBufferPointer { h in
      var i = h.count - 1
      while i > 0 {
        let parent = (i - 1) >> 1
        guard entry.key < h[parent].key else { break }
        h[i] = h[parent]
        i = parent
      }
      h[i] = entry
    }
  }

  /// Removes and returns the earliest event, advancing `now` to its time.
  @inlinable
  public mutating func pop() -> (time: Cycle, payload: Payload)? {
    guard let top = heap.first else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap.withUnsafeMutableBufferPointer { h in
        let n = h.count
        var i = 0
        while true {
          var child = 2 * i + 1
          guard child < n else { break }
          if child + 1 < n && h[child + 1].key < h[child].key { child += 1 }
          guard h[child].key < last.key else { break }
          h[i] = h[child]
          i = child
        }
        h[i] = last
      }
    }
    current = top.time
    popped &+= 1
    return (Cycle(current), top.payload)
  }

  /// Removes and returns the earliest event only if it is at or before `limit`.
  @inlinable
  public mutating func pop(notAfter limit: Cycle) -> (time: Cycle, payload: Payload)? {
    guard let m = heap.first, m.time <= limit.value else { return nil }
    return pop()
  }
}
