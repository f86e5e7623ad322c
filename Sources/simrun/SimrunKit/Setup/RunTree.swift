import CrossbarSim
import Foundation

// MARK: - A run as a tree of plain values, and the overrides on it

/// A run description as the plain tree run files hold (`ConfigTree`'s dictionaries and scalars),
/// starting from every default of `RunSetup()`. A run file, flags, sweep grid values and compare
/// variants are overrides on it; `setup(source:)` decodes the result, naming the key of every
/// problem.
public struct RunTree {
  /// The tree: every key of `RunSetup`.
  public private(set) var tree: [String: Any]

  /// The tree of `base` (by default, every default).
  public init(_ base: RunSetup = RunSetup()) {
    do { tree = try ConfigTree.tree(of: base) } catch { preconditionFailure("a run setup always encodes: \(error)") }
  }

  /// The keys a run file may have.
  static var fileKeys: [String] { ["version"] + RunSetup.settings.map(\.key) }

  /// Reads a run file (YAML/JSON, `version: 1`).
  public static func readFile(_ path: String) throws -> [String: Any] {
    let user = try ConfigTree.parse(ConfigTree.readText(path), source: path)
    guard (user["version"] as? Int) == 1 else { throw InputError("\(path): 'version' must be 1") }
    return user
  }

  /// Replaces the settings a run file (or a sweep's `base`) gives, each whole; every unknown key
  /// is reported at once. `resolved`, which `config.yaml` adds to say what the run resolved to, is
  /// not read back.
  public mutating func merge(file user: [String: Any], source: String) throws {
    var problems: [String] = []
    for key in user.keys.sorted() where key != "version" && key != RunRecord.resolvedKey {
      guard RunSetup.setting(key: key) != nil else {
        problems.append("\(source): unknown key '\(key)' (known: \(Self.fileKeys.joined(separator: ", ")))")
        continue
      }
      tree[key] = user[key]
    }
    if !problems.isEmpty { throw InputError(problems: problems) }
  }

  /// Sets one setting to a plain value (a sweep grid value, as its YAML holds it).
  public mutating func assign(_ key: String, _ value: Any) { tree[key] = value }

  /// The plain value of a setting.
  public func value(_ key: String) -> Any? { tree[key] }

  /// Applies flags (`--images 4 --compress prune-rows:ratio=0.3 --rounds`): a repeated flag of a
  /// single value keeps the last, `--compress` flags together replace the list, `--set` flags
  /// extend it. `source` prefixes errors (`--variant x`); `otherFlags` are the command's own
  /// options, suggested for a misspelt flag too.
  public mutating func apply(flags tokens: [String], source: String? = nil, otherFlags: [String] = []) throws {
    let at = source.map { "\($0): " } ?? ""
    var given: [(key: String, flag: String, values: [Any])] = []
    var i = 0
    while i < tokens.count {
      let token = tokens[i]
      guard token.hasPrefix("--"), token.count > 2 else {
        throw InputError("\(at)unexpected argument '\(token)' (settings are given as --name VALUE)")
      }
      var name = String(token.dropFirst(2)), inline: String?
      if let eq = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      guard let s = RunSetup.setting(flag: name) else {
        throw InputError("\(at)unknown option '--\(name)'" + Self.suggestion(for: name, among: otherFlags))
      }
      let flag = "--\(name)"
      let value: Any
      if s.arity == .presence {
        value = try inline.map { try s.treeValue($0, flag: flag) } ?? true
      } else {
        let next = i + 1 < tokens.count && !tokens[i + 1].hasPrefix("--") ? tokens[i + 1] : nil
        guard let text = inline ?? next else {
          throw InputError("\(at)\(flag): missing value (\(s.placeholder.isEmpty ? "a value" : s.placeholder))")
        }
        if inline == nil { i += 1 }
        value = try s.treeValue(text, flag: "\(at)\(flag)")
      }
      if let k = given.firstIndex(where: { $0.key == s.key }) {
        guard given[k].flag == flag else { throw InputError("\(at)give \(given[k].flag) or \(flag), not both") }
        given[k].values.append(value)
      } else {
        given.append((s.key, flag, [value]))
      }
      i += 1
    }
    for g in given {
      switch RunSetup.setting(key: g.key)!.arity {
      case .presence, .single: tree[g.key] = g.values.last!
      case .replacingList: tree[g.key] = g.values
      case .appendingList: tree[g.key] = ((tree[g.key] as? [Any]) ?? []) + g.values
      }
    }
  }

  /// ` (did you mean '--x'?)` for the nearest flag name within two edits, or a list of them.
  static func suggestion(for name: String, among others: [String]) -> String {
    let names = RunSetup.settings.flatMap(\.flags) + others
    let scored = names.map { ($0, editDistance($0, name)) }.filter { $0.1 <= 2 || $0.0.hasPrefix(name) }
    if let best = scored.min(by: { $0.1 < $1.1 }) { return " (did you mean '--\(best.0)'?)" }
    return " (settings: \(RunSetup.settings.map { "--\($0.flags[0])" }.joined(separator: ", ")))"
  }

  /// Levenshtein distance.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var row = Array(0...b.count)
    for (i, ca) in a.enumerated() {
      var diagonal = row[0]
      row[0] = i + 1
      for (j, cb) in b.enumerated() {
        let above = row[j + 1]
        row[j + 1] = min(above + 1, row[j] + 1, diagonal + (ca == cb ? 0 : 1))
        diagonal = above
      }
    }
    return row[b.count]
  }

  /// The run the tree describes; every problem names its key and `source`.
  public func setup(source: String) throws -> RunSetup {
    var problems: [String] = []
    for s in RunSetup.settings {
      guard let r = s.range, let n = tree[s.key] as? Int, !r.contains(n) else { continue }
      problems.append("\(source): '\(s.key)' is \(n); must be in \(r.lowerBound)...\(r.upperBound)")
    }
    if !problems.isEmpty { throw InputError(problems: problems) }
    return try ConfigTree.decode(RunSetup.self, from: tree, source: source)
  }
}

extension RunSetup {
  /// The run a run file (none: the defaults) and flags describe.
  public static func load(file: String?, flags: [String] = [], otherFlags: [String] = []) throws -> RunSetup {
    var t = RunTree()
    if let file { try t.merge(file: RunTree.readFile(file), source: file) }
    try t.apply(flags: flags, otherFlags: otherFlags)
    return try t.setup(source: file ?? "command line")
  }
}
