import CrossbarSim
import Foundation
import Yams

// MARK: - `simrun sweep SPEC.yaml`: the design space

/// A sweep: a base run, the parameters that vary (a full grid or a seeded random sample), and the
/// objectives of its Pareto front.
public struct SweepSpec: Sendable {
  /// Where the spec came from, for messages.
  let source: String
  /// The spec's text, verbatim: a sweep's identity (resume and merge check it).
  let text: String
  let base: RunSetup
  /// The varied parameters, in the spec's order (the CSV's column order; the last varies fastest).
  let parameters: [SweepParameter]
  /// `random: {points, seed}`: draw each parameter of each point independently.
  let random: (points: Int, seed: UInt64)?
  let objectives: [SweepObjective]
  /// The results each point reports, in column order (top-1 only when the points evaluate).
  let metrics: [Metric]
  /// `finetune: {train: FILE, epochs: N, ...}`: every point's layout fine-tuned before its accuracy.
  let fineTune: (train: String, options: TrainingOptions)?
  /// The training images, loaded once for all points.
  let trainingSets = DatasetCache()

  /// Design points: the grid's product, or the sample size.
  let pointCount: Int
  /// The spec file's folder, where relative file paths are looked up first (`resolve`).
  let folder: String?

  /// Largest number of points a spec may describe.
  static let maximumPoints = 10_000_000

  /// Reads a spec file.
  public static func load(_ path: String) throws -> SweepSpec {
    try SweepSpec(text: ConfigTree.readText(path), source: path)
  }

  init(text: String, source: String) throws {
    self.source = source
    self.text = text
    let node = try ConfigTree.compose(text, source: source)
    guard let top = node?.mapping else { throw InputError("\(source): expected a mapping with version, base, grid " +
        "and objectives") }
    let known = ["version", "base", "grid", "random", "objectives", "finetune"]
    var problems: [String] = []
    for (k, _) in top where !known.contains(k.string ?? "") {
      problems.append("\(source): unknown key '\(k.string ?? "?")' (known: \(known.joined(separator: ", ")))")
    }
    if !problems.isEmpty { throw InputError(problems: problems) }
    guard top["version"]?.int == 1 else { throw InputError("\(source): 'version' must be 1 (the only spec version)") }

    let folder = Self.folder(of: source)
    self.folder = folder
    base = Self.resolvingPaths(try Self.baseSetup(top["base"], source: source), in: folder)
    guard let grid = top["grid"]?.mapping, !grid.isEmpty else {
      throw InputError("\(source): 'grid' must map at least one parameter to its values (e.g. mapper: [im2col, " +
          "vw-sdk])")
    }
    parameters = try grid.map { key, value in
      let name = key.string ?? ""
      return SweepParameter.isTiedGroup(name: name, values: value)
        ? try SweepParameter(tiedGroup: name, values: value, source: source)
        : try SweepParameter(name: name, values: value, source: source)
    }
    let keys = parameters.flatMap { $0.members.isEmpty ? [$0.name] : $0.members.map(\.name) }
    if let twice = Dictionary(grouping: keys, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
      throw InputError("\(source): grid key '\(twice)' is set twice (on its own and in a tied group, or in two groups)")
    }
    if let r = top["random"] {
      guard let m = r.mapping, let n = m["points"]?.int, (1...Self.maximumPoints).contains(n) else {
        throw InputError("\(source): 'random' must be {points: N, seed: S} with 1 <= N <= \(Self.maximumPoints)")
      }
      for (k, _) in m where !["points", "seed"].contains(k.string ?? "") {
        throw InputError("\(source): unknown key 'random.\(k.string ?? "?")' (known: points, seed)")
      }
      let seed = m["seed"].map { $0.int.flatMap { $0 >= 0 ? UInt64($0) : nil } } ?? 1
      guard let seed else { throw InputError("\(source): 'random.seed' must be a whole number >= 0") }
      random = (n, seed)
      pointCount = n
    } else {
      if let p = parameters.first(where: \.isRange) {
        throw InputError("\(source): grid '\(p.name)' is a range {min, max}; ranges need 'random: {points: N, seed: " +
            "S}' (a grid needs a list)")
      }
      var count = 1
      for p in parameters {
        let (c, overflow) = count.multipliedReportingOverflow(by: p.valueCount)
        guard !overflow, c <= Self.maximumPoints else {
          throw InputError("\(source): the grid has more than \(Self.maximumPoints) points; sample it with 'random: " +
              "{points: N, seed: S}'")
        }
        count = c
      }
      random = nil
      pointCount = count
    }
    let evaluates = base.eval != nil || parameters.contains { $0.sets("eval") }
    if let f = top["finetune"] {
      guard let m = f.mapping, let train = m["train"]?.string else {
        throw InputError("\(source): 'finetune' must be {train: FILE.npz, epochs: N, ...} (keys: train, " +
            "\(TrainingOptions.keys.map(\.key).joined(separator: ", ")))")
      }
      guard evaluates else { throw InputError("\(source): 'finetune' needs labelled test images: base.eval") }
      let rest = m.compactMap { k, v -> String? in
        guard let key = k.string, key != "train" else { return nil }
        return "\(key)=\(v.string ?? "")"
      }
      fineTune = (Self.resolve(train, in: folder),
                  try TrainingOptions(parsing: rest.joined(separator: ","), source: "\(source) finetune"))
    } else {
      fineTune = nil
    }
    let tunes = fineTune != nil
    metrics = Metric.all.filter { (!$0.needsEval || evaluates) && (!$0.needsFineTune || tunes) } + Metric.notes
    let names = top["objectives"]?.sequence.map { $0.map { $0.string ?? "" } } ?? []
    let m = metrics
    guard names.count >= 2 else {
      let results = m.filter { !$0.isNote }.map(\.column).joined(separator: ", ")
      throw InputError("\(source): 'objectives' must list at least two results for the Pareto front (e.g. " +
          "[energyPerImage, imagesPerSecond]; results: \(results))")
    }
    objectives = try names.map { try SweepObjective(parsing: $0, metrics: m, source: source) }
  }

  /// The base run: any run-file key (`simrun run --config`).
  static func baseSetup(_ node: Node?, source: String) throws -> RunSetup {
    guard let node else { return RunSetup() }
    guard node.mapping != nil else { throw InputError("\(source): 'base' must be a mapping of run-file keys") }
    let text = try Yams.serialize(node: node)
    var tree = RunTree()
    try tree.merge(file: ConfigTree.parse(text, source: "\(source) base"), source: "\(source) base")
    return try tree.setup(source: "\(source) base")
  }

  /// `s` with every setting that may be a file path (workload, arch, weights, eval, calibration)
  /// resolved by `resolve`: the base run's and each point's, whatever key of the grid set it.
  static func resolvingPaths(_ s: RunSetup, in folder: String?) -> RunSetup {
    var s = s
    s.workload = resolve(s.workload, in: folder)
    if case .named(let a) = s.arch { s.arch = .named(resolve(a, in: folder)) }
    s.weights = s.weights.map { resolve($0, in: folder) }
    s.eval = s.eval.map { resolve($0, in: folder) }
    s.calibration = s.calibration.map { resolve($0, in: folder) }
    return s
  }

  /// The folder of the spec file `source` (nil for a spec given as text).
  static func folder(of source: String) -> String? {
    FileManager.default.fileExists(atPath: source) ? URL(fileURLWithPath: source).deletingLastPathComponent().path : nil
  }

  /// A file path of a spec: a relative path names a file next to the spec when one exists there,
  /// so a spec and its arch files or datasets move together; otherwise it is taken as given
  /// (relative to the working directory, or a preset or built-in name).
  static func resolve(_ path: String, in folder: String?) -> String {
    guard let folder, !path.hasPrefix("/"), !path.isEmpty else { return path }
    let candidate = URL(fileURLWithPath: folder).appendingPathComponent(path).standardized.path
    return FileManager.default.fileExists(atPath: candidate) ? candidate : path
  }

  /// The parameter values of point `i` (0 ..< pointCount), as the CSV shows them.
  func values(of i: Int) -> [SweepValue] {
    if let random {
      var rng = SeededGenerator(seed: random.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))
      return parameters.map { $0.draw(&rng) }
    }
    var rest = i, out = [SweepValue]()
    for p in parameters.reversed() {
      out.append(p.value(at: rest % p.valueCount))
      rest /= p.valueCount
    }
    return out.reversed()
  }

  /// The run of point `i`.
  func setup(of i: Int) throws -> RunSetup {
    var tree = RunTree(base)
    let values = values(of: i)
    // Whole values first, then options of the mapper or the compressor steps they chose.
    for (p, v) in zip(parameters, values) where !p.isOption { try p.apply(v, to: &tree) }
    var s = Self.resolvingPaths(try tree.setup(source: "point \(i)"), in: folder)
    for (p, v) in zip(parameters, values) where p.isOption { try p.apply(v, to: &s) }
    return s
  }

  /// The spec's identity: FNV-1a of its text.
  var fingerprint: String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return String(h, radix: 16)
  }
}

extension SeededGenerator {
  /// Uniform in [0, 1), from the top 53 bits (the sweep's draws; the same on every machine).
  mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
