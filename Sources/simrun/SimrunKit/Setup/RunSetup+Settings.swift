import CrossbarSim

// MARK: - The declared settings, read from `RunSetup()`

/// One declared setting of `RunSetup`: its key, flags and help.
public struct RunSettingInfo: Sendable {
  /// Key in run files, sweep grids and `config.yaml` (the property name).
  public let key: String
  /// Flag names, the first the main one (`single-array`, then aliases such as `model`).
  public let flags: [String]
  /// Help text.
  public let help: String
  /// How its value is written in help.
  public let placeholder: String
  /// The whole numbers it takes, when it is a whole number with a range.
  public let range: ClosedRange<Int>?
  /// How its flags are written and combined.
  public let arity: FlagArity
  /// The default, as a run file would write it (nil when it has none).
  public let defaultText: String?
  let valueType: any SettingValue.Type

  /// The tree value of a flag's text.
  func treeValue(_ text: String, flag: String) throws -> Any {
    try valueType.treeValue(text, flag: flag, range: range)
  }
}

/// A `Setting` seen without its value type.
protocol AnySetting {
  var about: SettingAbout { get }
  var valueType: any SettingValue.Type { get }
  var defaultText: String? { get }
  /// Whether the value is an optional without one.
  var isNil: Bool { get }
}

extension Setting: AnySetting {
  var valueType: any SettingValue.Type { Value.self }
  var isNil: Bool {
    let m = Mirror(reflecting: wrappedValue)
    return m.displayStyle == .optional && m.children.isEmpty
  }
  var defaultText: String? {
    switch wrappedValue as Any {
    case let s as String: s
    case let b as Bool: b ? "true" : nil
    case let n as Int: String(n)
    case let n as UInt64: String(n)
    case let s as Schedule: s.rawValue
    case let p as PlacementPolicy: p.rawValue
    case let p as PluginSpec: p.text
    case let a as ArchSource: a.name
    default: nil
    }
  }
}

extension RunSetup {
  /// Every setting, in declaration order.
  public static let settings: [RunSettingInfo] = Mirror(reflecting: RunSetup()).children.compactMap { child in
    guard let label = child.label, label.hasPrefix("_"), let s = child.value as? any AnySetting else { return nil }
    let key = String(label.dropFirst())
    return RunSettingInfo(key: key, flags: [kebab(key)] + s.about.aliases, help: s.about.help,
                          placeholder: s.about.placeholder, range: s.about.range, arity: s.valueType.arity,
                          defaultText: s.defaultText, valueType: s.valueType)
  }

  /// The setting a flag name (without dashes) stands for.
  static func setting(flag: String) -> RunSettingInfo? { settings.first { $0.flags.contains(flag) } }

  /// The setting of a key.
  static func setting(key: String) -> RunSettingInfo? { settings.first { $0.key == key } }

  /// `singleArray` -> `single-array`.
  static func kebab(_ key: String) -> String {
    var out = ""
    for c in key {
      if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
    }
    return out
  }

  /// The settings as help lines, as the run commands' help lists them.
  public static func flagHelp(width: Int = 79, except: Set<String> = []) -> String {
    let shown = settings.filter { !except.contains($0.key) }
    let names = shown.map { s in
      s.flags.map { "--\($0)" }.joined(separator: ", ") + (s.placeholder.isEmpty ? "" : " <\(s.placeholder)>")
    }
    let column = min(30, (names.map(\.count).max() ?? 0) + 2)
    var lines: [String] = []
    for (s, name) in zip(shown, names) {
      var text = s.help
      if let d = s.defaultText, s.arity != .presence, !text.contains("[default") { text += " [default: \(d)]" }
      if let r = s.range { text += " (\(r.lowerBound)...\(r.upperBound))" }
      let pad = name.count + 2 <= column ? String(repeating: " ",
                                                  count: column - name.count) : "\n" + String(repeating: " ",
                                                      count: column + 2)
      lines.append("  " + name + pad + wrap(text, width: width - column - 2, indent: column + 2))
    }
    return lines.joined(separator: "\n")
  }

  static func wrap(_ text: String, width: Int, indent: Int) -> String {
    var lines: [String] = [], line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty, line.count + 1 + word.count > width { lines.append(line); line = "" }
      line += (line.isEmpty ? "" : " ") + word
    }
    lines.append(line)
    return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
  }
}
