import CrossbarSim

/// Every mapper type, selected by its kind; adding one is one file plus one entry here.
public let allMappers: [MapperEntry] = [
  MapperEntry(Im2colMapper.self), MapperEntry(SDKMapper.self), MapperEntry(VWSDKMapper.self),
  MapperEntry(AutoMapper.self), MapperEntry(LowRankMapper.self),
]

/// Mapper lookup by kind and options.
public enum MapperRegistry {
  /// The mapper for `spec`: `kind` or `kind:key=value,key=value`, or an error listing the kinds.
  public static func mapper(kind spec: String) throws -> any WeightMapper {
    let (kind, options) = try parse(spec)
    return try mapper(kind: kind, options: options)
  }

  /// The mapper `kind` with `options`, or an error listing the kinds.
  public static func mapper(kind: String, options: [String: String]) throws -> any WeightMapper {
    guard let entry = allMappers.first(where: { $0.kind == kind }) else {
      throw InputError("unknown mapper kind '\(kind)' (known: \(allMappers.map(\.kind).joined(separator: ", ")))")
    }
    return try entry.make(options)
  }

  /// Splits `kind:key=value,...` into its kind and options.
  public static func parse(_ spec: String) throws -> (String, [String: String]) {
    let p = try PluginOptions.parse(spec, what: "--mapper")
    return (p.kind, p.options)
  }
}
