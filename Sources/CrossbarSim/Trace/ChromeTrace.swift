import Foundation

// MARK: - Chrome trace-event JSON (opens in Perfetto)

/// Collects busy intervals as Chrome trace events: `pid` = tile, `tid` = crossbar within the tile,
/// `"ph":"X"` spans in microseconds, with the start cycle in `args`.
public final class ChromeTrace {
  private var lines: [String] = []
  private var tracks: Set<Int> = []      // tile << 32 | crossbar, for the name metadata
  /// Most events kept; later ones are dropped and counted, so a trace never exhausts memory.
  public let limit: Int
  /// Events dropped after the limit.
  public private(set) var dropped = 0

  /// Creates an empty trace keeping at most `limit` events.
  public init(limit: Int = 2_000_000) { self.limit = limit }

  /// Records one busy interval of a crossbar.
  public func complete(name: String, tile: Int, track: Int, start: UInt64, end: UInt64, clock: Clock, args: [String: Int32]) {
    guard lines.count < limit else { dropped += 1; return }
    tracks.insert(tile << 32 | track)
    let ts = clock.ns(Cycle(start)) / 1000, dur = clock.ns(Cycles(end - start)) / 1000
    let a = args.keys.sorted().map { "\"\($0)\":\(args[$0]!)" }.joined(separator: ",")
    lines.append("{\"name\":\"\(name)\",\"ph\":\"X\",\"pid\":\(tile),\"tid\":\(track),\"ts\":\(fmt(ts)),\"dur\":\(fmt(dur)),\"args\":{\"cycle\":\(start)\(a.isEmpty ? "" : ",")\(a)}}")
  }

  private func fmt(_ v: Double) -> String { String(format: "%.6f", v) }

  /// Events recorded.
  public var count: Int { lines.count }

  /// The trace as a JSON document.
  public func json() -> String {
    var meta: [String] = []
    var tiles: [Int] = []
    for key in tracks.sorted() {
      let tile = key >> 32, track = key & 0xFFFF_FFFF
      if tiles.last != tile {
        tiles.append(tile)
        meta.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(tile),\"args\":{\"name\":\"tile \(tile)\"}}")
      }
      meta.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":\(tile),\"tid\":\(track),\"args\":{\"name\":\"crossbar \(track)\"}}")
    }
    return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + (meta + lines).joined(separator: ",\n") + "\n]}\n"
  }
}
