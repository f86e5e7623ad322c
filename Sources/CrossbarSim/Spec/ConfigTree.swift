import Foundation
import Yams

/// Loads YAML or JSON into `Codable` types by merging the user's keys onto a complete default
/// tree (a preset), so every key has a default, unknown keys are errors with their key path, and
/// `--set a.b.c=value` overrides work the same way as a file.
public enum ConfigTree {
  /// Parses YAML (JSON is a subset) into a plain tree of dictionaries, arrays and scalars.
  ///
  /// The document is measured from its events first and refused when it would expand to more than
  /// `maximumNodes` values, so an alias bomb ("billion laughs") is an error, not a hang.
  public static func parse(_ text: String, source: String) throws -> [String: Any] {
    let node = try compose(text, source: source)
    let loaded = node.map { Constructor.default.any(from: $0) }
    guard let dict = loaded as? [String: Any] else {
      throw InputError("\(source): expected a mapping of keys at the top level")
    }
    return dict
  }

  /// The tree of an encodable value (a preset), as the merge base.
  public static func tree<T: Encodable>(of value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    guard let dict = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      preconditionFailure("encodable value did not produce an object")
    }
    return dict
  }

  /// Composes a YAML document into nodes (aliases shared, not copied). A document that would
  /// expand to more than `maximumNodes` values, nests deeper than `maximumDepth` or has a key that
  /// is not a plain name is refused from the event stream, before Yams composes (and hashes) it.
  public static func compose(_ text: String, source: String) throws -> Node? {
    if let problem = YAMLExpansion.problem(in: text, maximumValues: maximumNodes, maximumDepth: maximumDepth) {
      throw InputError("\(source): \(problem)")
    }
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      // Yams quotes the offending line; keep a long one from flooding the terminal.
      let lines = "\(error)".split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.count > 160 ? String($0.prefix(160)) + "..." : String($0)
      }
      throw InputError("\(source): malformed YAML/JSON: \(lines.joined(separator: "\n"))")
    }
    // Yams traps on a merge key (<<) of anything but mappings.
    func visit(_ n: Node) throws {
      if let m = n.mapping {
        for (k, v) in m {
          if k.scalar?.string == "<<", !(v.mapping != nil || (v.sequence?.allSatisfy { $0.mapping != nil } ?? false)) {
            throw InputError("\(source): a merge key (<<) must merge mappings")
          }
          try visit(v)
        }
      } else if let s = n.sequence { for x in s { try visit(x) } }
    }
    if let node { try visit(node) }
    return node
  }

  /// Merges `override` onto `base`, reporting every key that `base` does not have.
  public static func merge(_ override: [String: Any], into base: inout [String: Any], path: String,
                           source: String, problems: inout [String]) {
    for key in override.keys.sorted() {
      let value = override[key]!
      let keyPath = path.isEmpty ? key : "\(path).\(key)"
      guard let existing = base[key] else {
        let known = base.keys.sorted().joined(separator: ", ")
        problems.append("\(source): unknown key '\(keyPath)' (known here: \(known))")
        continue
      }
      if var sub = existing as? [String: Any] {
        guard let subOverride = value as? [String: Any] else {
          problems.append("\(source): '\(keyPath)' must be a mapping with " +
              "keys \(sub.keys.sorted().joined(separator: ", "))")
          continue
        }
        merge(subOverride, into: &sub, path: keyPath, source: source, problems: &problems)
        base[key] = sub
      } else if value is [String: Any] {
        problems.append("\(source): '\(keyPath)' must be a single value, not a mapping")
      } else {
        base[key] = value
      }
    }
  }

  /// Applies one `key.path=value` override; the value is parsed as a YAML scalar.
  public static func set(_ assignment: String, in tree: inout [String: Any]) throws {
    guard let eq = assignment.firstIndex(of: "=") else {
      throw InputError("--set '\(assignment)': expected key.path=value")
    }
    let path = String(assignment[..<eq]).split(separator: ".").map(String.init)
    let raw = String(assignment[assignment.index(after: eq)...])
    guard !path.isEmpty else { throw InputError("--set '\(assignment)': empty key path") }
    // Composed under the same checks as files (Yams.load traps on some documents); text that does
    // not compose is taken as a string.
    let value: Any = ((try? compose(raw, source: "--set")) ?? nil).map { Constructor.default.any(from: $0) } ?? raw
    var override: Any = value
    for key in path.reversed() { override = [key: override] }
    var problems: [String] = []
    merge(override as! [String: Any], into: &tree, path: "", source: "--set", problems: &problems)
    if !problems.isEmpty { throw InputError(problems: problems) }
  }

  /// Decodes a merged tree, turning type mismatches into errors that name the key path.
  public static func decode<T: Decodable>(_ type: T.Type, from tree: [String: Any], source: String) throws -> T {
    func finite(_ node: Any, _ path: [String]) throws {
      if let d = node as? [String: Any] { for (k, v) in d { try finite(v, path + [k]) } }
      else if let a = node as? [Any] { for (i, v) in a.enumerated() { try finite(v, path + [String(i)]) } }
      else if let x = node as? Double, !x.isFinite {
        throw InputError("\(source): '\(path.joined(separator: "."))' is \(x); expected a finite number")
      }
    }
    try finite(tree, [])
    let data: Data
    do {
      data = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
    } catch {
      throw InputError("\(source): a value that is not a number, text, true/false, list or mapping")
    }
    do {
      return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
      if case .dataCorrupted(let ctx) = error, ctx.codingPath.isEmpty, let key = fractionalKey(T.self, in: tree) {
        throw InputError("\(source): '\(key.path)' is \(StatNode.number(key.value)); expected a whole " +
            "number\(abs(key.value) > Int.checkedLimit ? " of magnitude at most 2^53" : key.value < 0 ? " >= 0" : "")")
      }
      throw InputError("\(source): \(describe(error))")
    }
  }

  /// The key of a fractional number where `T` wants an integer (Foundation's decoder reports that
  /// without a key path): the first whose rounding makes the decode get past it.
  static func fractionalKey<T: Decodable>(_ type: T.Type, in tree: [String: Any]) -> (path: String, value: Double)? {
    var leaves: [([String], Double)] = []
    func walk(_ node: Any, _ path: [String]) {
      if let d = node as? [String: Any] { for (k, v) in d { walk(v, path + [k]) } }
      else if let i = node as? Int, i < 0 { leaves.append((path, Double(i))) }
      else if let x = node as? Double, x.isFinite, x != x.rounded() || abs(x) > Int.checkedLimit {
        leaves.append((path, x))
      }
    }
    walk(tree, [])
    func replacing(_ node: Any, _ path: ArraySlice<String>, _ value: Any) -> Any {
      guard let k = path.first, var d = node as? [String: Any] else { return value }
      d[k] = replacing(d[k] as Any, path.dropFirst(), value)
      return d
    }
    for (path, x) in leaves.sorted(by: { $0.0.joined(separator: ".") < $1.0.joined(separator: ".") }) {
      // A stand-in the decoder takes as a whole number (a huge one cannot be an Int at all).
      let rounded = replacing(tree, path[...], x < 0 ? 0 : abs(x) > Int.checkedLimit ? 1 : Int(x.rounded()))
      guard let data = try? JSONSerialization.data(withJSONObject: rounded, options: [.sortedKeys]) else { continue }
      do {
        _ = try JSONDecoder().decode(T.self, from: data)
        return (path.joined(separator: "."), x)
      } catch let e as DecodingError {
        if case .dataCorrupted(let c) = e, c.codingPath.isEmpty { continue }
        return (path.joined(separator: "."), x)
      } catch { continue }
    }
    return nil
  }

  /// The values of the config's enumerations, by type name, for messages.
  static let enumValues: [String: [String]] = [
    "WeightEncoding": WeightEncoding.allCases.map(\.rawValue),
    "ProgrammingDistribution": ProgrammingDistribution.allCases.map(\.rawValue),
    "ADCTimeScaling": ADCTimeScaling.allCases.map(\.rawValue),
    "Schedule": Schedule.allCases.map(\.rawValue),
    "PlacementPolicy": PlacementPolicy.allCases.map(\.rawValue),
  ]

  /// A Swift type as a config value's kind, in words.
  static func kind(_ t: Any.Type) -> String {
    switch t {
    case is Int.Type, is Int32.Type: return "a whole number"
    case is UInt64.Type, is UInt.Type, is UInt32.Type: return "a whole number >= 0"
    case is Double.Type, is Float.Type: return "a number"
    case is String.Type: return "text"
    case is Bool.Type: return "true or false"
    default:
      let name = String(describing: t)
      return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "a mapping" : "a value of another kind"
    }
  }

  static func describe(_ error: DecodingError) -> String {
    func path(_ ctx: DecodingError.Context) -> String {
      ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(let t, let ctx): return "'\(path(ctx))' has the wrong type (expected \(kind(t)))"
    case .valueNotFound(let t, let ctx): return "'\(path(ctx))' is missing a value (expected \(kind(t)))"
    case .keyNotFound(let k, let ctx):
      let p = path(ctx)
      return "missing key '\(p.isEmpty ? k.stringValue : p + "." + k.stringValue)'"
    case .dataCorrupted(let ctx):
      // "Cannot initialize WeightEncoding from invalid String value foo": name the valid values instead.
      let d = ctx.debugDescription
      if d.hasPrefix("is ") { return "'\(path(ctx))' \(d)" }
      if d.hasPrefix("Cannot initialize "), let from = d.range(of: " from invalid "),
         let value = d.range(of: " value ") {
        let type = String(d[d.index(d.startIndex, offsetBy: 18)..<from.lowerBound])
        let given = String(d[value.upperBound...])
        let valid = enumValues[type].map { " (valid: \($0.joined(separator: ", ")))" } ?? ""
        return "'\(path(ctx))' is '\(given)'; not a valid choice\(valid)"
      }
      return "'\(path(ctx))': \(d)"
    @unknown default: return "\(error)"
    }
  }

  /// Values (scalars, keys, lists, mappings) a config document may expand to.
  public static let maximumNodes = 100_000
  /// Levels of lists and mappings a config document may nest (Yams composes recursively).
  public static let maximumDepth = 100
  /// Bytes a config file (arch, run, sweep spec) may have.
  public static let maximumFileBytes = 16 << 20

  /// Reads a file as UTF-8 text, with an error naming it.
  public static func readText(_ path: String) throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path,
                                         isDirectory: &isDirectory) else { throw InputError("\(path): no such file") }
    guard !isDirectory.boolValue else { throw InputError("\(path): a folder, not a file") }
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumFileBytes {
      throw InputError("\(path): \(size) bytes; a config file may have at most \(maximumFileBytes)")
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw InputError("\(path): cannot read as UTF-8 text")
    }
    return text
  }
}
