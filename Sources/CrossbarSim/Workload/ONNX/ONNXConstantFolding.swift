// MARK: - More constant folding: the index arithmetic exporters write around Pad, Slice and Split

extension GraphImport {
  /// Whether every (non-empty) input of `n` is a constant, so the node folds to one.
  func allConstant(_ n: Onnx_NodeProto) -> Bool {
    !n.input.isEmpty && n.input.allSatisfy { $0.isEmpty || constants[$0] != nil }
  }

  /// Folds Slice, Reshape, Transpose, ConstantOfShape and the arithmetic Add, Sub, Mul, Div of
  /// constants (element-wise, a scalar broadcast; integer Div truncates as ONNX's does).
  func foldConstant(_ n: Onnx_NodeProto) throws -> ONNXTensor {
    let here = where_(n)
    let x = constants[n.input.first ?? ""] ?? ONNXTensor(dims: [], values: [])
    switch n.opType {
    case "Add", "Sub", "Mul", "Div":
      _ = try ONNXAttributes(n, allowed: [], source: source)
      guard n.input.count == 2, let b = constants[n.input[1]] else { throw InputError("\(here): two inputs needed") }
      let count = max(x.values.count, b.values.count)
      guard x.values.count == b.values.count || min(x.values.count, b.values.count) == 1 else {
        throw InputError("\(here): constants of \(x.dims) and \(b.dims): only equal shapes or a scalar are folded")
      }
      let integer = x.isInteger && b.isInteger
      let values = (0..<count).map { i -> Float in
        let u = x.values[x.values.count == 1 ? 0 : i], v = b.values[b.values.count == 1 ? 0 : i]
        switch n.opType {
        case "Add": return u + v
        case "Sub": return u - v
        case "Mul": return u * v
        default: return integer ? (v == 0 ? 0 : (u / v).rounded(.towardZero)) : u / v
        }
      }
      return ONNXTensor(dims: x.values.count >= b.values.count ? x.dims : b.dims, values: values, isInteger: integer)
    case "ConstantOfShape":
      let a = try ONNXAttributes(n, allowed: ["value"], source: source)
      let dims = try integers(n.input[0], of: n, what: "shape")
      guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) <= 1 << 16 else {
        throw InputError("\(here): shape \(dims) is not a small constant")
      }
      let fill = try a.tensor("value").map { try reader.tensor($0) } ?? ONNXTensor(dims: [1], values: [0])
      return ONNXTensor(dims: dims, values: Array(repeating: fill.values.first ?? 0, count: dims.reduce(1, *)),
                        isInteger: fill.isInteger)
    case "Reshape":
      _ = try ONNXAttributes(n, allowed: ["allowzero"], source: source)
      var dims = try integers(n.input[1], of: n, what: "shape")
      for (k, d) in dims.enumerated() where d == 0 && k < x.dims.count { dims[k] = x.dims[k] }
      if let k = dims.firstIndex(of: -1) {
        let rest = dims.enumerated().filter { $0.offset != k }.reduce(1) { $0 * $1.element }
        guard rest > 0 else { throw InputError("\(here): shape \(dims) does not fit \(x.elements) values") }
        dims[k] = x.elements / rest
      }
      guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) == x.elements else {
        throw InputError("\(here): shape \(dims) does not fit \(x.elements) values")
      }
      return ONNXTensor(dims: dims, values: x.values, isInteger: x.isInteger)
    case "Transpose":
      let a = try ONNXAttributes(n, allowed: ["perm"], source: source)
      guard x.dims.count == 2, (a.ints("perm") ?? [1, 0]) == [1, 0] else {
        throw InputError("\(here): only 2-D constants are transposed at import")
      }
      let (r, c) = (x.dims[0], x.dims[1])
      return ONNXTensor(dims: [c, r], values: (0..<(r * c)).map { x.values[($0 % r) * c + $0 / r] },
                        isInteger: x.isInteger)
    case "Slice":
      _ = try ONNXAttributes(n, allowed: [], source: source)
      let s = try sliceSpec(n, rank: x.dims.count)
      guard s.count == 1, let (axis, start, end, step) = s.first, axis == 0 else {
        throw InputError("\(here): only slices along the first axis of a constant are folded")
      }
      let rows = x.dims.first ?? 0, per = rows > 0 ? x.elements / rows : 0
      let picked = sliceIndices(start: start, end: end, step: step, size: rows)
      return ONNXTensor(dims: [picked.count] + x.dims.dropFirst(),
                        values: picked.flatMap { x.values[($0 * per)..<(($0 + 1) * per)] }, isInteger: x.isInteger)
    default:
      throw InputError("\(here): \(n.opType) is not folded")
    }
  }

  /// A Slice's (axis, start, end, step) per sliced axis, axes normalised to `0..<rank`; starts and
  /// ends beyond +-2^40 (INT64_MAX for "to the end") are clamped.
  func sliceSpec(_ n: Onnx_NodeProto, rank: Int) throws -> [(Int, Int, Int, Int)] {
    guard (3...5).contains(n.input.count) else { throw InputError("\(where_(n)): \(n.input.count) inputs, expected " +
        "3...5 (data, starts, ends, axes, steps)") }
    func bounds(_ k: Int, _ what: String) throws -> [Int] {
      try constant(n.input[k], of: n, what: what).values.map { v in
        guard !v.isNaN else { throw InputError("\(where_(n)): \(what) holds NaN") }
        return Int(max(min(v, Float(1 << 40)), -Float(1 << 40)))
      }
    }
    let starts = try bounds(1, "starts"), ends = try bounds(2, "ends")
    let axes = n.input.count > 3 && !n.input[3].isEmpty ? try integers(n.input[3], of: n, what: "axes")
      : Array(0..<starts.count)
    let steps = n.input.count > 4 && !n.input[4].isEmpty ? try integers(n.input[4], of: n, what: "steps")
      : Array(repeating: 1, count: starts.count)
    guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count,
          steps.allSatisfy({ $0 != 0 }) else {
      throw InputError("\(where_(n)): starts, ends, axes and steps must have equal lengths and non-zero steps")
    }
    return try axes.indices.map { i in
      let a = axes[i] < 0 ? axes[i] + rank : axes[i]
      guard (0..<max(rank, 1)).contains(a) else { throw InputError("\(where_(n)): axis \(axes[i]) is out of range") }
      return (a, starts[i], ends[i], steps[i])
    }
  }

  /// The indices ONNX's Slice takes along an axis of `size` (negative bounds count from the end).
  func sliceIndices(start: Int, end: Int, step: Int, size: Int) -> [Int] {
    func norm(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v < 0 ? v + size : v, lo), hi) }
    if step > 0 { return Array(stride(from: norm(start, 0, size), to: norm(end, 0, size), by: step)) }
    return Array(stride(from: norm(start, 0, size - 1), to: norm(end, -1, size - 1), by: step))
  }
}
