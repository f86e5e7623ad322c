import Foundation

// MARK: - Run outputs: stats tree, layers.csv, energy.csv, area.csv, console table

/// Renders a `SimulationResult` into the files of a run folder and a console table.
public struct RunReport: Sendable {
  /// The result rendered.
  public let result: SimulationResult
  /// Weights each matrix layer keeps, by name (`chip,parameters` and `layers.NAME.parameters` in
  /// the stats); nil leaves them out.
  public var keptParameters: [String: Int]?
  /// Creates a report of `result`.
  public init(_ result: SimulationResult, keptParameters: [String: Int]? = nil) {
    self.result = result; self.keptParameters = keptParameters
  }

  var clock: Clock { result.spec.clock }

  /// The stats tree: run, chip totals, actions, energy by class, per-layer stats.
  public var stats: StatNode {
    let r = result
    let crossbars = r.layers.reduce(0) { $0 + $1.crossbars }
    let activations = r.layers.reduce(0) { $0 + $1.activations }
    let area = AreaPowerModel(spec: r.spec), areaRows = r.areaRows
    let chipArea = areaRows.first { $0.scope == "chip" && $0.componentClass == "total" }!
    let usedArea = areaRows.first { $0.scope == "used" && $0.componentClass == "total" }!
    var actions: [(String, StatNode)] = []
    for a in Action.allCases { actions.append((a.name, .value(r.counts[a], unit: a.unit))) }
    let energy: [(String, StatNode)] = r.energyByClass.map { ($0.0.rawValue, .value($0.1, unit: "pJ")) }
    let kept = keptParameters
    let chipParameters: [(String, StatNode)] = kept.map {
      [("parameters", .value(Double($0.values.reduce(0, +)), unit: "count"))]
    } ?? []
    let layers: [(String, StatNode)] = r.layers.map { l in
      var head: [(String, StatNode)] = [("kind", .text(l.kind)), ("mapper", .text(l.mapper))]
      if let p = kept?[l.name] { head.append(("parameters", .value(Double(p), unit: "count"))) }
      return (l.name, .group(head + [
        ("crossbars", .value(Double(l.crossbars), unit: "count")),
        ("replicas", .value(Double(l.replicas), unit: "count")),
        ("adcBits", .value(Double(l.adcBits), unit: "bits")),
        ("activations", .value(Double(l.activations), unit: "count")),
        ("windows", .value(Double(l.windows), unit: "count")),
        ("startCycle", .value(Double(l.start.value), unit: "cycles")),
        ("endCycle", .value(Double(l.end.value), unit: "cycles")),
        ("cycles", .value(Double(l.cycles.count), unit: "cycles")),
        ("latency", .value(clock.ns(l.cycles), unit: "ns")),
        ("arrayCycles", .value(Double(l.arrayCycles.count), unit: "cycles")),
        ("energy", .value(l.counts.energyPJ(r.spec), unit: "pJ")),
        ("utilization", .value(l.utilization, unit: "fraction")),
        ("window", .text(l.window)),
        ("computingCycles", .value(Double(l.computingCycles), unit: "activations")),
        ("analyticCycles", .value(Double(l.analyticCycles.count), unit: "cycles")),
        ("analyticLatency", .value(clock.ns(l.analyticCycles), unit: "ns")),
        ("adcConversions", .value(l.counts[.adcConvert], unit: "count")),
        ("crossbarBusyCycles", .value(Double(l.crossbarBusyCycles.count), unit: "cycles")),
        ("adcBusyCycles", .value(Double(l.adcBusyCycles.count), unit: "cycles")),
        ("stallInputCycles", .value(Double(l.stallInputCycles.count), unit: "cycles")),
        ("stallOutputCycles", .value(Double(l.stallOutputCycles.count), unit: "cycles")),
        ("spilledBytes", .value(Double(l.spilledBytes), unit: "bytes")),
        ("tableBitsRead", .value(l.counts[.tableLookup], unit: "bits")),
      ]))
    }
    let resources: [(String, StatNode)] = r.resources.map { x in
      let queue: [(String, StatNode)] = x.units > 1
        ? [("units", .value(Double(x.units), unit: "count"))]
        : [("waitCycles", .value(Double(x.server.waited.count), unit: "cycles")),
           ("requests", .value(Double(x.server.requests), unit: "count"))]
      return (x.path, .group([("busyCycles", .value(Double(x.server.busy.count), unit: "cycles"))] + queue + [
        ("utilization", .value(x.utilization(over: r.totalCycles), unit: "fraction")),
      ] + (x.peakBytes.map { [("peakOccupancy", StatNode.value(Double($0), unit: "bytes"))] } ?? [])))
    }
    return .group([
      ("run", .group([
        ("network", .text(r.network)), ("arch", .text(r.spec.name)),
        ("schedule", .text(r.options.schedule.rawValue)),
        ("rounds", .value(Double(r.rounds), unit: "count")),
        ("clock", .value(r.spec.clockGHz, unit: "GHz")),
      ])),
      ("chip", .group([
        ("latency", .value(r.latencyNs, unit: "ns")),
        ("cycles", .value(Double(r.totalCycles.count), unit: "cycles")),
        ("programmingCycles", .value(Double(r.programmingCycles.count), unit: "cycles")),
        ("energy", .value(r.energyPJ, unit: "pJ")),
        ("images", .value(Double(r.images), unit: "count")),
        ("firstImageLatency", .value(r.firstImageLatencyNs, unit: "ns")),
        ("initiationInterval", .value(r.initiationIntervalNs, unit: "ns")),
        ("imagesPerSecond", .value(r.imagesPerSecond, unit: "1/s")),
        ("energyPerImage", .value(r.energyPerImagePJ, unit: "pJ")),
        ("bufferStallCycles", .value(Double(r.bufferStallCycles.count), unit: "cycles")),
        ("spilledBytes", .value(Double(r.spilledBytes), unit: "bytes")),
        ("leakagePower", .value(r.leakagePowerMW, unit: "mW")),
        ("crossbars", .value(Double(crossbars), unit: "count")),
        ("crossbarsAvailable", .value(Double(r.spec.crossbarsPerChip), unit: "count")),
      ] + chipParameters + [
        ("activations", .value(Double(activations), unit: "count")),
        ("events", .value(Double(r.events), unit: "count")),
        ("peakPower", .value(chipArea.peakPowerMW, unit: "mW")),
        ("area", .value(chipArea.areaMm2, unit: "mm2")),
        ("usedArea", .value(usedArea.areaMm2, unit: "mm2")),
        ("usedPeakPower", .value(usedArea.peakPowerMW, unit: "mW")),
        ("sparsityTables", .value(Double(r.sparsityTables), unit: "count")),
        ("tableEntries", .value(Double(r.tableEntries), unit: "count")),
        ("tableStorage", .value(Double(r.tableBits), unit: "bits")),
        ("tableArea", .value(r.tableAreaMm2, unit: "mm2")),
        ("actions", .group(actions)),
        ("energyByClass", .group(energy)),
      ])),
      ("resources", .group(resources)),
      ("layers", .group(layers)),
    ])
  }

  /// `stats.json`.
  public var statsJSON: String { stats.json() + "\n" }
  /// `stats.csv`, long format.
  public var statsCSV: String { stats.csvTable.text }

  /// `layers.csv`: one row per layer.
  public var layersCSV: String {
    var t = CSVTable(header: ["layer", "kind", "mapper", "window", "crossbars", "replicas", "adcBits", "activations",
                              "windows", "cycles", "latencyNs", "arrayCycles", "computingCycles", "analyticCycles",
                              "analyticLatencyNs", "energyPJ", "utilization", "startCycle", "endCycle", "rounds",
                              "stallInputCycles", "stallOutputCycles", "spilledBytes", "note"])
    for l in result.layers {
      t.append([l.name, l.kind, l.mapper, l.window, "\(l.crossbars)", "\(l.replicas)", "\(l.adcBits)",
                "\(l.activations)", "\(l.windows)", "\(l.cycles.count)", StatNode.number(clock.ns(l.cycles)),
                "\(l.arrayCycles.count)", "\(l.computingCycles)", "\(l.analyticCycles.count)",
                StatNode.number(clock.ns(l.analyticCycles)), StatNode.number(l.counts.energyPJ(result.spec)),
                StatNode.number(l.utilization), "\(l.start.value)", "\(l.end.value)",
                l.rounds.map(String.init).joined(separator: ";"), "\(l.stallInputCycles.count)",
                "\(l.stallOutputCycles.count)", "\(l.spilledBytes)", l.note, ])
    }
    return t.text
  }

  /// `area.csv`: area and peak power per component class, of the hardware the run occupies
  /// (`used`) and of the whole chip (`chip`); with `baseline` (another run's `area.csv` rows),
  /// each value divided by the baseline's for the same scope and class.
  public func areaCSV(baseline: [AreaRow]? = nil) -> String {
    var t = CSVTable(header: ["scope", "class", "areaMm2", "peakPowerMW"]
                       + (baseline == nil ? [] : ["areaVsBaseline", "peakPowerVsBaseline"]))
    for r in result.areaRows {
      var f = [r.scope, r.componentClass, StatNode.number(r.areaMm2), StatNode.number(r.peakPowerMW)]
      if let baseline {
        let b = baseline.first { $0.scope == r.scope && $0.componentClass == r.componentClass }
        func ratio(_ v: Double, _ base: Double?) -> String { base.map { $0 > 0 ? StatNode.number(v / $0) : "" } ?? "" }
        f += [ratio(r.areaMm2, b?.areaMm2), ratio(r.peakPowerMW, b?.peakPowerMW)]
      }
      t.append(f)
    }
    return t.text
  }

  /// Rows of an `area.csv` written by a run (its first four columns).
  public static func parseAreaCSV(_ text: String, source: String) throws -> [AreaRow] {
    let lines = text.split(whereSeparator: \.isNewline).map(String.init)
    guard let header = lines.first, header.hasPrefix("scope,class,areaMm2,peakPowerMW") else {
      throw InputError("\(source): not an area.csv (expected the header scope,class,areaMm2,peakPowerMW)")
    }
    return try lines.dropFirst().enumerated().map { i, line in
      let f = CSV.fields(line)
      guard f.count >= 4, let a = Double(f[2]), let p = Double(f[3]), a.isFinite, p.isFinite else {
        throw InputError("\(source): line \(i + 2) '\(line)' is not scope,class,areaMm2,peakPowerMW")
      }
      return AreaRow(scope: f[0], componentClass: f[1], areaMm2: a, peakPowerMW: p)
    }
  }

  /// `energy.csv`: energy per component class, for the run and for each layer (long format).
  public var energyCSV: String {
    var t = CSVTable(header: ["scope", "class", "energyPJ", "fraction"])
    let total = result.energyPJ
    for (c, e) in result.energyByClass {
      t.append(["total", c.rawValue, StatNode.number(e), StatNode.number(total > 0 ? e / total : 0)])
    }
    for l in result.layers {
      let byClass = l.counts.energyByClass(result.spec)
      let lt = l.counts.energyPJ(result.spec)
      for c in EnergyClass.allCases where c != .leakage {
        let e = byClass[c, default: 0]
        t.append([l.name, c.rawValue, StatNode.number(e), StatNode.number(lt > 0 ? e / lt : 0)])
      }
    }
    return t.text
  }

  /// The per-layer console table and totals.
  public var table: String {
    var t = TextTable(header: ["layer", "kind", "mapper", "window", "crossbars", "copies", "activations", "cycles",
                               "latency [ns]",
                               "1-array [ns]", "energy [pJ]", "util"], leftColumns: 4)
    t.rows = result.layers.map { l in
      [l.name, l.kind, l.mapper, l.window, "\(l.crossbars)", l.crossbars > 0 ? "\(l.replicas)" : "-",
       "\(l.activations)", "\(l.cycles.count)", fixed(clock.ns(l.cycles), 1),
       l.crossbars > 0 ? fixed(clock.ns(l.analyticCycles), 1) : "-", fixed(l.counts.energyPJ(result.spec), 1),
       l.crossbars > 0 ? fixed(l.utilization, 3) : "-"]
    }
    let xb = result.layers.reduce(0) { $0 + $1.crossbars }, act = result.layers.reduce(0) { $0 + $1.activations }
    t.footer = [["total", "", "", "", "\(xb)", "", "\(act)", "\(result.totalCycles.count)", fixed(result.latencyNs, 1),
                 "",
                 fixed(result.energyPJ, 1), ""]]
    let e = result.energyByClass.filter { $0.1 > 0 }.map {
      "\($0.0.rawValue) \(fixed(100 * $0.1 / result.energyPJ, 1))%"
    }
    return t.render() + "\n" + summary + "\nenergy: " + e.joined(separator: ", ") + "\n"
  }

  /// One line: network, chip, schedule, latency, energy, events.
  public var summary: String {
    let r = result
    let limit = r.limitedBy.map { ", limited by \($0.what) (\(fixed(100 * $0.utilization, 0)) %)" } ?? ""
    let steady = r.isSteadyState ? "" : " (not steady: the pipeline holds \(r.pipelineDepth) images; stream at least " +
      "\(2 * r.pipelineDepth))"
    let stream = r.images > 1
      ? ", \(r.images) images: first \(fixed(r.firstImageLatencyNs / 1000, 3)) us, \(fixed(r.imagesPerSecond, 1)) " +
          "images/s\(steady)\(limit), \(fixed(r.energyPerImagePJ / 1e6, 3)) uJ/image"
      : ""
    return "\(r.network) on \(r.spec.name), \(r.options.schedule.rawValue) schedule, \(r.rounds) round(s): " +
        "latency \(fixed(r.latencyNs / 1000, 3)) us, energy \(fixed(r.energyPJ / 1e6, 3)) uJ\(stream), \(r.events) " +
        "events"
  }

  func fixed(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}
