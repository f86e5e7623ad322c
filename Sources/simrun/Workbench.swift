import CrossbarSim
import Compressors
import Foundation
import Mappers
import Yams

/// A plug-in section `{kind, options}`; option values may be written as YAML numbers or booleans.
struct PluginSpec: Codable, Equatable, Sendable {
  var kind: String
  var options: [String: String]

  init(kind: String, options: [String: String]) { self.kind = kind; self.options = options }

  /// Parses `kind:key=value,...`.
  init(_ text: String, what: String) throws {
    let p = try PluginOptions.parse(text, what: what)
    self.init(kind: p.kind, options: p.options)
  }

  enum CodingKeys: String, CodingKey { case kind, options }
  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kind = try c.decode(String.self, forKey: .kind)
    let raw = try c.decodeIfPresent([String: Scalar].self, forKey: .options) ?? [:]
    options = raw.mapValues(\.text)
  }

  /// Options in key order, so `config.yaml` is the same bytes in every process (a dictionary's
  /// own order is seeded per process).
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    var o = c.nestedContainer(keyedBy: OptionKey.self, forKey: .options)
    for k in options.keys.sorted() { try o.encode(options[k]!, forKey: OptionKey(stringValue: k)) }
  }

  struct OptionKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// A YAML scalar read as text.
  struct Scalar: Codable {
    var text: String
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let s = try? c.decode(String.self) { text = s }
      else if let i = try? c.decode(Int.self) { text = String(i) }
      else if let d = try? c.decode(Double.self) { text = String(d) }
      else if let b = try? c.decode(Bool.self) { text = String(b) }
      else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "an option value must be a string, number or boolean") }
    }
    func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(text) }
  }
}

/// A run described in a YAML/JSON file (`simrun run --config FILE`); flags override its fields.
struct RunConfigFile: Decodable {
  var version: Int
  var workload: String?
  var arch: String?
  var set: [String]?
  var weights: String?
  var seed: UInt64?
  var mapper: PluginSpec?
  var compress: [PluginSpec]?
  var factorize: String?
  var schedule: Schedule?
  var images: Int?
  var replicate: String?
  var rounds: Bool?
  var singleArray: Bool?

  static let keys = ["version", "workload", "arch", "set", "weights", "seed", "mapper", "compress", "factorize", "schedule",
                     "images", "replicate", "rounds", "singleArray"]

  static func load(_ path: String) throws -> RunConfigFile {
    let text = try ConfigTree.readText(path)
    return try decode(ConfigTree.parse(text, source: path), source: path)
  }

  /// Decodes a parsed run file; every unknown key is reported at once.
  static func decode(_ tree: [String: Any], source: String) throws -> RunConfigFile {
    guard (tree["version"] as? Int) == 1 else { throw InputError("\(source): 'version' must be 1") }
    let unknown = tree.keys.sorted().filter { !keys.contains($0) }
    if !unknown.isEmpty {
      throw InputError(problems: unknown.map { "\(source): unknown key '\($0)' (known: \(keys.joined(separator: ", ")))" })
    }
    return try ConfigTree.decode(RunConfigFile.self, from: tree, source: source)
  }
}

/// The fully resolved inputs of a run, written next to its results as `config.yaml`.
struct ResolvedRunConfig: Encodable {
  var version = 1
  var workload: String
  var weights: String
  var mapper: PluginSpec
  var compress: [PluginSpec]
  var factorize: String?
  var schedule: Schedule
  var images: Int
  /// The replication asked for, and the copies per layer it resolved to.
  var replicate: String
  var replicas: [ReplicationPlan.LayerReplicas]
  var rounds: Bool
  var singleArray: Bool
  var set: [String]
  var arch: ArchSpec
}

/// Turns a workload, weights, compressors and a mapper into the layouts the engine runs.
struct Workbench {
  var network: Network
  var layout: NetworkLayout
  var records: [CompressionRecord] = []
  var weightsSource = "none (no compression)"
  /// Weights each matrix layer keeps (all of them without compression), by layer name.
  var keptParameters: [String: Int] = [:]
  /// The weights as given (before compression) and as compressed, when the run has weights and
  /// keeps them (`keepWeights`, or weights that come from a file).
  var original: CompressedModel?
  var model: CompressedModel?

  /// Without `keepWeights`, synthetic weights through layer-local steps (the quantizers) are made,
  /// compressed and laid out one layer at a time and then dropped: `original` and `model` stay nil.
  init(workload: String, factorize: String?, weights: String?, seed: UInt64, compress: [PluginSpec],
       mapper: any WeightMapper, geometry: ArrayGeometry, weightBits: Int, independentRows: Bool = false,
       keepWeights: Bool = false) throws {
    var (net, modelWeights) = try BuiltinWorkloads.loadWithWeights(workload, independentRows: independentRows)
    if let f = factorize {
      guard compress.isEmpty, modelWeights == nil else { throw InputError("--factorize reshapes the network without weights; use --compress lowrank:... to combine it with other compressors") }
      net = try RunCommand.factorize(net, f)
    }
    network = net
    guard !compress.isEmpty || weights != nil || modelWeights != nil else {
      layout = try NetworkLayout.map(net, with: mapper, geometry: geometry)
      for l in net.layers where l.operation.isMatrix { keptParameters[l.name] = l.parameters }
      return
    }
    let steps = try compress.map { try CompressorRegistry.compressor(kind: $0.kind, options: $0.options) }
    let context = CompressionContext(geometry: geometry, weightBits: weightBits, mapper: mapper)
    let layerSteps = steps.compactMap { $0 as? any LayerCompressor }
    if !keepWeights, weights == nil, modelWeights == nil, layerSteps.count == steps.count {
      let generator = SyntheticWeights(seed: seed)
      let s = try CompressionPipeline.stream(net, weights: { try generator.layer(net.layers[$0], index: $0) },
                                             steps: layerSteps, context: context)
      weightsSource = "synthetic (seed \(seed))"
      records = s.records
      layout = s.layout
      for (i, l) in net.layers.enumerated() where l.operation.isMatrix { keptParameters[l.name] = s.keptParameters[i] }
      return
    }
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
    let model = try CompressedModel(network: net, weights: w, source: weights ?? (modelWeights != nil ? workload : "synthetic weights"))
    original = model
    let (compressed, records, finalLayout) = try CompressionPipeline.runWithLayout(model, steps: steps, context: context)
    self.records = records
    self.model = compressed
    network = compressed.network
    layout = finalLayout   // the pipeline's last layout: same mapper and geometry
    for (i, l) in compressed.network.layers.enumerated() where l.operation.isMatrix {
      keptParameters[l.name] = compressed.keptParameters(layer: i)
    }
  }

  /// `compression.csv`.
  var compressionCSV: String {
    var t = CSVTable(header: ["step", "layer", "rank", "keptRatio", "parametersBefore", "parametersAfter", "crossbarsBefore",
                              "crossbarsAfter", "tableEntries", "relativeError", "note"])
    for r in records {
      t.append([r.step, r.layer, r.rank.map(String.init) ?? "", StatNode.number(r.keptRatio), "\(r.parametersBefore)",
                "\(r.parametersAfter)", "\(r.crossbarsBefore)", "\(r.crossbarsAfter)", "\(r.tableEntries)",
                StatNode.number(r.relativeError), r.note])
    }
    return t.text
  }

  /// The per-layer compression table.
  var compressionTable: String {
    var t = TextTable(header: ["step", "layer", "rank", "kept", "crossbars", "tables", "rel. error", "note"], leftColumns: 2)
    t.leftAlignedColumns = [7]
    t.rows = records.map { r in
      [r.step, r.layer, r.rank.map(String.init) ?? "-", String(format: "%.3f", r.keptRatio), "\(r.crossbarsBefore) -> \(r.crossbarsAfter)",
       "\(r.tableEntries)", String(format: "%.4f", r.relativeError), r.note]
    }
    return t.render()
  }
}
