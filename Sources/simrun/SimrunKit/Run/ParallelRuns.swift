import Foundation

// MARK: - Runs in parallel: one simulation per thread, results in input order

/// Parallelism across runs (one simulation is single-threaded; OpenBLAS runs with one thread in
/// each): `jobs` threads take the next item until none is left or one asks to stop.
enum ParallelRuns {
  /// `body` of every item, `jobs` at a time; results keep the items' order. `finished(i, ok)` is
  /// called as each item ends, one call at a time.
  static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ body: @escaping @Sendable (T) throws -> R,
                                             finished: @escaping @Sendable (Int,
                                                                            Bool) -> Void = { _, _ in }) -> [Result<R,
                                                                                Error>] {
    let queue = WorkQueue<Result<R, Error>>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, items.count))) { _ in
      while let i = queue.next() {
        let r = Result { try body(items[i]) }
        queue.finish(i, r) { if case .success = r { finished(i, true) } else { finished(i, false) } }
      }
    }
    return queue.results.map { $0 ?? .failure(CancellationError()) }
  }
}

/// Indices handed out one at a time, and the results stored under a lock.
final class WorkQueue<R>: @unchecked Sendable {
  private let lock = NSLock()
  private var cursor = 0, stopped = false
  private(set) var results: [R?]

  init(count: Int) { results = Array(repeating: nil, count: count) }

  /// The next index, or nil when all are taken or the queue stopped.
  func next() -> Int? {
    lock.lock(); defer { lock.unlock() }
    guard !stopped, cursor < results.count else { return nil }
    cursor += 1
    return cursor - 1
  }

  /// Stores result `i` and runs `then` under the lock (so reports come one at a time).
  func finish(_ i: Int, _ r: R, then: () -> Void = {}) {
    lock.lock(); defer { lock.unlock() }
    results[i] = r
    then()
  }

  /// Hands out no more indices.
  func stop() {
    lock.lock(); defer { lock.unlock() }
    stopped = true
  }
}
