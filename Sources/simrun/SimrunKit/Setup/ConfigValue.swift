import Foundation

// MARK: - A plain config value (YAML/JSON scalar, list or mapping), Codable and Sendable

/// A value of a config file kept as it was written: a run file's inline arch mapping, which is
/// merged onto its base preset only when the run loads it.
public indirect enum ConfigValue: Codable, Sendable, Equatable {
  case null
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  case list([ConfigValue])
  case mapping([String: ConfigValue])

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let b = try? c.decode(Bool.self) { self = .bool(b) }
    else if let i = try? c.decode(Int.self) { self = .integer(i) }
    else if let d = try? c.decode(Double.self) { self = .number(d) }
    else if let s = try? c.decode(String.self) { self = .string(s) }
    else if let l = try? c.decode([ConfigValue].self) { self = .list(l) }
    else { self = .mapping(try c.decode([String: ConfigValue].self)) }
  }

  public func encode(to encoder: Encoder) throws {
    switch self {
    case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
    case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
    case .integer(let i): var c = encoder.singleValueContainer(); try c.encode(i)
    case .number(let d): var c = encoder.singleValueContainer(); try c.encode(d)
    case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
    case .list(let l): var c = encoder.unkeyedContainer(); for v in l { try c.encode(v) }
    case .mapping(let m):
      var c = encoder.container(keyedBy: NameKey.self)
      for k in m.keys.sorted() { try c.encode(m[k]!, forKey: NameKey(k)) }
    }
  }

  /// The value as the plain tree `ConfigTree` merges (dictionaries, arrays, scalars).
  public var plain: Any {
    switch self {
    case .null: NSNull()
    case .bool(let b): b
    case .integer(let i): i
    case .number(let d): d
    case .string(let s): s
    case .list(let l): l.map(\.plain)
    case .mapping(let m): m.mapValues(\.plain)
    }
  }
}

/// A coding key made from any name.
struct NameKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ name: String) { stringValue = name }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}
