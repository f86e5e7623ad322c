import Foundation

// MARK: - Chrome trace-event JSON (opens in Perfetto), in memory or streamed to a file

/// Collects busy intervals and counters as Chrome trace events: `"ph":"X"` spans and `"ph":"C"`
/// counters in microseconds, the start cycle in `args`. A process is a tile (or a router, or the
/// off-chip links), a thread one of its components, named by `"ph":"M"` metadata at the end.
///
/// With a path, events stream to the file in 1 MB chunks while the run goes, so memory stays
/// flat however long the trace; `finish()` closes it, and throws the first write that failed (a
/// full disk) naming the file. Without one they are kept for `json()`. A trace cut at `limit`
/// says so twice: a global instant event "trace truncated" and `otherData.droppedEvents`.
public final class ChromeTrace {
  private var pending = ""
  private var kept: [String] = []
  private let file: FileHandle?
  private let path: String?
  /// The first failed write (later events are only counted); `finish()` throws it.
  private var writeError: InputError?
  private var names: [Int: String] = [:]          // pid << 20 | tid + 1 (0 for the process) -> name
  private var isFirst = true
  /// Most events kept; later ones are dropped and counted, so a trace never fills the disk.
  public let limit: Int
  /// Events recorded.
  public private(set) var count = 0
  /// Events dropped after the limit.
  public private(set) var dropped = 0

  /// An in-memory trace keeping at most `limit` events.
  public init(limit: Int = 2_000_000) { self.limit = limit; file = nil; path = nil }

  /// A trace streamed to `path` (created or truncated), keeping at most `limit` events.
  public init(path: String, limit: Int = 5_000_000) throws {
    self.limit = limit
    // Opened in place (created or truncated), never replaced by a rename: a link or device stays one.
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw InputError("--trace: cannot write \(path): \(String(cString: strerror(errno)))") }
    file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    self.path = path
    pending = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
  }

  /// Names a process (`tid` nil) or one of its threads, once.
  public func name(process pid: Int, thread tid: Int? = nil, _ name: String) {
    let key = pid << 20 | ((tid ?? -1) + 1)
    if names[key] == nil { names[key] = name }
  }

  /// Whether the limit has been reached (later events are only counted).
  public var isFull: Bool { count >= limit }

  /// Records one busy interval of component `tid` of process `pid`.
  public func complete(name: String, process pid: Int, thread tid: Int, start: UInt64, end: UInt64, clock: Clock,
                       args: [String: Int32] = [:]) {
    guard !isFull else { dropped += 1; return }
    let ts = clock.ns(Cycle(start)) / 1000, dur = clock.ns(Cycles(end - start)) / 1000
    let a = args.keys.sorted().map { "\"\($0)\":\(args[$0]!)" }.joined(separator: ",")
    append("{\"name\":\(JSONValue.quote(name)),\"ph\":\"X\",\"pid\":\(pid),\"tid\":\(tid),\"ts\":\(fmt(ts)),"
           + "\"dur\":\(fmt(dur)),\"args\":{\"cycle\":\(start)\(a.isEmpty ? "" : ",")\(a)}}")
  }

  /// Records one crossbar activation (process: tile, thread: crossbar within the tile).
  public func complete(name: String, tile: Int, track: Int, start: UInt64, end: UInt64, clock: Clock,
                       args: [String: Int32]) {
    guard !isFull else { dropped += 1; return }
    self.name(process: tile, "tile \(tile)")
    self.name(process: tile, thread: track, "crossbar \(track)")
    complete(name: name, process: tile, thread: track, start: start, end: end, clock: clock, args: args)
  }

  /// Records counter values of process `pid` at cycle `at`.
  public func counter(_ name: String, process pid: Int, at: UInt64, clock: Clock, values: [(String, Double)]) {
    guard !isFull else { dropped += 1; return }
    let v = values.map { "\(JSONValue.quote($0.0)):\(StatNode.number($0.1))" }.joined(separator: ",")
    let ts = fmt(clock.ns(Cycle(at)) / 1000)
    append("{\"name\":\(JSONValue.quote(name)),\"ph\":\"C\",\"pid\":\(pid),\"ts\":\(ts),\"args\":{\(v)}}")
  }

  /// Callers check `isFull` first (and count what they drop).
  private func append(_ line: String) {
    count += 1
    guard file != nil else { kept.append(line); return }
    pending += isFirst ? line : ",\n" + line
    isFirst = false
    if pending.utf8.count > 1 << 20 { flush() }
  }

  private func flush() {
    defer { pending = "" }
    guard let file, writeError == nil else { return }
    do { try file.write(contentsOf: Data(pending.utf8)) } catch {
      writeError = InputError("--trace: writing \(path ?? "the trace") failed: " +
          "\((error as NSError).localizedFailureReason ?? error.localizedDescription)")
    }
  }

  /// The closing of the event list: a note when events were dropped, then the array's end and, for a
  /// truncated trace, `otherData` with the count.
  private var closing: (event: String?, tail: String) {
    guard dropped > 0 else { return (nil, "\n]}\n") }
    let event = "{\"name\":\"trace truncated: \(dropped) events dropped after the first \(limit)\",\"ph\":\"i\"," +
      "\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":0,\"args\":{\"droppedEvents\":\(dropped),\"eventLimit\":\(limit)}}"
    return (event, "\n],\"otherData\":{\"droppedEvents\":\(dropped),\"eventLimit\":\(limit)}}\n")
  }

  /// `v` with six decimals, by integer arithmetic (String(format:) dominated long traces).
  private func fmt(_ v: Double) -> String {
    let micro = Int64((v * 1e6).rounded())
    let whole = micro / 1_000_000, frac = abs(micro % 1_000_000)
    let f = String(frac)
    return (micro < 0 && whole == 0 ? "-" : "") + String(whole) + "." + String(repeating: "0", count: 6 - f.count) + f
  }

  /// The metadata events naming every process and thread seen, in a fixed order.
  private var metadata: [String] {
    names.keys.sorted().map { key in
      let pid = key >> 20, tid = (key & 0xF_FFFF) - 1
      return tid < 0
        ? "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(pid),\"args\":{\"name\":\(JSONValue.quote(names[key]!))}}"
        : "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":\(pid),\"tid\":\(tid),"
          + "\"args\":{\"name\":\(JSONValue.quote(names[key]!))}}"
    }
  }

  /// The in-memory trace as a JSON document (metadata first).
  public func json() -> String {
    let (note, tail) = closing
    return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + (metadata + kept + (note.map { [$0] } ?? []))
      .joined(separator: ",\n") + tail
  }

  /// Writes the metadata and closes a streamed trace; throws the first write that failed.
  public func finish() throws {
    guard let file else { return }
    let (note, tail) = closing
    for m in metadata + (note.map { [$0] } ?? []) { pending += isFirst ? m : ",\n" + m; isFirst = false }
    pending += tail
    flush()
    do { try file.close() } catch where writeError == nil {
      writeError = InputError("--trace: closing \(path ?? "the trace") failed: \(error.localizedDescription)")
    }
    if let writeError { throw writeError }
  }
}
