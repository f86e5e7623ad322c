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

/// Parsed `key=value` options with checked access.
struct MapperOptions {
  let kind: String
  var values: [String: String]

  init(kind: String, _ values: [String: String], allowed: [String]) throws {
    self.kind = kind; self.values = values
    for k in values.keys.sorted() where !allowed.contains(k) {
      throw InputError("mapper \(kind): unknown option '\(k)' (known: \(allowed.joined(separator: ", ")))")
    }
  }

  func choice<T: RawRepresentable & CaseIterable>(_ key: String, default d: T) throws -> T where T.RawValue == String {
    guard let v = values[key] else { return d }
    guard let t = T(rawValue: v) else {
      throw InputError("mapper \(kind): option \(key)='\(v)' (valid: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return t
  }

  /// `HxW` or `N` (square).
  func pair(_ key: String) throws -> (Int, Int)? {
    guard let v = values[key] else { return nil }
    let parts = v.split(separator: "x").map { Int($0) }
    if parts.count == 1, let n = parts[0], n >= 1 { return (n, n) }
    if parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, b >= 1 { return (a, b) }
    throw InputError("mapper \(kind): option \(key)='\(v)' must be N or HxW with positive integers")
  }
}

extension WindowLayoutBuilder.GroupLayout {
  static let help = "groups=per-group|block-diagonal: lay a grouped conv out per group or as one block-diagonal matrix"
}

/// Fully connected layers have a 1x1 window: every mapper lays them out as im2col does.
func fullyConnectedLayout(_ index: Int, _ network: Network, _ g: ArrayGeometry, mapper: String) throws -> LayerLayout {
  var l = try Im2colMapper().map(layer: index, of: network, geometry: g)
  l.mapper = mapper
  return l
}
