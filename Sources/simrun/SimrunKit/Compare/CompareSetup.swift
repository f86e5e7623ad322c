import CrossbarSim

// MARK: - What a comparison was run on, recorded with its rows

/// The setup every configuration of a comparison shares, and what the comparison was asked: the
/// workload, the chip, the run settings, the budget, the baseline and the configurations' flags.
/// `compare.json` records it next to the rows, and `report.html` states it in a paragraph.
public struct CompareSetup: Sendable {
  /// Network name, and the workload as given (built-in name or file).
  public var network: String, workload: String
  /// The chip's name, as given (preset or file), its overrides and a one-line description.
  public var arch: String, archSource: String, archSet: [String], archBrief: String
  /// Run settings of the common run.
  public var schedule: String, images: Int, replicate: String, placement: String
  /// Where the weights come from (`synthetic (seed 1)`, the model's own, or a file): relative
  /// errors of synthetic weights say what a layout keeps of a random matrix, not accuracy.
  public var weights: String
  /// Labelled test images (nil: none), and fine-tuning as given (nil: none).
  public var data: String?, fineTune: String?
  /// `--match` as given, and the baseline row's label.
  public var match: String, baseline: String
  /// Each configuration's label and flags, in row order.
  public var configurations: [(label: String, flags: [String])]

  /// The setup as a JSON object.
  public var json: JSONValue {
    .object([
      .init("workload", .string(workload)), .init("network", .string(network)),
      .init("arch", .string(arch)), .init("archSource", .string(archSource)),
      .init("archSet", .array(archSet.map { .string($0) })), .init("archBrief", .string(archBrief)),
      .init("schedule", .string(schedule)), .init("images", .integer(images)),
      .init("replicate", .string(replicate)), .init("placement", .string(placement)),
      .init("weights", .string(weights)),
      .init("data", data.map { .string($0) } ?? .null), .init("fineTune", fineTune.map { .string($0) } ?? .null),
      .init("match", .string(match)), .init("baseline", .string(baseline)),
      .init("configurations", .array(configurations.map {
        .object([.init("label", .string($0.label)), .init("flags", .string($0.flags.joined(separator: " ")))])
      })),
    ])
  }

  /// One sentence: `resnet20 on isaac-8bit (16 tiles, ...), pipeline schedule, 1 image, replication none, ...`.
  public var sentence: String {
    var s = "\(network) on \(arch) (\(archBrief)\(archSet.isEmpty ? "" : "; " + archSet.joined(separator: ", ")))"
    s += ", \(schedule) schedule, \(images) image\(images == 1 ? "" : "s"), replication \(replicate), placement " +
        "\(placement); weights: \(weights); every compressed configuration at --match \(match)"
    if let data { s += "; accuracy on \(data)" }
    if let fineTune { s += ", fine-tuned (\(fineTune))" }
    return s + "; ratios are to \(baseline)."
  }
}

extension ArchSpec {
  /// The chip in a phrase: `168 tiles x 12 IMAs x 8 crossbars of 128x128 2-bit cells, 8-bit ADCs, 1.2 GHz`.
  public var brief: String {
    let c = ima.crossbar
    return "\(chip.tiles) tiles x \(tile.imas) IMAs x \(ima.crossbars) crossbars of \(c.rows)x\(c.columns) " +
        "\(c.bitsPerCell)-bit cells, \(ima.adc.bits.description)-bit ADCs, \(data.weightBits)-bit weights, " +
        "\(StatNode.number(clockGHz)) GHz"
  }
}
