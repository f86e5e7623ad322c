import CrossbarSim

// MARK: - A plug-in as a run names it: `kind:key=value,...` or `{kind, options}`

/// A mapper or compressor step of a run: its kind and options, as text. A run file may write it
/// as `kind:key=value,...` or as `{kind, options}` (option values as YAML numbers or booleans).
public struct PluginSpec: Codable, Equatable, Sendable {
  /// The plug-in kind.
  public var kind: String
  /// Its options, as text.
  public var options: [String: String]

  /// A plug-in of `kind` with `options`.
  public init(kind: String, options: [String: String] = [:]) { self.kind = kind; self.options = options }

  /// Parses `kind:key=value,...` (`what` names the flag or key in errors).
  public init(_ text: String, what: String) throws {
    let p = try PluginOptions.parse(text, what: what)
    self.init(kind: p.kind, options: p.options)
  }

  /// `kind:key=value,...` with keys sorted.
  public var text: String {
    options.isEmpty ? kind : kind + ":" + options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: ",")
  }

  enum CodingKeys: String, CodingKey { case kind, options }

  public init(from decoder: Decoder) throws {
    if let text = try? decoder.singleValueContainer().decode(String.self) {
      let path = decoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
      let p = try PluginOptions.parse(text, what: "'\(path)'")
      kind = p.kind
      options = p.options
      return
    }
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kind = try c.decode(String.self, forKey: .kind)
    let raw = try c.decodeIfPresent([String: Scalar].self, forKey: .options) ?? [:]
    options = raw.mapValues(\.text)
  }

  /// Options in key order, so `config.yaml` is the same bytes in every process (a dictionary's
  /// own order is seeded per process).
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    var o = c.nestedContainer(keyedBy: NameKey.self, forKey: .options)
    for k in options.keys.sorted() { try o.encode(options[k]!, forKey: NameKey(k)) }
  }

  /// The plain tree of the spec, as a run file holds it.
  var tree: [String: Any] { ["kind": kind, "options": options] }

  /// A YAML scalar read as text.
  struct Scalar: Codable {
    var text: String
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let s = try? c.decode(String.self) { text = s }
      else if let i = try? c.decode(Int.self) { text = String(i) }
      else if let d = try? c.decode(Double.self) { text = String(d) }
      else if let b = try? c.decode(Bool.self) { text = String(b) }
      else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "an option value must be a string, " +
          "number or boolean") }
    }
    func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(text) }
  }
}

extension PluginSpec: SettingValue, ListedSettingValue {
  public static var arity: FlagArity { .single }
  public static var listArity: FlagArity { .replacingList }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    try PluginSpec(text, what: flag).tree
  }
  public static func elementTreeValue(_ text: String, flag: String) throws -> Any {
    try PluginSpec(text, what: flag).tree
  }
}

// MARK: - The chip of a run: a preset, an arch file, or an arch mapping inline

/// Where a run's chip comes from. A run file may name a preset or an arch file, or give the arch
/// file's keys inline (`arch: {base: isaac-8bit, ima: {adc: {bits: 6}}}`); `config.yaml` holds the
/// resolved spec inline, so a run folder's config reproduces its run even if the file it named changes.
public enum ArchSource: SettingValue {
  /// A preset name or the path of an arch file.
  case named(String)
  /// An arch file's keys, written inline.
  case inline(ConfigValue)
  /// A resolved spec (how `config.yaml` records the chip).
  case resolved(ArchSpec)

  public static var arity: FlagArity { .single }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any { text }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let s = try? c.decode(String.self) { self = .named(s) } else { self = .inline(try c.decode(ConfigValue.self)) }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .named(let s): try c.encode(s)
    case .inline(let v): try c.encode(v)
    case .resolved(let spec): try c.encode(spec)
    }
  }

  /// The spec with `overrides` (`--set` assignments) applied.
  public func load(overrides: [String]) throws -> ArchSpec {
    switch self {
    case .named(let s): return try ArchSpec.load(s, overrides: overrides)
    case .inline(let v):
      guard let tree = v.plain as? [String: Any] else { throw InputError("'arch' must be a preset name, an arch file " +
          "or a mapping of arch keys") }
      return try ArchSpec.load(inline: tree, source: "arch", overrides: overrides)
    case .resolved(let spec):
      return overrides.isEmpty ? spec : try ArchSpec.load(inline: ConfigTree.tree(of: spec), source: "arch",
                                                          overrides: overrides)
    }
  }

  /// How messages and folder names call it.
  public var name: String {
    switch self {
    case .named(let s): s
    case .inline: "arch"
    case .resolved(let spec): spec.name
    }
  }
}
