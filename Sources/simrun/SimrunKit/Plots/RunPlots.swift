import CrossbarSim
import Foundation

/// SVG figures of one run.
enum RunPlots {
  /// Per layer [µs]: latency (first activity to last output), the time each of its crossbars reads
  /// on average (activations x the bit-serial read of one input vector / crossbars), and the time it
  /// waited for inputs.
  static func layers(_ outcome: RunOutcome) -> String {
    let r = outcome.result, clock = r.spec.clock
    let steps = outcome.setup.compress.map(\.text)
    let compression = steps.isEmpty ? "dense" : steps.joined(separator: " + ")
    let groups = r.layers.map { l -> (String, [Double]) in
      (l.name, [clock.ns(l.end) - clock.ns(l.start), meanBusyNs(l, clock: clock), clock.ns(l.stallInputCycles)]
        .map { $0 / 1e3 })
    }
    return SVGChart.groupedBars(
      title: "\(r.network) on \(r.spec.name), \(outcome.setup.mapper.text), \(compression): time per layer " +
          "(\(r.options.schedule.rawValue) schedule, \(r.images) image\(r.images == 1 ? "" : "s"))",
      yLabel: "time [µs]", groups: groups,
      series: ["latency", "crossbar busy (mean)", "input stalls"])
  }

  /// The time each of a layer's crossbars reads on average [ns]: activations x the bit-serial read
  /// of one input vector / crossbars (`analyticCycles` is computingCycles x one activation's cycles).
  static func meanBusyNs(_ l: LayerResult, clock: Clock) -> Double {
    let perActivation = l.computingCycles > 0 ? clock.ns(l.analyticCycles) / Double(l.computingCycles) : 0
    return l.crossbars > 0 ? Double(l.activations) * perActivation / Double(l.crossbars) : 0
  }
}
