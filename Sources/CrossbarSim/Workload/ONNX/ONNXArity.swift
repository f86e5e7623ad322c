// MARK: - How many inputs each imported ONNX operator takes, checked before any input is read

enum ONNXArity {
  /// Inputs each operator may have (ONNX's operator specs, opsets 1-18; an omitted optional input
  /// is an empty name and counts). An operator not listed is refused by the importer's switch.
  static let inputs: [String: ClosedRange<Int>] = [
    "Add": 2...2, "Sub": 2...2, "Mul": 2...2, "Div": 2...2,
    "BatchNormalization": 5...5, "Clip": 1...3, "Concat": 1...Int.max, "Constant": 0...0,
    "ConstantOfShape": 1...1, "Conv": 2...3, "Flatten": 1...1, "Reshape": 2...2, "Gather": 2...2,
    "Gemm": 2...3, "MatMul": 2...2, "GlobalAveragePool": 1...1, "HardSigmoid": 1...1, "HardSwish": 1...1,
    "Sigmoid": 1...1, "LeakyRelu": 1...1, "Relu": 1...1, "Identity": 1...1, "Dropout": 1...3,
    "MaxPool": 1...1, "AveragePool": 1...1, "Pad": 1...4, "ReduceMean": 1...2, "ReduceMax": 1...2,
    "Shape": 1...1, "Unsqueeze": 1...2, "Squeeze": 1...2, "Cast": 1...1, "Slice": 1...5, "Transpose": 1...1,
    "Split": 1...2,
  ]

  /// Outputs each operator may have where it is not exactly one (optional outputs the importer
  /// never reads: a max-pool's indices, a dropout's mask, a batch norm's training statistics).
  static let outputs: [String: ClosedRange<Int>] = [
    "MaxPool": 1...2, "Dropout": 1...2, "BatchNormalization": 1...3, "Split": 1...Int.max,
  ]

  /// Fails when `op` with `count` inputs or `produced` outputs is outside its arity; `at` names the node.
  static func check(_ op: String, inputs count: Int, outputs produced: Int = 1, at here: String) throws {
    func want(_ r: ClosedRange<Int>) -> String {
      r.upperBound == Int.max ? "at least \(r.lowerBound)"
        : r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound) to \(r.upperBound)"
    }
    if let r = inputs[op], !r.contains(count) {
      throw InputError("\(here): \(count) input\(count == 1 ? "" : "s"); \(op) takes \(want(r))")
    }
    let o = outputs[op] ?? 1...1
    if inputs[op] != nil, !o.contains(produced) {
      throw InputError("\(here): \(produced) output\(produced == 1 ? "" : "s"); \(op) gives \(want(o))")
    }
  }
}
