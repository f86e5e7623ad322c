// MARK: - Concatenations, chained where one extends another

extension GraphImport {
  /// A channel concatenation of `all`.
  mutating func concatenate(_ name: String, _ all: [Int]) throws -> Int {
    var inputs = all
    // DenseNet concatenates every earlier feature map again in each layer: a concatenation that
    // extends an earlier one reads that one instead (the same values, and each map read twice,
    // not by every later layer of the block).
    for k in stride(from: inputs.count - 1, through: 1, by: -1) {
      let prefix = Array(all[0..<k])
      if let earlier = concatSources.filter({ $0.value == prefix }).keys.max() {
        inputs = [earlier] + all[k...]
        break
      }
    }
    let i = try builder.concat(name, inputs)
    concatSources[i] = all
    return i
  }
}
