// MARK: - Plug-in options: `kind:key=value,key=value` on the command line, `{kind, options}` in YAML

/// The options given to one plug-in, checked against its declarations (`PluginOption`) when
/// made: an unknown name, or a value outside what its declaration allows, is an error naming the
/// plug-in, the option and what is valid. The getters then return typed values with the declared
/// defaults.
public struct PluginOptions: Sendable {
  /// Plug-in kind, as errors name it (`prune-rows`, `mapper sdk`).
  public let kind: String
  /// Raw options.
  public let values: [String: String]
  /// The declarations, in help order.
  public let declared: [PluginOption]

  /// Checks every key against `declared` and every value against its declaration.
  public init(kind: String, _ values: [String: String], declared: [PluginOption]) throws {
    self.kind = kind; self.values = values; self.declared = declared
    for k in values.keys.sorted() {
      guard let d = declared.first(where: { $0.name == k }) else {
        throw InputError("\(kind): unknown option '\(k)' (known: \(declared.map(\.name).joined(separator: ", ")))")
      }
      try d.check(values[k]!, plugin: kind)
    }
  }

  /// Splits `kind:key=value,...` into its kind and options (`what` names the flag in errors).
  public static func parse(_ spec: String, what: String) throws -> (kind: String, options: [String: String]) {
    let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard let kind = parts.first, !kind.isEmpty else { throw InputError("\(what) '\(spec)': empty kind") }
    var options: [String: String] = [:]
    if parts.count == 2 {
      for item in parts[1].split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2, !kv[0].isEmpty else { throw InputError("\(what) '\(spec)': option '\(item)' is not " +
            "key=value") }
        options[kv[0]] = kv[1]
      }
    }
    return (kind, options)
  }

  /// Checks that exactly one of the options that set or search the size (roles `size` and
  /// `budget`) is given.
  public func requireOneSizeOption() throws {
    let keys = declared.filter { $0.role != .plain }.map(\.name)
    let given = keys.filter { values[$0] != nil }
    guard given.count == 1 else {
      throw InputError("\(kind): give exactly one of \(keys.map { "\($0)=" }.joined(separator: ", ")) " +
          "(got \(given.isEmpty ? "none" : given.joined(separator: ", ")))")
    }
  }

  /// `kind:key=value,...` with keys sorted: how a configured plug-in names itself in reports.
  public var description: String {
    kind + (values.isEmpty ? "" : ":" + values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ","))
  }

  /// The given text, or the declared default (nil for an option not declared, as shared parsing
  /// code may ask for one a plug-in lacks).
  func text(_ name: String) -> String? {
    values[name] ?? declared.first { $0.name == name }?.defaultValue
  }

  /// One of an enumeration's raw values (the declared default when not given).
  public func choice<T: RawRepresentable>(_ name: String) -> T where T.RawValue == String {
    guard let t = text(name).flatMap(T.init(rawValue:)) else {
      preconditionFailure("\(kind): option \(name) declares choices or a default that \(T.self) lacks")
    }
    return t
  }

  /// `HxW` or `N` (square).
  public func size(_ name: String) -> (Int, Int)? {
    guard let v = text(name) else { return nil }
    let p = v.split(separator: "x").compactMap { Int($0) }
    return p.count == 1 ? (p[0], p[0]) : (p[0], p[1])
  }

  /// A whole number (checked against its declared range when made).
  public func int(_ name: String) -> Int? { text(name).flatMap { Int($0) } }

  /// A number (checked against its declared range when made).
  public func double(_ name: String) -> Double? { text(name).flatMap { Double($0) } }

  /// A boolean (the declared default when not given).
  public func bool(_ name: String) -> Bool { text(name).flatMap { Bool($0) } ?? false }

  /// A `|`-separated list.
  public func list(_ name: String) -> [String]? {
    text(name).map { $0.split(separator: "|").map(String.init) }
  }
}
