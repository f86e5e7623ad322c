import Foundation

/// Progress of a sweep on stderr: a bar redrawn in place on a terminal, a plain line every few
/// seconds otherwise (logs, Slurm output files).
final class SweepProgress: @unchecked Sendable {
  enum Style: String { case auto, bar, lines, none }

  private let lock = NSLock()
  private let total: Int, startDone: Int, bar: Bool, quiet: Bool
  private var done: Int, failed = 0, lastPrint = Date.distantPast
  private let start = Date()

  init(total: Int, done: Int, style: Style) {
    self.total = total
    self.done = done
    startDone = done
    quiet = style == .none
    bar = style == .bar || (style == .auto && isatty(STDERR_FILENO) == 1)
  }

  func finished(ok: Bool) {
    lock.lock(); defer { lock.unlock() }
    done += 1
    if !ok { failed += 1 }
    let now = Date()
    let interval = bar ? 0.1 : 5
    if done == total || now.timeIntervalSince(lastPrint) >= interval {
      lastPrint = now
      report(now)
    }
  }

  func end() {
    lock.lock(); defer { lock.unlock() }
    if bar && !quiet { writeStandardError("\n") }
  }

  private func report(_ now: Date) {
    guard !quiet else { return }
    let elapsed = now.timeIntervalSince(start), ran = done - startDone
    let eta = ran > 0 ? elapsed / Double(ran) * Double(total - done) : 0
    let fraction = total > 0 ? Double(done) / Double(total) : 1
    let tail = String(format: "%d/%d points (%.0f %%), %d failed, %.1f s, ETA %.0f s", done, total, 100 * fraction,
                      failed, elapsed, eta)
    if bar {
      let width = 30, filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      let line = "\rsweep [" + bar + "] " + tail + "   "
      writeStandardError(line)
    } else {
      writeStandardError("sweep: \(tail)\n")
    }
  }
}
