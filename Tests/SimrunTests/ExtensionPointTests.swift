import CrossbarSim
import Foundation
import Mappers
import Testing
@testable import SimrunKit

// MARK: - What adding each kind of thing takes, shown by adding one


/// A mapper as a script would add it: one type. It lays im2col out with at most `rows` rows
/// driven per array (arrays whose IR drop limits the active wordlines).
struct RowLimitedMapper: ConfigurableMapper {
  static let kind = "row-limited"
  static let options = [PluginOption.integer("rows", "N", in: 1...65_536, default: 64, help: "rows driven per read")]
  let rows: Int
  init(options: [String: String]) throws {
    rows = try PluginOptions(kind: "mapper \(Self.kind)", options, declared: Self.options).int("rows")!
  }
  func map(layer index: Int, of network: Network, geometry g: ArrayGeometry) throws -> LayerLayout {
    var limited = g
    limited.rows = min(g.rows, rows)
    var l = try Im2colMapper().map(layer: index, of: network, geometry: limited)
    l.mapper = Self.kind
    return l
  }
}

/// A compressor as a script would add it: one type. Unstructured magnitude pruning: the smallest
/// weights of every matrix layer become zeros (stored; the layout is unchanged).
struct MagnitudePruner: ConfigurableCompressor {
  static let kind = "prune-magnitude"
  static let options: [PluginOption] = [
    .number("ratio", "R", from: 0, below: 1, role: .size, help: "fraction of each layer's weights zeroed"),
    .integer("params", "N", in: 1...Int.max, role: .budget, help: "the ratio that keeps at most N weights"),
    PluginOption("fit", .choice(["within", "nearest"]), default: "within", help: "meet the budget or take the nearest"),
  ]
  static let budgetNotes = BudgetNotes(below: "whole weights")
  let options: PluginOptions
  var description: String { options.description }
  init(options: [String: String]) throws {
    self.options = try PluginOptions(kind: Self.kind, options, declared: Self.options)
    try self.options.requireOneSizeOption()
  }
  func compress(_ model: CompressedModel, context: CompressionContext) throws -> (CompressedModel, [CompressionRecord]) {
    var m = model, records: [CompressionRecord] = []
    let total = model.network.layers.indices.reduce(0) { $0 + model.keptParameters(layer: $1) }
    let ratio = options.double("ratio") ?? 1 - Double(options.int("params")!) / Double(max(1, total))
    for i in model.network.layers.indices {
      guard var w = m.weights.layers[i] else { continue }
      let cut = Int(Double(w.values.count) * max(0, ratio))
      let order = w.values.indices.sorted { (abs(w.values[$0]), $0) < (abs(w.values[$1]), $1) }
      var state = m.layers[i]
      var keep = Array(repeating: true, count: w.values.count)
      for k in order.prefix(cut) { w.values[k] = 0; keep[k] = false }
      state.keep = keep
      m.set(i, weights: w, state: state)
      records.append(CompressionRecord(step: description, layer: model.network.layers[i].name,
                                       keptRatio: Double(w.values.count - cut) / Double(w.values.count), relativeError: 0))
    }
    return (m, records)
  }
}

@Suite("Extension points")
struct ExtensionPointTests {
  @Test("a new mapper is one type plus its entry: options, help and runs come with it")
  func mapper() throws {
    let catalog = PluginCatalog.builtIn.adding(mapper: RowLimitedMapper.self)
    #expect(catalog.mappers.last!.optionHelp == ["rows=N: rows driven per read, in 1...65536 (default 64)"])
    var setup = RunSetup()
    setup.workload = tiny
    setup.set = ["chip.tiles=4"]
    setup.mapper = PluginSpec(kind: "row-limited", options: ["rows": "32"])
    let limited = try setup.execute(plugins: catalog)
    setup.mapper = PluginSpec(kind: "im2col")
    let full = try setup.execute(plugins: catalog)
    // conv2's 144 rows take 2 arrays of 128 rows, or 5 of 32.
    #expect(full.result.layers[1].crossbars == 2 && limited.result.layers[1].crossbars == 5)
    #expect(limited.result.layers[1].mapper == "row-limited")
    setup.mapper = PluginSpec(kind: "row-limited", options: ["rowz": "32"])
    #expect(throws: InputError.self) { try setup.execute(plugins: catalog) }
    setup.mapper = PluginSpec(kind: "row-limited")
    do { _ = try setup.execute(); Issue.record("the built-in catalog accepted a mapper it lacks") } catch {
      #expect("\(error)".contains("unknown mapper kind 'row-limited' (known: im2col,"))
    }
  }

  @Test("a new compressor is one type plus its entry: runs, records and compare's budgets come with it")
  func compressor() throws {
    let catalog = PluginCatalog.builtIn.adding(compressor: CompressorEntry(MagnitudePruner.self))
    var setup = RunSetup()
    setup.workload = tiny
    setup.set = ["chip.tiles=4"]
    setup.compress = [PluginSpec(kind: "prune-magnitude", options: ["ratio": "0.5"])]
    let run = try setup.execute(plugins: catalog)
    #expect(run.bench.records.count == 3 && run.bench.keptParameters.values.reduce(0, +) == 4896 - 2448)
    // --match params=0.5 reaches it because it declares a budget option; a step that fixes its size keeps it.
    let budget = try CompareBudget(parsing: "params=0.5")
    let steps = budget.apply(to: [PluginSpec(kind: "prune-magnitude")], denseParams: 4896, plugins: catalog)
    #expect(steps == [PluginSpec(kind: "prune-magnitude", options: ["params": "2448", "fit": "nearest"])])
    #expect(budget.apply(to: setup.compress, denseParams: 4896, plugins: catalog) == setup.compress)
  }

  @Test("a new run option is one declaration: a flag, a run-file key, a sweep grid key and a compare variant option")
  func runOption() throws {
    let info = try #require(RunSetup.settings.first { $0.key == "calibrationImages" })
    #expect(info.flags == ["calibration-images"] && info.range == 1...1_000_000)
    var flags = RunTree()
    try flags.apply(flags: ["--calibration-images", "16"])
    #expect(try flags.setup(source: "flags").calibrationImages == 16)
    do { try flags.apply(flags: ["--calibration-images", "0"]); Issue.record("accepted 0") } catch {
      #expect("\(error)".contains("--calibration-images 0: must be in 1...1000000"))
    }
    var file = RunTree()
    try file.merge(file: ["version": 1, "calibrationImages": 8], source: "run.yaml")
    #expect(try file.setup(source: "run.yaml").calibrationImages == 8)
    let variant = try CompareVariant(parsing: "few=--calibration-images 4")
    #expect(variant.flags == ["--calibration-images", "4"])
    let spec = try SweepSpec(text: """
      version: 1
      grid: {calibrationImages: [4, 64]}
      objectives: [energyPerImage, imagesPerSecond]
      """, source: "spec")
    #expect(try spec.setup(of: 1).calibrationImages == 64)
    #expect(RunSetup.flagHelp().contains("--calibration-images <N>"))
  }

  @Test("a new output file is one entry: the run writes it, lists it and removes a stale copy on a rerun")
  func outputFile() throws {
    let dir = temporaryDirectory()
    var setup = RunSetup()
    setup.workload = tiny
    setup.set = ["chip.tiles=4"]
    let done = try RunJob(setup: setup, out: dir).run()
    #expect(done.files == RunOutputs.files.filter { !$0.isStreamed && $0.name != "compression.csv" && !$0.name.hasPrefix("accuracy") }
      .map(\.name))
    let metrics = try String(contentsOfFile: "\(dir)/metrics.csv", encoding: .utf8).split(separator: "\n").map { CSV.fields(String($0)) }
    #expect(metrics[0] == Metric.listed(fineTuned: false).map(\.column) + ["limitedBy"] && metrics.count == 2)
    // The hand-worked reference run: 4,896 weights on 5 crossbars (1 + 2 + 2), 138 activations per image.
    #expect(Array(metrics[1].prefix(3)) == ["4896", "5", "138"])
    #expect(RunFolder.runFiles.contains("metrics.csv"))
  }
}
