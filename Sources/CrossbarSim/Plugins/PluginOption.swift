// MARK: - A plug-in option, declared once: name, type, range, default, help

/// One option of a plug-in (or of a flag that takes `key=value` options such as `--replicate`):
/// its name, the values it takes, its default and what it means. Parsing (`PluginOptions`), the
/// listings (`simrun compressors`, `simrun map --help`) and `compare`'s budgets all read it.
public struct PluginOption: Sendable {
  /// The values an option takes.
  public enum Kind: Sendable, Equatable {
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A number from `low` (included unless `openBelow`) to `high` (included when `closedAbove`).
    case number(low: Double, high: Double, openBelow: Bool, closedAbove: Bool)
    /// One of the listed words.
    case choice([String])
    /// `true` or `false`.
    case flag
    /// `N` (square) or `HxW`, each a positive whole number.
    case size
    /// Layer names separated by `|`, or `all`.
    case layers
  }

  /// What an option does to a compressor's size, for budgets.
  public enum Role: Sendable, Equatable {
    /// Neither sets nor searches the size.
    case plain
    /// Fixes how much the step keeps or removes (a ratio, a rank, taps).
    case size
    /// Makes the step search its size for a target (`params=N`, `crossbars=N`, `error=E`).
    case budget
  }

  /// Option name, as written in `kind:name=value`.
  public let name: String
  /// The values it takes.
  public let kind: Kind
  /// How its value is written in help (`R`, `N`, ...); choices and flags list their values.
  public let placeholder: String
  /// The value used when the option is not given, as text (nil: none, or one the help states).
  public let defaultValue: String?
  /// What it means, in a few words.
  public let help: String
  /// Its effect on the size of a compressor.
  public let role: Role

  /// Declares an option.
  public init(_ name: String, _ kind: Kind, placeholder: String = "", default defaultValue: String? = nil,
              role: Role = .plain,
              help: String) {
    self.name = name; self.kind = kind; self.placeholder = placeholder; self.defaultValue = defaultValue
    self.role = role; self.help = help
  }

  /// A whole number in `range`.
  public static func integer(_ name: String, _ placeholder: String, in range: ClosedRange<Int>, default d: Int? = nil,
                             role: Role = .plain, help: String) -> PluginOption {
    PluginOption(name, .integer(range), placeholder: placeholder, default: d.map(String.init), role: role, help: help)
  }

  /// A number in `[low, high)`, or `[low, high]` when `closed`.
  public static func number(_ name: String, _ placeholder: String, from low: Double, below high: Double,
                            closed: Bool = false,
                            role: Role = .plain, help: String) -> PluginOption {
    PluginOption(name, .number(low: low, high: high, openBelow: false, closedAbove: closed), placeholder: placeholder,
                 role: role,
                 help: help)
  }

  /// One of the raw values of `T`, `T.defaultCase` unless given.
  public static func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, default d: T,
                                                                help: String)
    -> PluginOption where T.RawValue == String {
    PluginOption(name, .choice(T.allCases.map(\.rawValue)), default: d.rawValue, help: help)
  }

  /// `true` or `false`.
  public static func flag(_ name: String, default d: Bool, help: String) -> PluginOption {
    PluginOption(name, .flag, default: String(d), help: help)
  }

  /// The values in help: a choice's words, `true|false`, or the placeholder.
  public var values: String {
    switch kind {
    case .choice(let words): words.joined(separator: "|")
    case .flag: "true|false"
    case .layers: "a|b|all"
    default: placeholder
    }
  }

  /// The values allowed, in words: `in [0, 1)`, `in 1...16`, `>= 1` (empty for other kinds).
  public var range: String {
    switch kind {
    case .integer(let r): r.upperBound == Int.max ? ">= \(r.lowerBound)" : "in \(r.lowerBound)...\(r.upperBound)"
    case let .number(low, high, openBelow, closedAbove):
      high.isInfinite ? "\(openBelow ? ">" : ">=") \(StatNode.number(low))"
        : "in \(openBelow ? "(" : "[")\(StatNode.number(low)), \(StatNode.number(high))\(closedAbove ? "]" : ")")"
    default: ""
    }
  }

  /// One help line: `name=values: meaning, range (default d)`.
  public var helpLine: String {
    "\(name)=\(values): \(help)" + (range.isEmpty ? "" : ", \(range)") + (defaultValue.map { " (default \($0))" } ?? "")
  }

  /// Checks `text` against the declared kind; the message names the plug-in, the option and what is valid.
  func check(_ text: String, plugin: String) throws {
    let at = "\(plugin): option \(name)='\(text)'"
    switch kind {
    case .integer(let r):
      guard let n = Int(text), r.contains(n) else {
        throw InputError("\(at) must be an integer in \(r.lowerBound)...\(r.upperBound)")
      }
    case let .number(low, high, openBelow, closedAbove):
      guard let x = Double(text), x.isFinite, openBelow ? x > low : x >= low, closedAbove ? x <= high : x < high else {
        throw InputError("\(at) must be a number in \(openBelow ? "(" : "[")\(low), \(high)\(closedAbove ? "]" : ")")")
      }
    case .choice(let words):
      guard words.contains(text) else { throw InputError("\(at) (valid: \(words.joined(separator: ", ")))") }
    case .flag:
      guard Bool(text) != nil else { throw InputError("\(at) must be true or false") }
    case .size:
      let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
      let ok = 1...WorkloadLimits.dimension
      guard (1...2).contains(parts.count), parts.allSatisfy({ $0.map(ok.contains) ?? false }) else {
        throw InputError("\(at) must be N or HxW with integers in 1...\(WorkloadLimits.dimension)")
      }
    case .layers:
      guard !text.split(separator: "|").isEmpty else { throw InputError("\(at): name at least one layer, or all") }
    }
  }
}
