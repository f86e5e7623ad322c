// MARK: - Constants in the graph: Constant nodes and shape arithmetic folded at import

extension GraphImport {
  /// Shape arithmetic folded at import, as the TorchScript exporter writes a flatten: the Shape of
  /// a feature map (batch 1), Gather of constants, Unsqueeze, Squeeze and Cast of constants.
  func folded(_ n: Onnx_NodeProto) throws -> ONNXTensor {
    let here = where_(n)
    switch n.opType {
    case "Shape":
      let a = try ONNXAttributes(n, allowed: ["start", "end"], source: source)
      let src = try producer(n.input[0], of: n)
      let s = src.layer.map { builder.network.layers[$0].outputShape } ?? builder.network.inputShape
      let full = src.flat ? [1, s.elements] : [1, s.channels, s.height, s.width]
      func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + full.count : v, 0), full.count) }
      let lo = clamp(a.int("start", default: 0)), hi = clamp(a.int("end", default: full.count))
      let dims = lo < hi ? Array(full[lo..<hi]) : []
      return ONNXTensor(dims: [dims.count], values: dims.map { Float($0) }, isInteger: true)
    case "Gather":
      let a = try ONNXAttributes(n, allowed: ["axis"], source: source)
      guard n.input.count == 2, let data = constants[n.input[0]], let idx = constants[n.input[1]] else {
        throw InputError("\(here): Gather is supported only on constants (shape arithmetic)")
      }
      guard data.dims.count == 1, a.int("axis", default: 0) == 0 else {
        throw InputError("\(here): Gather of a \(data.dims.count)-D constant; only 1-D shape vectors are gathered")
      }
      let values = try integers(n.input[1], of: n, what: "indices").map { v -> Float in
        let i = v < 0 ? v + data.values.count : v
        guard data.values.indices.contains(i) else { throw InputError("\(here): index \(v) is out of range") }
        return data.values[i]
      }
      return ONNXTensor(dims: idx.dims, values: values, isInteger: data.isInteger)
    default:   // Unsqueeze, Squeeze, Cast: the values stay, the dimensions change
      let a = try ONNXAttributes(n, allowed: ["axes", "to", "saturate"], source: source)
      guard let c = constants[n.input.first ?? ""] else {
        throw InputError("\(here): \(n.opType) is supported only on constants (shape arithmetic)")
      }
      // Shape vectors stay 1-D: an unsqueezed scalar or a squeezed [n, 1] is a vector of its values.
      let to = n.opType == "Cast" ? a.int("to", default: 1) : nil
      return ONNXTensor(dims: n.opType == "Cast" ? c.dims : [c.elements], values: c.values,
                        isInteger: to.map { [6, 7].contains($0) } ?? c.isInteger)
    }
  }

  /// The whole-number values of constant `name` (axes, indices, a shape), or an error naming it:
  /// NaN, an infinity or a fraction never reaches an integer conversion.
  func integers(_ name: String, of n: Onnx_NodeProto, what: String) throws -> [Int] {
    try constant(name, of: n, what: what).values.map { v in
      guard v.isFinite, v.rounded() == v, abs(v) <= Float(1 << 40), let i = Int(exactly: v) else {
        throw InputError("\(where_(n)): \(what) '\(name)' holds \(v); whole numbers are needed")
      }
      return i
    }
  }

  /// The tensor a Constant node holds: `value`, or a float or int (list) attribute.
  func constantNode(_ n: Onnx_NodeProto, _ a: ONNXAttributes) throws -> ONNXTensor {
    if let t = a.tensor("value") { return try reader.tensor(t) }
    if a.has("value_float") { return ONNXTensor(dims: [], values: [a.float("value_float", default: 0)]) }
    if let f = a.floats("value_floats") { return ONNXTensor(dims: [f.count], values: f) }
    if a.has("value_int") { return ONNXTensor(dims: [], values: [Float(a.int("value_int", default: 0))]) }
    if let v = a.ints("value_ints") { return ONNXTensor(dims: [v.count], values: v.map { Float($0) }) }
    throw InputError("\(where_(n)): no value (value, value_float(s) or value_int(s))")
  }
}
