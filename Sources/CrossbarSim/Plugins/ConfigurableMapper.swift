// MARK: - Mappers built from options, and their registry entries

/// A mapper built from its `kind` and options, as `--mapper kind:key=value,...` and run files name it.
///
/// Contract: `options` declares every option once; `init(options:)` checks them through
/// `PluginOptions(kind:_:declared:)`, so unknown keys and invalid values are errors naming the option
/// and what is valid; the instance is a pure transform.
public protocol ConfigurableMapper: WeightMapper {
  /// The kind string that selects this mapper.
  static var kind: String { get }
  /// Its options, each declared once (help and parsing derive from them).
  static var options: [PluginOption] { get }
  /// Builds the mapper from options.
  init(options: [String: String]) throws
}

extension ConfigurableMapper {
  /// The kind of this mapper's type.
  public var kind: String { Self.kind }
}

/// A registry entry: a mapper kind, its options, and how to build it. (Entries wrap generic
/// closures because building through an existential metatype crashes Swift 6.3's SIL generation.)
public struct MapperEntry: Sendable {
  /// The kind string.
  public let kind: String
  /// Its declared options.
  public let options: [PluginOption]
  /// Builds a configured mapper.
  public let make: @Sendable ([String: String]) throws -> any WeightMapper
  /// The entry of mapper type `M`.
  public init<M: ConfigurableMapper>(_ type: M.Type) {
    kind = M.kind; options = M.options
    make = { try M(options: $0) }
  }
  /// Help lines, one per option.
  public var optionHelp: [String] { options.map(\.helpLine) }
}
