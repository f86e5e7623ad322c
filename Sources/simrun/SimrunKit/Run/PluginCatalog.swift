import Compressors
import CrossbarSim
import Mappers

// MARK: - The plug-ins a run may name

/// The mappers and compressors a run picks from by kind: the built-in lists, or those with a
/// script's own plug-ins added (`PluginCatalog.builtIn.adding(mapper: MyMapper.self)`), which
/// run, compare and sweeps then accept like the built-in ones.
public struct PluginCatalog: Sendable {
  /// Mapper entries, in listing order.
  public var mappers: [MapperEntry]
  /// Compressor entries, in listing order.
  public var compressors: [CompressorEntry]

  /// The built-in plug-ins (`allMappers`, `allCompressors`).
  public static let builtIn = PluginCatalog(mappers: allMappers, compressors: allCompressors)

  /// A catalog of `mappers` and `compressors`.
  public init(mappers: [MapperEntry],
              compressors: [CompressorEntry]) { self.mappers = mappers; self.compressors = compressors }

  /// The catalog with mapper type `M` added.
  public func adding<M: ConfigurableMapper>(mapper: M.Type) -> PluginCatalog {
    var c = self
    c.mappers.append(MapperEntry(M.self))
    return c
  }

  /// The catalog with a compressor entry added.
  public func adding(compressor entry: CompressorEntry) -> PluginCatalog {
    var c = self
    c.compressors.append(entry)
    return c
  }

  /// The mapper `spec` names, or an error listing the kinds.
  public func mapper(_ spec: PluginSpec) throws -> any WeightMapper {
    guard let entry = mappers.first(where: { $0.kind == spec.kind }) else {
      throw InputError("unknown mapper kind '\(spec.kind)' (known: \(mappers.map(\.kind).joined(separator: ", ")))")
    }
    return try entry.make(spec.options)
  }

  /// The compressor entry of `kind`.
  public func compressorEntry(_ kind: String) -> CompressorEntry? { compressors.first { $0.kind == kind } }

  /// The compressor `spec` names, or an error listing the kinds.
  public func compressor(_ spec: PluginSpec) throws -> any Compressor {
    guard let entry = compressorEntry(spec.kind) else {
      throw InputError("unknown compressor kind '\(spec.kind)' " +
          "(known: \(compressors.map(\.kind).joined(separator: ", ")))")
    }
    return try entry.make(spec.options)
  }
}
