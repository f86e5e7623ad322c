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

  /// The tree as JSON; values become `{"value": x, "unit": "u"}`.
  public var jsonValue: JSONValue {
    switch self {
    case .group(let children): .object(children.map { JSONValue.Member($0.0, $0.1.jsonValue) })
    case .value(let v, let unit): .object([.init("value", .number(v)), .init("unit", .string(unit))], inline: true)
    case .text(let s): .string(s)
    }
  }

  /// JSON text of the tree (see `jsonValue`).
  public func json() -> String { jsonValue.rendered() }

  /// The long-format table `path,stat,value,unit`: one row per leaf, the stat its last key and
  /// the path the keys above it (text values have no unit).
  public var csvTable: CSVTable {
    var t = CSVTable(header: ["path", "stat", "value", "unit"])
    func visit(_ node: StatNode, _ path: [String]) {
      switch node {
      case .group(let children): for (k, v) in children { visit(v, path + [k]) }
      case .value(let v, let unit): t.append([path.dropLast().joined(separator: "."), path.last ?? "",
                                              StatNode.number(v), unit])
      case .text(let s): t.append([path.dropLast().joined(separator: "."), path.last ?? "", s, ""])
      }
    }
    visit(self, [])
    return t
  }

  /// Shortest round-trip text of a number; integers without a fraction.
  public static func number(_ v: Double) -> String {
    guard v.isFinite else { return "null" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }
}
