// MARK: - Plug-in options: `kind:key=value,key=value` on the command line, `{kind, options}` in YAML

/// A plug-in kind with its string options, with checked, typed access that names the plug-in,
/// the option and what is valid in every error.
public struct PluginOptions: Sendable {
  /// Plug-in kind.
  public let kind: String
  /// Raw options.
  public let values: [String: String]

  /// Checks that every key is in `allowed`.
  public init(kind: String, _ values: [String: String], allowed: [String]) throws {
    self.kind = kind; self.values = values
    for k in values.keys.sorted() where !allowed.contains(k) {
      throw InputError("\(kind): unknown option '\(k)' (known: \(allowed.joined(separator: ", ")))")
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
        guard kv.count == 2, !kv[0].isEmpty else { throw InputError("\(what) '\(spec)': option '\(item)' is not key=value") }
        options[kv[0]] = kv[1]
      }
    }
    return (kind, options)
  }

  /// Checks that exactly one of `keys` is given.
  public func requireExactlyOne(of keys: [String]) throws {
    let given = keys.filter { values[$0] != nil }
    guard given.count == 1 else {
      throw InputError("\(kind): give exactly one of \(keys.map { "\($0)=" }.joined(separator: ", ")) (got \(given.isEmpty ? "none" : given.joined(separator: ", ")))")
    }
  }

  /// `kind:key=value,...` with keys sorted: how a configured plug-in names itself in reports.
  public var description: String {
    kind + (values.isEmpty ? "" : ":" + values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ","))
  }

  /// One of an enumeration's raw values.
  public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default d: T) throws -> T where T.RawValue == String {
    guard let v = values[key] else { return d }
    guard let t = T(rawValue: v) else {
      throw InputError("\(kind): option \(key)='\(v)' (valid: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return t
  }

  /// `HxW` or `N` (square), positive.
  public func pair(_ key: String) throws -> (Int, Int)? {
    guard let v = values[key] else { return nil }
    let parts = v.split(separator: "x").map { Int($0) }
    let ok = 1...WorkloadLimits.dimension
    if parts.count == 1, let n = parts[0], ok.contains(n) { return (n, n) }
    if parts.count == 2, let a = parts[0], let b = parts[1], ok.contains(a), ok.contains(b) { return (a, b) }
    throw InputError("\(kind): option \(key)='\(v)' must be N or HxW with integers in 1...\(WorkloadLimits.dimension)")
  }

  /// An integer in `range`.
  public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let v = values[key] else { return nil }
    guard let n = Int(v), range.contains(n) else {
      throw InputError("\(kind): option \(key)='\(v)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return n
  }

  /// A number in `[low, high)` (or `[low, high]` when `closed`).
  public func double(_ key: String, from low: Double, below high: Double, closed: Bool = false) throws -> Double? {
    guard let v = values[key] else { return nil }
    guard let x = Double(v), x.isFinite, x >= low, closed ? x <= high : x < high else {
      throw InputError("\(kind): option \(key)='\(v)' must be a number in [\(low), \(high)\(closed ? "]" : ")")")
    }
    return x
  }

  /// A boolean (`true`/`false`).
  public func bool(_ key: String, default d: Bool) throws -> Bool {
    guard let v = values[key] else { return d }
    guard let b = Bool(v) else { throw InputError("\(kind): option \(key)='\(v)' must be true or false") }
    return b
  }

  /// A `|`-separated list.
  public func list(_ key: String) -> [String]? {
    values[key].map { $0.split(separator: "|").map(String.init) }
  }
}
