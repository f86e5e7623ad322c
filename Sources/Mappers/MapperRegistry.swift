import CrossbarSim

/// Every mapper, selected by its `kind`; adding one is one file plus one entry here.
public let allMappers: [any WeightMapper] = [Im2colMapper()]

/// Mapper lookup by kind.
public enum MapperRegistry {
  /// The mapper whose kind is `kind`, or an error listing the known kinds.
  public static func mapper(kind: String) throws -> any WeightMapper {
    guard let m = allMappers.first(where: { $0.kind == kind }) else {
      throw InputError("unknown mapper kind '\(kind)' (known: \(allMappers.map(\.kind).joined(separator: ", ")))")
    }
    return m
  }
}
