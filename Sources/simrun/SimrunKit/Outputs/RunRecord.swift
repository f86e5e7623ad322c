import CrossbarSim
import Foundation
import Yams

// MARK: - `config.yaml`: the run's settings, with what they resolved to

/// The encoding of a finished run's `RunSetup`, in declaration order (settings without a value
/// left out), then what the run resolved to (`resolved:`, not read back), then the chip as its
/// resolved spec inline, so `simrun run --config DIR/config.yaml` repeats the run even if the arch
/// file it named has changed since.
struct RunRecord: Encodable {
  /// The key of what the run resolved to.
  static let resolvedKey = "resolved"
  let outcome: RunOutcome

  /// What the run resolved its settings to.
  struct Resolved: Encodable {
    /// Where the weights came from.
    var weights: String
    /// Copies of each layer with weights.
    var replicas: [ReplicationPlan.LayerReplicas]
  }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: NameKey.self)
    try c.encode(outcome.setup.version, forKey: NameKey("version"))
    for child in Mirror(reflecting: outcome.setup).children {
      guard let label = child.label, label.hasPrefix("_"), label != "_arch",
            let s = child.value as? any AnySetting & Encodable,
            !s.isNil else { continue }
      try c.encode(s, forKey: NameKey(String(label.dropFirst())))
    }
    let replicas = outcome.result.layers.filter { $0.crossbars > 0 }.map {
      ReplicationPlan.LayerReplicas(layer: $0.name, replicas: $0.replicas)
    }
    try c.encode(Resolved(weights: outcome.bench.weightsSource, replicas: replicas), forKey: NameKey(Self.resolvedKey))
    try c.encode(ArchSource.resolved(outcome.spec), forKey: NameKey("arch"))
  }

  /// The YAML text.
  func yaml() throws -> String { try YAMLNumbers.human(YAMLEncoder().encode(self)) }
}
