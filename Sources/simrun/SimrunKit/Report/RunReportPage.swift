import CrossbarSim
import Foundation

// MARK: - report.html of a run folder

/// The page of one run: what ran, the answer (latency, throughput, energy, area, what limits it,
/// what went wrong quietly: spills, clipping ADCs, accuracy), then the plots and the tables, and
/// links to every file of the folder.
enum RunReportPage {
  /// The page of `products`' run.
  static func html(_ products: RunProducts) -> String {
    let o = products.outcome, r = o.result, s = o.setup
    let compression = s.compress.isEmpty ? "dense" : s.compress.map(\.text).joined(separator: " + ")
    var page = HTMLPage(title: "\(r.network) on \(r.spec.name): \(s.mapper.text), \(compression)")
    page.paragraph(setupSentence(o, compression: compression), cssClass: "setup")
    page.verdict(verdict(o))
    page.heading("Figures of merit")
    let metrics = Metric.listed(fineTuned: o.accuracyBefore != nil)
    page.table(header: ["metric", "value", "unit"], rows: metrics.compactMap { m in
      guard let v = m.value(o), v != 0 || !m.name.hasPrefix("energy.") else { return nil }
      return [m.label, StatNode.number(v / m.axisDivisor), m.axisUnit == "1" ? "fraction" : m.axisUnit]
    })
    page.heading("Per layer")
    page.svg(RunPlots.layers(o))
    page.table(header: ["layer", "kind", "window", "crossbars", "copies", "ADC bits", "computing cycles",
                        "latency [µs]", "energy [µJ]", "array cells used [%]", "input stalls [µs]",
                        "spilled [KB]", "note"], rows: layerRows(o))
    page.heading("Energy by component class")
    let total = max(r.energyPJ, 1e-30), images = Double(max(1, r.images))
    page.table(header: ["class", "energy per image [µJ]", "share [%]"],
               rows: r.energyByClass.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }.map {
                 [$0.0.rawValue, StatNode.number($0.1 / images / 1e6), String(format: "%.1f", 100 * $0.1 / total)]
               })
    page.heading("Area and peak power")
    page.table(csv: o.report.areaCSV(baseline: products.baselineArea))
    if !s.compress.isEmpty {
      page.heading("Compression")
      page.table(csv: o.bench.compressionCSV)
    }
    if let accuracy = o.accuracy {
      page.heading("Accuracy")
      page.table(csv: accuracy.csv)
    }
    page.heading("Files")
    page.links(RunOutputs.files.filter { f in
      switch f.name {
      case "report.html": false
      case "compression.csv": !s.compress.isEmpty
      case "accuracy.csv", "accuracy-layers.csv": o.accuracy != nil
      case "trace.json": products.hasTrace
      default: true
      }
    }.map { ($0.name, $0.about) })
    return page.html
  }

  /// One row per layer, in reading units (µs, µJ, KB, %): the figures of `layers.csv`, from the result.
  static func layerRows(_ o: RunOutcome) -> [[String]] {
    let r = o.result, clock = r.spec.clock
    return r.layers.map { l in
      [l.name, l.kind, l.window, "\(l.crossbars)", "\(l.replicas)", "\(l.adcBits)", "\(l.computingCycles)",
       StatNode.number(clock.ns(l.cycles) / 1e3), StatNode.number(l.counts.energyPJ(r.spec) / 1e6),
       StatNode.number(100 * l.utilization), StatNode.number(clock.ns(l.stallInputCycles) / 1e3),
       StatNode.number(Double(l.spilledBytes) / 1e3), l.note]
    }
  }

  /// What ran, in one paragraph.
  static func setupSentence(_ o: RunOutcome, compression: String) -> String {
    let s = o.setup, net = o.bench.network
    let weightLayers = net.layers.filter(\.operation.isMatrix).count
    let kept = o.bench.keptParameters.values.reduce(0, +)
    let dense = net.layers.filter(\.operation.isMatrix).reduce(0) { $0 + $1.parameters }
    var t = "`\(s.workload)`: \(net.layers.count) layers, \(weightLayers) with weights, \(kept) weights kept"
    if kept != dense, dense > 0 { t += String(format: " (%.1f %% of %d)", 100 * Double(kept) / Double(dense), dense) }
    t += ". Chip `\(o.spec.name)`: \(o.spec.brief)"
    if !s.set.isEmpty { t += " (" + s.set.map { "`--set \($0)`" }.joined(separator: ", ") + ")" }
    t += ". Mapper `\(s.mapper.text)`, compression \(compression == "dense" ? "none" : "`\(compression)`"), "
    t += "\(s.schedule.rawValue) schedule, \(s.images) image\(s.images == 1 ? "" : "s"), replication " +
        "`\(s.replicate)`, placement `\(s.placement.rawValue)`; weights: " +
        (o.bench.weightsSource.hasPrefix("none") ? "none loaded (a dense layout needs only the shapes)"
           : o.bench.weightsSource)
    if let e = s.eval { t += "; accuracy on `\(e)`" }
    return t + "."
  }

  /// The answer: the headline figures, then what limits the run and what it lost, one line each.
  static func verdict(_ o: RunOutcome) -> [String] {
    let r = o.result
    let throughput = r.images == 1
      ? String(format: "%.0f images/s (one image: 1 / latency, not a throughput)", r.imagesPerSecond)
      : String(format: "%.0f images/s%@", r.imagesPerSecond, r.isSteadyState ? " in steady state" : " (not steady: " +
          "stream more images)")
    let used = r.areaRows.first { $0.scope == "used" && $0.componentClass == "total" }?.areaMm2 ?? 0
    let chip = r.areaRows.first { $0.scope == "chip" && $0.componentClass == "total" }?.areaMm2
    var lines = [String(format: "First image in %.2f µs; %@; %.3f µJ per image; %.3f mm² used", r.firstImageLatencyNs
                          / 1e3, throughput, r.energyPerImagePJ / 1e6, used) +
                   (chip.map { String(format: " of a %.1f mm² chip.", $0) } ?? ".")]
    if let limit = r.limitedByText {
      var line = "Limited by `\(limit)`: the busiest unit over the run (its utilization in brackets)"
      if o.setup.replicate == "none", let l = r.limitedBy, l.what.hasSuffix(" crossbars") {
        line += "; `--replicate auto` gives the slow layers more copies where the chip has room"
      }
      lines.append(line + ".")
    }
    // The layer whose crossbars compute longest (on average per crossbar): in a pipeline, the stage
    // that sets the pace unless a router port or buffer does; a layer's span also holds its waits.
    let clock = r.spec.clock
    func busy(_ l: LayerResult) -> Double { RunPlots.meanBusyNs(l, clock: clock) }
    if let busiest = r.layers.max(by: { busy($0) < busy($1) }), busiest.crossbars > 0 {
      lines.append(String(format: "Longest-computing layer: `%@` (its crossbars read %.2f µs each on average; %d " +
                          "crossbar%@, %d cop%@). A layer's latency in the table also holds its waits for inputs.",
                          busiest.name, busy(busiest) / 1e3, busiest.crossbars,
                          busiest.crossbars == 1 ? "" : "s", busiest.replicas, busiest.replicas == 1 ? "y" : "ies"))
    }
    if let top = r.energyByClass.max(by: { $0.1 < $1.1 }), r.energyPJ > 0 {
      lines.append(String(format: "Energy: %@ takes %.0f %% of it.", top.0.rawValue, 100 * top.1 / r.energyPJ))
    }
    if r.spilledBytes > 0 {
      let layers = r.layers.filter { $0.spilledBytes > 0 }.map(\.name)
      lines.append(String(format: "Spills: %.1f KB per image do not fit the buffers and go off chip and back ",
                          Double(r.spilledBytes) / Double(max(1, r.images)) / 1e3) +
          "(\(layers.prefix(5).joined(separator: ", "))\(layers.count > 5 ? ", ..." : "")).")
    } else {
      lines.append("No spills: every layer's outputs fit the buffers.")
    }
    lines += o.bench.notes.map { "Note: \($0)" }
    if let a = o.accuracy {
      let parts = a.rows.map { String(format: "%@ %.2f %%", $0.scope, 100 * $0.top1) }
      let before = o.accuracyBefore?.crossbarTop1
        .map { String(format: " (%.2f %% before fine-tuning)", 100 * $0) } ?? ""
      lines.append("Top-1 on \(a.rows.first?.images ?? 0) images: " + parts.joined(separator: ", ") + before + ".")
    }
    return lines
  }
}
