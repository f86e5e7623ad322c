// MARK: - The training loss

/// Mean softmax cross-entropy of a batch of logits against integer labels.
enum SoftmaxCrossEntropy {
  /// The loss, its gradient with respect to the logits (`images x classes`), and how many images
  /// the logits classify correctly (first largest logit, as evaluation counts it).
  static func evaluate<T: TrainScalar>(_ logits: [T], labels: [Int], classes: Int)
    -> (loss: Double, gradient: [T], correct: Int) {
    let n = labels.count
    var grad = [T](repeating: 0, count: n * classes)
    var loss = 0.0, correct = 0
    for i in 0..<n {
      let row = logits[(i * classes)..<((i + 1) * classes)]
      var top = row.startIndex
      for j in row.indices where row[j] > row[top] { top = j }
      if top - row.startIndex == labels[i] { correct += 1 }
      let m = row[top]
      var sum: T = 0
      for j in row.indices { sum += T.exp(row[j] - m) }
      loss += Double(T.log(sum) + m - row[row.startIndex + labels[i]])
      for j in 0..<classes {
        let p = T.exp(logits[i * classes + j] - m) / sum
        grad[i * classes + j] = (p - (j == labels[i] ? 1 : 0)) / T(n)
      }
    }
    return (loss / Double(n), grad, correct)
  }
}
