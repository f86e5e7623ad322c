import Compressors
import CrossbarSim
import Foundation
import Mappers

// MARK: - Weights, compression and mapping: the layouts a run executes

/// Turns a workload, weights, compressors and a mapper into the layouts the engine runs.
public struct Workbench: Sendable {
  /// The network the layouts are of (compressed: factor layers in place of factored ones).
  public var network: Network
  /// The layouts.
  public var layout: NetworkLayout
  /// Every compression step's per-layer records.
  public var records: [CompressionRecord] = []
  /// Where the weights came from, in words.
  public var weightsSource = "none (no compression)"
  /// Weights each matrix layer keeps (all of them without compression), by layer name.
  public var keptParameters: [String: Int] = [:]
  /// The weights as given (before compression) and as compressed, when the run has weights and
  /// keeps them (`keepWeights`, or weights that come from a file).
  public var original: CompressedModel?
  /// The compressed model.
  public var model: CompressedModel?
  /// What the user should know: convs `--factorize` left dense.
  public var notes: [String] = []

  /// Without `keepWeights`, synthetic weights through layer-local steps (the quantizers) are made,
  /// compressed and laid out one layer at a time and then dropped: `original` and `model` stay nil.
  public init(workload: String, factorize: String?, weights: String?, seed: UInt64, compress: [PluginSpec],
              mapper: any WeightMapper, geometry: ArrayGeometry, weightBits: Int, independentRows: Bool = false,
              keepWeights: Bool = false, plugins: PluginCatalog = .builtIn,
              phase: (String) -> Void = { _ in }) throws {
    phase("workload")
    var (net, modelWeights) = try BuiltinWorkloads.loadWithWeights(workload, independentRows: independentRows)
    if let f = factorize {
      guard compress.isEmpty, modelWeights == nil else { throw InputError("--factorize reshapes the network without " +
          "weights; use --compress lowrank:... to combine it with other compressors") }
      let (factored, skipped) = try net.factorizedReporting(FactorizationPlan.parse(f))
      net = factored
      if !skipped.isEmpty { notes.append("left dense: \(skipped.joined(separator: ", "))") }
    }
    network = net
    guard !compress.isEmpty || weights != nil || modelWeights != nil else {
      phase("mapping")
      layout = try NetworkLayout.map(net, with: mapper, geometry: geometry)
      for l in net.layers where l.operation.isMatrix { keptParameters[l.name] = l.parameters }
      return
    }
    let steps = try compress.map { try plugins.compressor($0) }
    let context = CompressionContext(geometry: geometry, weightBits: weightBits, mapper: mapper)
    let layerSteps = steps.compactMap { $0 as? any LayerCompressor }
    if !keepWeights, weights == nil, modelWeights == nil, layerSteps.count == steps.count {
      let generator = SyntheticWeights(seed: seed)
      let s = try CompressionPipeline.stream(net, weights: { try generator.layer(net.layers[$0], index: $0) },
                                             steps: layerSteps, context: context)
      weightsSource = "synthetic (seed \(seed))"
      records = s.records
      notes += Self.idleSteps(steps.map(\.description), compress, records: records, plugins: plugins)
      layout = s.layout
      for (i, l) in net.layers.enumerated() where l.operation.isMatrix { keptParameters[l.name] = s.keptParameters[i] }
      return
    }
    phase("weights")
    let w: NetworkWeights
    if let weights {
      w = try WeightFile.load(weights, for: net)
      weightsSource = weights
    } else if let modelWeights {
      w = modelWeights
      weightsSource = workload
    } else {
      w = try SyntheticWeights(seed: seed).generate(for: net)
      weightsSource = "synthetic (seed \(seed))"
    }
    let model = try CompressedModel(network: net, weights: w,
                                    source: weights ?? (modelWeights != nil ? workload : "synthetic weights"))
    original = model
    phase(steps.isEmpty ? "mapping" : "compression and mapping (\(steps.count) step\(steps.count == 1 ? "" : "s"))")
    let (compressed, records, finalLayout) = try CompressionPipeline.runWithLayout(model, steps: steps,
        context: context)
    self.records = records
    notes += Self.idleSteps(steps.map(\.description), compress, records: records, plugins: plugins)
    self.model = compressed
    network = compressed.network
    layout = finalLayout   // the pipeline's last layout: same mapper and geometry
    for (i, l) in compressed.network.layers.enumerated() where l.operation.isMatrix {
      keptParameters[l.name] = compressed.keptParameters(layer: i)
    }
  }

  /// The layouts of `model` (compressed from `original` by steps that left `records`) under
  /// `mapper` and `geometry`.
  public init(model: CompressedModel, original: CompressedModel, records: [CompressionRecord], weightsSource: String,
              mapper: any WeightMapper, geometry: ArrayGeometry) throws {
    network = model.network
    layout = try model.layout(mapper: mapper, geometry: geometry)
    self.records = records; self.weightsSource = weightsSource
    self.original = original; self.model = model
    for (i, l) in model.network.layers.enumerated() where l.operation.isMatrix {
      keptParameters[l.name] = model.keptParameters(layer: i)
    }
  }

  /// Notes on the size-changing steps (pruners, low rank) that made no layer smaller at their
  /// setting, or made layers larger (a low-rank pair above the break-even rank): silently doing
  /// nothing, or the opposite, would read as a result.
  static func idleSteps(_ descriptions: [String], _ specs: [PluginSpec], records: [CompressionRecord],
                        plugins: PluginCatalog) -> [String] {
    zip(descriptions, specs).flatMap { description, spec -> [String] in
      guard plugins.compressorEntry(spec.kind)?.takesBudget("params") ?? false else { return [] }
      let mine = records.filter { $0.step == description }
      let grown = mine.filter { $0.keptRatio > 1 }
      let dense = mine.filter { $0.note.hasPrefix("left dense") }
      var notes: [String] = []
      if !dense.isEmpty {
        let list = dense.prefix(6).map { "\($0.layer) (\($0.note.dropFirst("left dense: ".count)))" }
        let layers = "\(dense.count) layer\(dense.count == 1 ? "" : "s")"
        notes.append("\(description) left \(layers) dense, a pair no smaller " +
            "than the layer: " + list.joined(separator: ", ") + (dense.count > 6 ? ", ..." : ""))
      }
      if !mine.contains(where: { $0.keptRatio < 1 }) {
        notes.append("\(description) made no layer smaller at this setting" +
            (mine.isEmpty ? " (no layer it could change)" : ""))
      }
      if !grown.isEmpty {
        let list = grown.prefix(6).map { "\($0.layer) (kept ratio \(String(format: "%.2f", $0.keptRatio)))" }
        notes.append("\(description) made \(grown.count) layer\(grown.count == 1 ? "" : "s") larger than dense: " +
            list.joined(separator: ", ") + (grown.count > 6 ? ", ..." : ""))
      }
      return notes
    }
  }

  /// `compression.csv`.
  public var compressionCSV: String {
    var t = CSVTable(header: ["step", "layer", "rank", "keptRatio", "parametersBefore", "parametersAfter",
                              "crossbarsBefore",
                              "crossbarsAfter", "tableEntries", "relativeError", "note"])
    for r in records {
      t.append([r.step, r.layer, r.rank.map(String.init) ?? "", StatNode.number(r.keptRatio), "\(r.parametersBefore)",
                "\(r.parametersAfter)", "\(r.crossbarsBefore)", "\(r.crossbarsAfter)", "\(r.tableEntries)",
                StatNode.number(r.relativeError), r.note])
    }
    return t.text
  }

  /// The per-layer compression table.
  public var compressionTable: String {
    var t = TextTable(header: ["step", "layer", "rank", "kept", "crossbars", "tables", "rel. error", "note"],
                      leftColumns: 2)
    t.leftAlignedColumns = [7]
    t.rows = records.map { r in
      [r.step, r.layer, r.rank.map(String.init) ?? "-", String(format: "%.3f", r.keptRatio), "\(r.crossbarsBefore) " +
          "-> \(r.crossbarsAfter)",
       "\(r.tableEntries)", String(format: "%.4f", r.relativeError), r.note]
    }
    return t.render()
  }
}
