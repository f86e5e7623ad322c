import Foundation

// MARK: - Progress of one long command on stderr: the phase it is in, once it has run 2 s

/// Tells the user what a command is doing once it has taken longer than `after` seconds: the phase
/// (weights, compression, mapping, simulation, evaluation) and the time so far. On a terminal one
/// line is redrawn in place every half second; otherwise a line is written when the phase changes
/// and every 10 s. A command that ends sooner prints nothing, so scripts and short runs stay quiet.
public final class PhaseMeter: @unchecked Sendable {
  private let lock = NSLock()
  private let label: String, after: Double, terminal: Bool, write: @Sendable (String) -> Void
  private let start = Date()
  private var phase = "", detail = "", printedPhase = "", lastLine = 0.0, drawn = false, stopped = false
  private var timer: DispatchSourceTimer?

  /// A meter for the command `label` (`run`, `bench`); `enabled: false` makes it silent.
  public init(_ label: String, enabled: Bool = true, after: Double = 2, terminal: Bool = isatty(2) != 0,
              write: @escaping @Sendable (String) -> Void) {
    self.label = label; self.after = after; self.terminal = terminal; self.write = write
    guard enabled else { stopped = true; return }
    let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
    t.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
    t.setEventHandler { [weak self] in self?.tick() }
    t.resume()
    timer = t
  }

  deinit { timer?.cancel() }

  /// Enters a phase (`simulation`); the detail is cleared.
  public func enter(_ name: String) {
    lock.lock(); phase = name; detail = ""; lock.unlock()
  }

  /// Sets what the phase has done so far (`image 512/1000`).
  public func report(_ text: String) {
    lock.lock(); detail = text; lock.unlock()
  }

  /// Stops the meter; a line drawn in place on a terminal is cleared.
  public func stop() {
    lock.lock(); defer { lock.unlock() }
    guard !stopped else { return }
    stopped = true
    timer?.cancel()
    if drawn && terminal { write("\r\u{1B}[K") }
  }

  private func tick() {
    lock.lock(); defer { lock.unlock() }
    let elapsed = Date().timeIntervalSince(start)
    guard !stopped, elapsed >= after, !phase.isEmpty else { return }
    let line = "\(label): \(phase)\(detail.isEmpty ? "" : " \(detail)") (\(String(format: "%.0f", elapsed)) s)"
    if terminal {
      write("\r\u{1B}[K" + line)
      drawn = true
    } else if phase != printedPhase || elapsed - lastLine >= 10 {
      write(line + "\n")
      printedPhase = phase
      lastLine = elapsed
    }
  }
}
