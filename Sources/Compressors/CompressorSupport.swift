import CrossbarSim

// MARK: - Shared pieces: option declarations, layer targeting, budgets, errors

/// Options several compressors take, declared once.
enum SharedOptions {
  /// `params=`, `crossbars=`, `error=` (each a budget that searches the step's knob) and `fit=`.
  static func budget(knob: String) -> [PluginOption] {
    [
      .integer("params", "N", in: 1...Int.max, role: .budget, help: "the \(knob) that keeps at most N weights"),
      .integer("crossbars", "N", in: 1...Int.max, role: .budget, help: "the \(knob) that keeps at most N crossbars"),
      .number("error", "E", from: 0, below: 1, closed: true, role: .budget,
              help: "the strongest setting whose weight-weighted RMS relative error is at most E"),
      .choice("fit", Fit.self, default: .within, help: "meet the budget or fail, or take the nearest setting"),
    ]
  }

  /// `ratio=R`: the fraction of `what` removed.
  static func ratio(_ what: String) -> PluginOption {
    .number("ratio", "R", from: 0, below: 1, role: .size, help: "fraction of \(what) removed")
  }

  /// `threshold=T`: remove `what` whose RMS is below T.
  static func threshold(_ what: String) -> PluginOption {
    .number("threshold", "T", from: 0, below: .infinity, role: .size, help: "remove \(what) whose RMS is below T")
  }

  /// `layers=a|b|all`, with what the default targets.
  static func layers(byDefault: String) -> PluginOption {
    PluginOption("layers", .layers, help: "the layers to change, by name, or all (default \(byDefault))")
  }

  /// `scope=layer|global`.
  static let scope = PluginOption(
    "scope", .choice(["layer", "global"]), default: "layer",
    help: "remove the fraction from every layer, or over all layers by norm relative to each layer's RMS")
}

/// How a budget is met: exactly (within it, or an error) or at the nearest setting.
enum Fit: String, CaseIterable { case within, nearest }

/// Which layers a compressor touches: `layers=a|b|c` by name, `layers=all`, or a default rule.
struct LayerTargets {
  let names: [String]?
  let isAll: Bool

  init(_ o: PluginOptions) {
    let l = o.list("layers")
    isAll = l == ["all"]
    names = isAll ? nil : l
  }

  /// Indices of targeted layers among those `eligible` passes; `byDefault` picks when no list is given.
  /// Named layers that do not exist or are not eligible are errors.
  func select(in network: Network, kind: String, eligible: (Int, Layer) -> String?,
              byDefault: (Int, Layer) -> Bool) throws -> [Int] {
    if let names {
      var out: [Int] = []
      for n in names {
        guard let i = network.layers.firstIndex(where: { $0.name == n }) else {
          throw InputError("\(kind): no layer named '\(n)' (layers=...)")
        }
        if let why = eligible(i, network.layers[i]) { throw InputError("\(kind): layer \(n) cannot be " +
            "compressed: \(why)") }
        out.append(i)
      }
      return out.sorted()
    }
    return network.layers.indices.filter {
      eligible($0, network.layers[$0]) == nil && (isAll || byDefault($0, network.layers[$0]))
    }
  }
}

/// A target for fair comparisons: end at no more than this many weights or crossbars, or at the
/// strongest setting whose reconstruction error stays within a bound.
enum Budget: Equatable {
  case parameters(Int)
  case crossbars(Int)
  /// Weight-weighted RMS of the step's per-layer relative Frobenius errors, at most this.
  case error(Double)

  /// `params=N`, `crossbars=N` or `error=E` (at most one).
  static func parse(_ o: PluginOptions) throws -> Budget? {
    let p = o.int("params"), c = o.int("crossbars"), e = o.double("error")
    let given = [p != nil, c != nil, e != nil].filter { $0 }.count
    if given > 1 { throw InputError("\(o.kind): give one of params=, crossbars= or error=") }
    return p.map(Budget.parameters) ?? c.map(Budget.crossbars) ?? e.map(Budget.error)
  }

  /// Whether `fit=nearest` asks for the nearest setting when none meets the budget.
  static func nearest(_ o: PluginOptions) -> Bool { o.choice("fit") as Fit == .nearest }

  /// The budgeted quantity of `model` (sizes only).
  func measure(_ model: CompressedModel, _ context: CompressionContext) throws -> Int {
    switch self {
    case .parameters, .error: return model.keptParameters
    case .crossbars: return try model.layout(mapper: context.mapper, geometry: context.geometry).crossbars
    }
  }

  /// Weight-weighted RMS of a step's per-layer relative errors, each layer weighted by the weights
  /// it had in `input` (what `simrun compare` reports as relativeError).
  static func error(of records: [CompressionRecord], input: CompressedModel) -> Double {
    records.weightedRelativeError { input.keptParameters(named: $0.layer) }
  }

  var limit: Int { switch self { case .parameters(let n), .crossbars(let n): n; case .error: 0 } }
  var name: String {
    switch self {
    case .parameters: "parameters"
    case .crossbars: "crossbars"
    case .error: "relative error"
    }
  }

  /// The weakest knob in [low, high] (larger means more compression) whose model meets the
  /// budget, and that model; an error when no setting meets it.
  ///
  /// The budgeted quantity need not fall monotonically with the knob (under VW-SDK a lower rank can
  /// take more crossbars), so every one of `candidates` evenly spaced settings is tried, weakest
  /// first; between the first that fits and the setting before it, bisection finds the edge.
  /// With `nearest`, a budget no setting meets gives the setting that comes closest (the first of
  /// the fewest) instead of an error. An error budget takes the strongest knob before the first
  /// setting that exceeds it (bisected to that edge).
  func search(kind: String, from input: CompressedModel, nearest: Bool = false, low: Double, high: Double,
              context: CompressionContext,
              candidates: Int = 64, apply: (Double) throws -> (CompressedModel,
                                                               [CompressionRecord])) throws -> (CompressedModel,
                                                                   [CompressionRecord], Double) {
    if case .error(let bound) = self {
      return try searchError(kind: kind, input: input, bound: bound, nearest: nearest, low: low, high: high,
                             candidates: candidates, apply: apply)
    }
    var closest = Int.max, closestKnob = low, previous = low
    for k in 0...candidates {
      let knob = low + (high - low) * Double(k) / Double(candidates)
      let r = try apply(knob)
      let v = try measure(r.0, context)
      guard v <= limit else {
        if v < closest { closest = v; closestKnob = knob }
        previous = knob
        continue
      }
      if k == 0 { return (r.0, r.1, knob) }
      var lo = previous, hi = knob, best = r
      for _ in 0..<24 where hi - lo > 1e-6 {
        let mid = (lo + hi) / 2
        let m = try apply(mid)
        if try measure(m.0, context) <= limit { hi = mid; best = m } else { lo = mid }
      }
      return (best.0, best.1, hi)
    }
    if nearest {
      let r = try apply(closestKnob)
      return (r.0, r.1, closestKnob)
    }
    throw InputError("\(kind): no setting meets the budget of \(limit) \(name); the fewest any of \(candidates + 1) " +
        "settings leaves is \(closest)")
  }

  private func searchError(kind: String, input: CompressedModel, bound: Double, nearest: Bool, low: Double,
                           high: Double, candidates: Int,
                           apply: (Double) throws -> (CompressedModel,
                                                      [CompressionRecord])) throws -> (CompressedModel,
                                                          [CompressionRecord], Double) {
    var best: (CompressedModel, [CompressionRecord], Double)?
    for k in 0...candidates {
      let knob = low + (high - low) * Double(k) / Double(candidates)
      let r = try apply(knob)
      let e = Self.error(of: r.1, input: input)
      if e <= bound { best = (r.0, r.1, knob); continue }
      guard var fit = best else {
        if nearest { return (r.0, r.1, knob) }   // the weakest setting errs least
        throw InputError("\(kind): no setting keeps the relative error within \(bound); the weakest gives \(e)")
      }
      var hi = knob
      for _ in 0..<24 where hi - fit.2 > 1e-6 {
        let mid = (fit.2 + hi) / 2
        let m = try apply(mid)
        if Self.error(of: m.1, input: input) <= bound { fit = (m.0, m.1, mid) } else { hi = mid }
      }
      return fit
    }
    return best!
  }
}

/// How much a pruner removes, parsed once from `ratio=`, `threshold=` or a budget (`params=`,
/// `crossbars=`, `error=` with `fit=`); exactly one is given (checked by the caller).
enum PruneSetting: Equatable {
  case ratio(Double)
  case threshold(Double)
  case budget(Budget, nearest: Bool)

  init(_ o: PluginOptions) throws {
    let nearest = Budget.nearest(o)
    if let b = try Budget.parse(o) { self = .budget(b, nearest: nearest) }
    else if let t = o.double("threshold") { self = .threshold(t) }
    else if let r = o.double("ratio") { self = .ratio(r) }
    else { throw InputError("\(o.kind): give ratio=, threshold= or a budget (params=, crossbars=, error=)") }
  }
}

/// Relative Frobenius error between two weight arrays.
func relativeError(_ a: [Float], _ b: [Float]) -> Double {
  var num = 0.0, den = 0.0
  for i in a.indices { let d = Double(a[i]) - Double(b[i]); num += d * d; den += Double(a[i]) * Double(a[i]) }
  return den > 0 ? (num / den).squareRoot() : 0
}
