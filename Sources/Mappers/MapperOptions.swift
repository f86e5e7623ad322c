import CrossbarSim

// MARK: - Mapper configuration: `kind:key=value,key=value`

/// A mapper that can be built from its `kind` and string options.
///
/// Contract: `init(options:)` rejects unknown keys and invalid values with an `InputError` that
/// names the option and what is valid; the instance is a pure transform.
public protocol ConfigurableMapper: WeightMapper {
  /// The kind string that selects this mapper.
  static var kindName: String { get }
  /// One line per option: `name=values: meaning`.
  static var optionHelp: [String] { get }
  /// Builds the mapper from options.
  init(options: [String: String]) throws
}

/// A registry entry: a mapper kind, its options, and how to build it. (Entries wrap generic
/// closures because building through an existential metatype crashes Swift 6.3's SIL generation.)
public struct MapperEntry: Sendable {
  /// The kind string.
  public let kind: String
  /// Option help lines.
  public let optionHelp: [String]
  /// Builds a configured mapper.
  public let make: @Sendable ([String: String]) throws -> any WeightMapper
  /// The entry of mapper type `M`.
  public init<M: ConfigurableMapper>(_ type: M.Type) {
    kind = M.kindName; optionHelp = M.optionHelp
    make = { try M(options: $0) }
  }
}

extension WindowLayoutBuilder.GroupLayout {
  static let help = "groups=smaller|per-group|block-diagonal: lay a grouped conv out per group, as one block-diagonal matrix (no all-zero crossbars), or whichever takes fewer crossbars (default smaller)"
}
