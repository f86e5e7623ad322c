import CrossbarSim
import Foundation

// MARK: - Labelled images loaded once for many runs

/// Datasets loaded once and shared by the runs of a sweep (a CIFAR-sized training set is hundreds
/// of megabytes: one copy, not one per point and thread). Thread-safe.
final class DatasetCache: @unchecked Sendable {
  private let lock = NSLock()
  private var sets: [String: Dataset] = [:]

  /// `path` for a network reading `network.inputShape` and scoring `network.classes` classes.
  func load(_ path: String, for network: Network) throws -> Dataset {
    let key = "\(path)|\(network.inputShape)|\(network.classes)"
    lock.lock()
    defer { lock.unlock() }
    if let s = sets[key] { return s }
    let s = try Dataset.load(path, shape: network.inputShape, classes: network.classes)
    sets[key] = s
    return s
  }
}
