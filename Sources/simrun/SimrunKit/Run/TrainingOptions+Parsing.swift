import CrossbarSim

// MARK: - Fine-tuning options as one text (`compare --finetune`, a sweep spec's `finetune`)

extension TrainingOptions {
  /// The keys `init(parsing:)` takes, with what each sets.
  public static let keys: [(key: String, help: String)] = [
    ("epochs", "passes over the training images (default 10)"),
    ("lr", "base learning rate (default 0.01)"),
    ("batch", "images per mini-batch (default 32)"),
    ("optimizer", "sgd or adam (default sgd)"),
    ("momentum", "SGD momentum (default 0.9)"),
    ("weightDecay", "L2 weight decay on weights (default 5e-4)"),
    ("schedule", "cosine, constant or step:EVERY:FACTOR (default cosine)"),
    ("seed", "shuffling seed (default 1)"),
  ]

  /// Options from `key=value,...` (`epochs=10,lr=0.01`); `source` names the flag in errors.
  public init(parsing text: String, source: String) throws {
    self.init()
    for part in text.split(separator: ",", omittingEmptySubsequences: true) {
      let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard kv.count == 2 else { throw InputError("\(source) '\(part)': give KEY=VALUE") }
      let (key, value) = (kv[0], kv[1])
      func number() throws -> Double {
        guard let v = Double(value), v.isFinite else { throw InputError("\(source) \(key)=\(value): not a number") }
        return v
      }
      func whole(_ range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(value), range.contains(v) else {
          throw InputError("\(source) \(key)=\(value): a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
      }
      switch key {
      case "epochs": epochs = try whole(0...100_000)
      case "batch": batch = try whole(1...1_000_000)
      case "lr": learningRate = try number()
      case "momentum": momentum = try number()
      case "weightDecay": weightDecay = try number()
      case "seed":
        guard let s = UInt64(value) else { throw InputError("\(source) seed=\(value): a whole number >= 0") }
        seed = s
      case "optimizer":
        guard let k = OptimizerKind(rawValue: value) else {
          throw InputError("\(source) optimizer=\(value): use sgd or adam")
        }
        optimizer = k
      case "schedule": schedule = try LearningRateSchedule(parsing: value, source: "\(source) schedule")
      default:
        throw InputError("\(source): unknown key '\(key)' (keys: \(Self.keys.map(\.key).joined(separator: ", ")))")
      }
    }
    try validate(source: source)
  }
}

extension LearningRateSchedule {
  /// `cosine`, `constant` or `step:EVERY:FACTOR`.
  public init(parsing text: String, source: String) throws {
    switch text {
    case "cosine": self = .cosine
    case "constant": self = .constant
    default:
      let parts = text.split(separator: ":")
      guard parts.count == 3, parts[0] == "step", let every = Int(parts[1]), every >= 1,
            let factor = Double(parts[2]), factor > 0, factor.isFinite else {
        throw InputError("\(source) \(text): use cosine, constant, or step:EVERY:FACTOR (e.g. step:3:0.1)")
      }
      self = .step(every: every, factor: factor)
    }
  }
}
