import CrossbarSim

/// Every compressor kind; adding one is one file plus one entry here.
public let allCompressors: [CompressorEntry] = [
  CompressorEntry(LowRankCompressor.self),
  SegmentPruner.entry(.block),
  CompressorEntry(KernelGroupPruner.self),
  SegmentPruner.entry(.row),
  SegmentPruner.entry(.column),
  CompressorEntry(PatternPruner.self),
  Quantizer.entry(.powerOfTwo),
  Quantizer.entry(.floatingPoint),
]

/// Compressor lookup by kind and options.
public enum CompressorRegistry {
  /// The compressor for `kind` with `options`, or an error listing the kinds.
  public static func compressor(kind: String, options: [String: String]) throws -> any Compressor {
    guard let e = allCompressors.first(where: { $0.kind == kind }) else {
      throw InputError("unknown compressor kind '\(kind)' " +
          "(known: \(allCompressors.map(\.kind).joined(separator: ", ")))")
    }
    return try e.make(options)
  }

  /// The compressor for `kind:key=value,...`.
  public static func compressor(_ spec: String) throws -> any Compressor {
    let p = try PluginOptions.parse(spec, what: "--compress")
    return try compressor(kind: p.kind, options: p.options)
  }
}

/// Runs a chain of compressors, filling each record's crossbar counts, table entries and kept
/// weights from the models and layouts before and after its step.
public enum CompressionPipeline {
  /// The compressed model and every step's per-layer records.
  public static func run(_ model: CompressedModel, steps: [any Compressor], context: CompressionContext) throws
    -> (CompressedModel, [CompressionRecord]) {
    let (m, records, _) = try runWithLayout(model, steps: steps, context: context)
    return (m, records)
  }

  /// The same, also returning the compressed model's layout under `context` (computed anyway).
  public static func runWithLayout(_ model: CompressedModel, steps: [any Compressor],
                                   context: CompressionContext) throws
    -> (CompressedModel, [CompressionRecord], NetworkLayout) {
    var current = model
    var all: [CompressionRecord] = []
    var before = try current.layout(mapper: context.mapper, geometry: context.geometry)
    for step in steps {
      let (next, records) = try step.compress(current, context: context)
      let after = try next.layout(mapper: context.mapper, geometry: context.geometry)
      for var r in records {
        r.crossbarsBefore = crossbars(of: r.layer, in: before).count
        let a = crossbars(of: r.layer, in: after)
        r.crossbarsAfter = a.count
        r.tableEntries = a.reduce(0) { $0 + $1.tableEntries }
        r.parametersBefore = current.keptParameters(named: r.layer)
        r.parametersAfter = next.keptParameters(named: r.layer)
        all.append(r)
      }
      current = next
      before = after
    }
    return (current, all, before)
  }

  /// Crossbars of layer `name`, or of its low-rank pair.
  static func crossbars(of name: String, in layout: NetworkLayout) -> [CrossbarTile] {
    zip(layout.network.layers, layout.layouts).flatMap { l, x -> [CrossbarTile] in
      l.name == name || l.factor?.original == name ? (x?.crossbars ?? []) : []
    }
  }
}
