import Foundation

// MARK: - Optimizers and learning-rate schedules

/// How the learning rate changes over the epochs.
public enum LearningRateSchedule: Sendable, Equatable {
  /// The same rate throughout.
  case constant
  /// Multiplied by `factor` every `every` epochs.
  case step(every: Int, factor: Double)
  /// Cosine decay from the base rate to zero over the run (per epoch).
  case cosine

  /// The rate in epoch `epoch` (0-based) of `epochs`.
  public func rate(_ base: Double, epoch: Int, epochs: Int) -> Double {
    switch self {
    case .constant: base
    case .step(let every, let factor): base * pow(factor, Double(epoch / max(1, every)))
    case .cosine: base * 0.5 * (1 + cos(Double.pi * Double(epoch) / Double(max(1, epochs))))
    }
  }
}

/// The update rule.
public enum OptimizerKind: String, Sendable, CaseIterable { case sgd, adam }

/// SGD with momentum and weight decay, or Adam (Kingma and Ba 2015, bias-corrected, weight decay
/// added to the gradient). Weight decay applies to weights, not to biases.
struct Optimizer<T: TrainScalar> {
  let kind: OptimizerKind
  let momentum: T, weightDecay: T
  let beta1: T = 0.9, beta2: T = 0.999, epsilon: T = 1e-8
  var first: TrainableParameters<T>, second: TrainableParameters<T>
  var steps = 0

  init(kind: OptimizerKind, momentum: Double, weightDecay: Double, shapedLike p: TrainableParameters<T>) {
    self.kind = kind; self.momentum = T(momentum); self.weightDecay = T(weightDecay)
    first = TrainableParameters(zerosLike: p)
    second = kind == .adam ? TrainableParameters(zerosLike: p) : TrainableParameters(weights: [], biases: [])
  }

  /// One update of `p` by gradients `g` at learning rate `lr`.
  mutating func step(_ p: inout TrainableParameters<T>, _ g: TrainableParameters<T>, lr: T) {
    steps += 1
    let c1 = T(1 - pow(Double(beta1), Double(steps))), c2 = T(1 - pow(Double(beta2), Double(steps)))
    let rule = Rule(kind: kind, momentum: momentum, beta1: beta1, beta2: beta2, epsilon: epsilon, lr: lr, c1: c1,
                    c2: c2)
    var none: [T] = []
    for i in p.weights.indices {
      if p.weights[i] != nil {
        if kind == .adam {
          rule.apply(&p.weights[i]!, g.weights[i]!, &first.weights[i]!, &second.weights[i]!, decay: weightDecay)
        } else {
          rule.apply(&p.weights[i]!, g.weights[i]!, &first.weights[i]!, &none, decay: weightDecay)
        }
      }
      if p.biases[i] != nil {
        if kind == .adam {
          rule.apply(&p.biases[i]!, g.biases[i]!, &first.biases[i]!, &second.biases[i]!, decay: 0)
        } else {
          rule.apply(&p.biases[i]!, g.biases[i]!, &first.biases[i]!, &none, decay: 0)
        }
      }
    }
  }

  /// The update of one tensor at one step.
  private struct Rule {
    let kind: OptimizerKind
    let momentum: T, beta1: T, beta2: T, epsilon: T, lr: T, c1: T, c2: T

    func apply(_ p: inout [T], _ g: [T], _ m: inout [T], _ v: inout [T], decay: T) {
      switch kind {
      case .sgd:
        for j in p.indices {
          m[j] = momentum * m[j] + g[j] + decay * p[j]
          p[j] -= lr * m[j]
        }
      case .adam:
        for j in p.indices {
          let gj = g[j] + decay * p[j]
          m[j] = beta1 * m[j] + (1 - beta1) * gj
          v[j] = beta2 * v[j] + (1 - beta2) * gj * gj
          p[j] -= lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + epsilon)
        }
      }
    }
  }
}
