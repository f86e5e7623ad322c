// MARK: - The one JSON writer (RFC 8259)

/// A JSON document as a value, rendered with two-space indentation. Objects keep their key order
/// (outputs are deterministic); an `inline` object or array is written on one line, as short
/// leaves read best (`{"value": 3, "unit": "ns"}`). Every string goes through `quote`, so a
/// control character in a layer name or label never makes a file invalid, and a non-finite
/// number is written as `null`.
public indirect enum JSONValue: Sendable, Equatable {
  /// Named members in output order.
  case object([Member], inline: Bool = false)
  /// Elements.
  case array([JSONValue], inline: Bool = false)
  /// Text.
  case string(String)
  /// A number (`null` when not finite), as `StatNode.number` writes it.
  case number(Double)
  /// A whole number.
  case integer(Int)
  /// `true` or `false`.
  case bool(Bool)
  /// `null`.
  case null

  /// One member of an object.
  public struct Member: Sendable, Equatable {
    /// Key.
    public var key: String
    /// Value.
    public var value: JSONValue
    /// Creates a member.
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
  }

  /// The text, indented from level `indent`, without a trailing newline.
  public func rendered(indent: Int = 0) -> String {
    var out = ""
    write(to: &out, indent: indent, inline: false)
    return out
  }

  /// The text of a whole file: the value and a newline.
  public var document: String { rendered() + "\n" }

  private func write(to out: inout String, indent: Int, inline forced: Bool) {
    switch self {
    case .object(let members, let inline):
      guard !members.isEmpty else { out += "{}"; return }
      if inline || forced {
        out += "{"
        for (i, m) in members.enumerated() {
          if i > 0 { out += ", " }
          out += Self.quote(m.key) + ": "
          m.value.write(to: &out, indent: indent, inline: true)
        }
        out += "}"
        return
      }
      let pad = String(repeating: "  ", count: indent)
      out += "{\n"
      for (i, m) in members.enumerated() {
        if i > 0 { out += ",\n" }
        out += pad + "  " + Self.quote(m.key) + ": "
        m.value.write(to: &out, indent: indent + 1, inline: false)
      }
      out += "\n" + pad + "}"
    case .array(let items, let inline):
      guard !items.isEmpty else { out += "[]"; return }
      if inline || forced {
        out += "["
        for (i, v) in items.enumerated() {
          if i > 0 { out += ", " }
          v.write(to: &out, indent: indent, inline: true)
        }
        out += "]"
        return
      }
      let pad = String(repeating: "  ", count: indent)
      out += "[\n"
      for (i, v) in items.enumerated() {
        if i > 0 { out += ",\n" }
        out += pad + "  "
        v.write(to: &out, indent: indent + 1, inline: false)
      }
      out += "\n" + pad + "]"
    case .string(let s): out += Self.quote(s)
    case .number(let v): out += StatNode.number(v)
    case .integer(let n): out += String(n)
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// A JSON string literal of `s`: quote, backslash and every control character escaped.
  public static func quote(_ s: String) -> String {
    var plain = true
    for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { plain = false; break }
    if plain { return "\"" + s + "\"" }
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case let c where c.value < 0x20:
        let hex = String(c.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }
}

extension JSONValue {
  /// A number, or `null` for nil.
  public static func numberOrNull(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }
  /// A string, or `null` for nil.
  public static func stringOrNull(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}
