// MARK: - Where a layer starts on the chip, and how `auto` chooses

/// Where each layer (with its copies) starts on the chip. Layers are always placed in network
/// order and a layer's copies one after another; the policies differ in the gap before a layer.
public enum PlacementPolicy: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
  /// `ima` unless sharing IMAs or spreading layers over router groups gives a faster pipeline (the
  /// planner's estimate, router ports included) or lets the model fit in fewer rounds; see
  /// `PlacementChoice.choose`.
  case auto
  /// Every layer from a fresh IMA (an IMA's input register serves one layer): ISAAC's placement.
  case ima
  /// Every layer from the next free crossbar: small layers share IMAs (and their input registers,
  /// split by crossbars) and tiles, so a chip holds more copies of the slow layers.
  case crossbar
  /// Every layer from a fresh router group (`chip.tilesPerRouter` tiles) while the layers after it
  /// still fit on fresh IMAs, else from a fresh IMA: consecutive layers stop sharing a router's
  /// local port. Copies and the planner's footprints are those of `ima`.
  case router

  public var description: String { rawValue }

  /// What the policy means, for notes.
  public var meaning: String {
    switch self {
    case .auto: "the fastest of ima, crossbar and router by the planner's estimate"
    case .ima: "every layer on a fresh IMA"
    case .crossbar: "layers share IMAs"
    case .router: "every layer on a fresh router group"
    }
  }

  /// Crossbars `crossbars` consecutive crossbars of one layer reserve: whole IMAs, except under
  /// `crossbar`, where they are exactly what they use.
  func footprint(_ crossbars: Int, perIMA: Int) -> Int {
    self == .crossbar ? crossbars : (crossbars + perIMA - 1) / perIMA * perIMA
  }
}

/// The placement a run uses: the resolved policy, the copies per layer, the placement, and (for
/// `auto`) the candidates it weighed.
public struct PlacementChoice: Sendable {
  /// One policy `auto` considered: its rounds, the planner's per-image time of its slowest stage,
  /// and of its busiest router port (`PortLoad`).
  public struct Candidate: Sendable, Equatable {
    public var policy: PlacementPolicy
    public var rounds: Int
    public var slowestStage: Cycles
    public var busiestPort: Cycles = .zero
    /// The estimate `auto` compares: the longer of the two.
    public var pace: Cycles { max(slowestStage, busiestPort) }
  }

  /// The policy used (never `auto`).
  public var policy: PlacementPolicy
  /// The policy asked for.
  public var requested: PlacementPolicy
  /// Copies per layer.
  public var replicas: [Int]
  /// The placement.
  public var placement: Placement
  /// What `auto` compared (empty otherwise).
  public var candidates: [Candidate]

  /// Resolves `requested` for `layout` on `spec`: a fixed policy is planned and placed; `auto`
  /// plans and places `ima`, `crossbar` and `router` and keeps the one with fewer rounds, then the
  /// shorter pace: the longer of the slowest stage (`ReplicationPlan.slowestStage`: crossbar busy
  /// time per image, or the digital floor) and the busiest router port (`PortLoad`); `ima`,
  /// then `crossbar`, on a tie. A candidate that does not fit is skipped; if none fits, `ima`'s error.
  public static func choose(_ requested: PlacementPolicy, layout: NetworkLayout, spec: ArchSpec,
                            options: SimulationOptions) throws -> PlacementChoice {
    func plan(_ p: PlacementPolicy) throws -> PlacementChoice {
      let replicas = try options.replication.factors(for: layout, spec: spec, policy: p)
      let placement = try Placement.place(layout, spec: spec, allowRounds: options.allowRounds,
                                          singleArray: options.singleArrayPerLayer, replicas: replicas, policy: p)
      return PlacementChoice(policy: p, requested: requested, replicas: replicas, placement: placement, candidates: [])
    }
    guard requested == .auto else { return try plan(requested) }
    let timing = try EngineTiming(spec)
    var best: PlacementChoice?, bestKey: (Int, Cycles)?, firstError: Error?
    var candidates: [Candidate] = []
    for p in [PlacementPolicy.ima, .crossbar, .router] {
      do {
        let c = try plan(p)
        let t = ReplicationPlan.slowestStage(layout, timing: timing, replicas: c.replicas)
        let port = PortLoad(layout, placement: c.placement, spec: spec).busiest(timing)
        let candidate = Candidate(policy: p, rounds: c.placement.rounds, slowestStage: t, busiestPort: port)
        candidates.append(candidate)
        let key = (c.placement.rounds, candidate.pace)
        if bestKey.map({ key < $0 }) ?? true { best = c; bestKey = key }
      } catch { firstError = firstError ?? error }
    }
    guard var chosen = best else { throw firstError! }
    chosen.candidates = candidates
    return chosen
  }

  /// A sentence on what `auto` chose and why; nil for a fixed policy or when the candidates tie.
  public func note(clock: Clock) -> String? {
    guard requested == .auto, candidates.count > 1,
          Set(candidates.map { "\($0.rounds)/\($0.pace.count)" }).count > 1 else { return nil }
    func us(_ t: Cycles) -> String {
      let us = clock.ns(t) / 1000
      return us >= 10 ? String(format: "%.1f", us) : String(format: "%.2f", us)
    }
    func say(_ c: Candidate) -> String {
      "\(c.policy) (\(c.policy.meaning)): \(c.rounds > 1 ? "\(c.rounds) rounds, " : "")slowest stage " +
        "\(us(c.slowestStage)), busiest router port \(us(c.busiestPort)) us per image"
    }
    let others = candidates.filter { $0.policy != policy }.map(say).joined(separator: "; ")
    return "placement auto chose \(say(candidates.first { $0.policy == policy }!)), against \(others)"
  }
}
