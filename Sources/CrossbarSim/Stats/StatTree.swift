import Foundation

// MARK: - Ordered stat tree with units (gem5/SST style), rendered as JSON and long-format CSV

/// A node of the stats tree: a group of named children, or a value with its unit.
public indirect enum StatNode: Sendable {
  /// Named children in output order.
  case group([(String, StatNode)])
  /// A numeric value and its unit.
  case value(Double, unit: String)
  /// A text value.
  case text(String)

  /// JSON text of the tree; values become `{"value": x, "unit": "u"}`.
  public func json(indent: Int = 0) -> String {
    let pad = String(repeating: "  ", count: indent)
    switch self {
    case .group(let children):
      if children.isEmpty { return "{}" }
      let inner = children.map { "\(pad)  \(StatNode.quote($0.0)): \($0.1.json(indent: indent + 1))" }
      return "{\n" + inner.joined(separator: ",\n") + "\n\(pad)}"
    case .value(let v, let unit):
      return "{\"value\": \(StatNode.number(v)), \"unit\": \(StatNode.quote(unit))}"
    case .text(let s):
      return StatNode.quote(s)
    }
  }

  /// Rows `path,stat,value,unit` for every leaf; the stat is the last key, the path the rest.
  public func csvRows(path: [String] = []) -> [String] {
    switch self {
    case .group(let children):
      return children.flatMap { $0.1.csvRows(path: path + [$0.0]) }
    case .value(let v, let unit):
      return ["\(CSV.field(path.dropLast().joined(separator: "."))),\(CSV.field(path.last ?? "")),\(StatNode.number(v)),\(CSV.field(unit))"]
    case .text(let s):
      return ["\(CSV.field(path.dropLast().joined(separator: "."))),\(CSV.field(path.last ?? "")),\(CSV.field(s)),"]
    }
  }

  /// Shortest round-trip text of a number; integers without a fraction.
  public static func number(_ v: Double) -> String {
    guard v.isFinite else { return "null" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }

  /// A JSON string literal of `s`.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }
}

/// CSV quoting, both ways (RFC 4180).
public enum CSV {
  /// A field, quoted when it holds a comma, quote or newline.
  public static func field(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// The fields of one line, as `field` writes them.
  public static func fields(_ line: String) -> [String] {
    var fields: [String] = [], field = "", quoted = false, chars = Array(line), i = 0
    while i < chars.count {
      let c = chars[i]
      if quoted {
        if c == "\"" {
          if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
        } else { field.append(c) }
      } else if c == "\"" { quoted = true }
      else if c == "," { fields.append(field); field = "" }
      else { field.append(c) }
      i += 1
    }
    fields.append(field)
    return fields
  }
}
