import Foundation

// MARK: - Chrome trace-event JSON (opens in Perfetto), in memory or streamed to a file

/// Collects busy intervals and counters as Chrome trace events: `"ph":"X"` spans and `"ph":"C"`
/// counters in microseconds, the start cycle in `args`. A process is a tile (or a router, or the
/// off-chip links), a thread one of its components, named by `"ph":"M"` metadata at the end.
///
/// With a path, events stream to the file in 1 MB chunks while the run goes, so memory stays
/// flat however long the trace; `finish()` closes it. Without one they are kept for `json()`.
public final class ChromeTrace {
  private var pending = ""
  private var kept: [String] = []
  private let file: FileHandle?
  private var names: [Int: String] = [:]          // pid << 20 | tid + 1 (0 for the process) -> name
  private var isFirst = true
  /// Most events kept; later ones are dropped and counted, so a trace never fills the disk.
  public let limit: Int
  /// Events recorded.
  public private(set) var count = 0
  /// Events dropped after the limit.
  public private(set) var dropped = 0

  /// An in-memory trace keeping at most `limit` events.
  public init(limit: Int = 2_000_000) { self.limit = limit; file = nil }

  /// A trace streamed to `path` (created or truncated), keeping at most `limit` events.
  public init(path: String, limit: Int = 5_000_000) throws {
    self.limit = limit
    guard FileManager.default.createFile(atPath: path,
                                         contents: Data()), let h = FileHandle(forWritingAtPath: path) else {
      throw InputError("--trace: cannot write \(path)")
    }
    file = h
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
    file?.write(Data(pending.utf8))
    pending = ""
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
    "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + (metadata + kept).joined(separator: ",\n") + "\n]}\n"
  }

  /// Writes the metadata and closes a streamed trace.
  public func finish() {
    guard let file else { return }
    for m in metadata { pending += isFirst ? m : ",\n" + m; isFirst = false }
    pending += "\n]}\n"
    flush()
    try? file.close()
  }
}
