import CrossbarSim

// MARK: - One run setting, declared once where `RunSetup` stores it

/// A setting of a run: its value and, declared next to it, what the flags, run files, sweep grid
/// keys, compare variants and the help say about it. `RunSetup`'s settings are read from one
/// `RunSetup()` by reflection (`RunSetup.settings`), so declaring a stored property with this
/// wrapper is all a new run option takes.
@propertyWrapper
public struct Setting<Value: SettingValue>: Sendable, Equatable {
  /// The setting's value.
  public var wrappedValue: Value
  /// What the setting is, for flags, help and checks.
  let about: SettingAbout

  /// Declares a setting with its default value (`wrappedValue`), help, the placeholder of its
  /// value in help (`NAME|FILE`), other flag names (`model` for `workload`), and for whole
  /// numbers the valid range.
  public init(wrappedValue: Value, _ help: String, value placeholder: String = "", aliases: [String] = [],
              in range: ClosedRange<Int>? = nil) {
    self.wrappedValue = wrappedValue
    about = SettingAbout(help: help, placeholder: placeholder, aliases: aliases, range: range)
  }

  /// Settings compare by value only.
  public static func == (a: Setting, b: Setting) -> Bool { a.wrappedValue == b.wrappedValue }
}

extension Setting: Codable {
  /// Decodes the value alone (what a setting means is read from `RunSetup()`'s declarations).
  public init(from decoder: Decoder) throws {
    wrappedValue = try decoder.singleValueContainer().decode(Value.self)
    about = SettingAbout(help: "", placeholder: "", aliases: [], range: nil)
  }

  /// Encodes the value alone.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(wrappedValue)
  }
}

/// What a setting's declaration says about it.
struct SettingAbout: Sendable {
  let help: String
  let placeholder: String
  let aliases: [String]
  let range: ClosedRange<Int>?
}

/// How flags of a setting's type are written and combined.
public enum FlagArity: Sendable {
  /// `--name` alone sets it to true.
  case presence
  /// `--name VALUE`; the last one given wins.
  case single
  /// `--name VALUE`, repeatable; the flags together replace the run file's list.
  case replacingList
  /// `--name VALUE`, repeatable; the flags are added after the run file's list.
  case appendingList
}

/// A type a setting may have: how its flags are written, and how flag text becomes the value
/// in the run's tree (the same plain values a YAML run file holds).
public protocol SettingValue: Codable, Sendable, Equatable {
  /// How its flags are written.
  static var arity: FlagArity { get }
  /// The tree value of one flag's text (`flag` names it in errors), checked against `range`.
  static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any
}

extension String: SettingValue {
  public static var arity: FlagArity { .single }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any { text }
}

extension Optional: SettingValue where Wrapped: SettingValue {
  public static var arity: FlagArity { Wrapped.arity }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    try Wrapped.treeValue(text, flag: flag, range: range)
  }
}

extension Int: SettingValue {
  public static var arity: FlagArity { .single }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    let r = range ?? Int.min...Int.max
    guard let n = Int(text) else { throw InputError("\(flag) \(text): must be a whole number " +
        "in \(r.lowerBound)...\(r.upperBound)") }
    guard r.contains(n) else { throw InputError("\(flag) \(text): must be in \(r.lowerBound)...\(r.upperBound)") }
    return n
  }
}

extension UInt64: SettingValue {
  public static var arity: FlagArity { .single }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    guard let n = UInt64(text) else { throw InputError("\(flag) \(text): must be a whole number in 0...\(UInt64.max)") }
    return n
  }
}

extension Bool: SettingValue {
  public static var arity: FlagArity { .presence }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    guard let b = Bool(text) else { throw InputError("\(flag) \(text): must be true or false") }
    return b
  }
}

/// An enumeration setting: its raw values are the texts a flag or a file may give.
public protocol EnumSettingValue: SettingValue, RawRepresentable, CaseIterable where RawValue == String {
  /// What a value is, for errors ("schedule", "placement").
  static var what: String { get }
}

extension EnumSettingValue {
  public static var arity: FlagArity { .single }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    guard Self(rawValue: text) != nil else {
      throw InputError("\(flag) \(text): not a \(what) (valid: \(allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return text
  }
}

extension Schedule: EnumSettingValue { public static var what: String { "schedule" } }
extension PlacementPolicy: EnumSettingValue { public static var what: String { "placement" } }

extension Array: SettingValue where Element: ListedSettingValue {
  public static var arity: FlagArity { Element.listArity }
  public static func treeValue(_ text: String, flag: String, range: ClosedRange<Int>?) throws -> Any {
    try Element.elementTreeValue(text, flag: flag)
  }
}

/// A type whose lists are settings (`set`, `compress`): how one flag's text becomes one element.
public protocol ListedSettingValue: Codable, Sendable, Equatable {
  /// Whether flags replace or extend the run file's list.
  static var listArity: FlagArity { get }
  /// The tree value of one element.
  static func elementTreeValue(_ text: String, flag: String) throws -> Any
}

extension String: ListedSettingValue {
  public static var listArity: FlagArity { .appendingList }
  public static func elementTreeValue(_ text: String, flag: String) throws -> Any { text }
}
