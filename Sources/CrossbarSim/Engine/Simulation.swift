// MARK: - One-call convenience: map, place, simulate

/// Maps a network with a mapper and simulates it on a chip.
public enum Simulation {
  /// Maps every matrix layer of `network` with `mapper` for `spec`'s arrays, places and runs it.
  public static func run(network: Network, spec: ArchSpec, mapper: any WeightMapper,
                         options: SimulationOptions = .init(), trace: ChromeTrace? = nil) throws -> SimulationResult {
    let layout = try NetworkLayout.map(network, with: mapper, geometry: ArrayGeometry(spec))
    let engine = try Engine(spec: spec, layout: layout, options: options)
    engine.trace = trace
    return try engine.simulate()
  }
}
