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
    guard let entry = allMappers.first(where: { $0.kind == kind }) else {
      throw InputError("unknown mapper kind '\(kind)' (known: \(allMappers.map(\.kind).joined(separator: ", ")))")
    }
    return try entry.make(options)
  }

  /// Splits `kind:key=value,...` into its kind and options.
  public static func parse(_ spec: String) throws -> (String, [String: String]) {
    let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
    guard let kind = parts.first, !kind.isEmpty else { throw InputError("--mapper '\(spec)': empty kind") }
    var options: [String: String] = [:]
    if parts.count == 2 {
      for item in parts[1].split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2, !kv[0].isEmpty else { throw InputError("--mapper '\(spec)': option '\(item)' is not key=value") }
        options[kv[0]] = kv[1]
      }
    }
    return (kind, options)
  }
}
