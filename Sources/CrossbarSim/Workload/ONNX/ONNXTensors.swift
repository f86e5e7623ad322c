import Foundation
import SwiftProtobuf

// MARK: - Reading ONNX initializers and node attributes

/// A dense initializer: shape and values as floats (int64 shape tensors converted).
struct ONNXTensor {
  var dims: [Int]
  var values: [Float]
  /// Whether it holds integers (int64 initializers, shapes): Div truncates.
  var isInteger = false
  var elements: Int { dims.reduce(1, *) }
}

/// The parts of an `onnx.proto` graph the importer reads, with errors naming the file and node.
struct ONNXReader {
  let source: String

  /// Decodes an initializer (float32, float64 or int64; raw or typed data; never external files).
  func tensor(_ t: Onnx_TensorProto) throws -> ONNXTensor {
    let dims = t.dims.map { Int($0) }
    guard dims.allSatisfy({ $0 >= 0 && $0 <= 1 << 28 }) else {
      throw InputError("\(source): initializer '\(t.name)' has dimensions \(t.dims) (each must be 0...\(1 << 28))")
    }
    let count = dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
    guard count <= 1 << 28 else { throw InputError("\(source): initializer '\(t.name)' has \(count) values (at " +
        "most \(1 << 28))") }
    guard t.dataLocation != .external else {
      throw InputError("\(source): initializer '\(t.name)' is stored in an external file; save the model with its " +
          "weights inside")
    }
    let values: [Float]
    switch t.dataType {
    case 1:   // FLOAT
      values = t.hasRawData
        ? try raw(t, count: count, width: 4) { Float(bitPattern: UInt32(littleEndian: $0.load(as: UInt32.self))) }
        : t.floatData
    case 11:  // DOUBLE
      values = t.hasRawData
        ? try raw(t, count: count, width: 8) {
          Float(Double(bitPattern: UInt64(littleEndian: $0.load(as: UInt64.self))))
        }
        : t.doubleData.map { Float($0) }
    case 7:   // INT64
      values = t.hasRawData ? try raw(t, count: count, width: 8) { Float(Int64(littleEndian: $0.load(as: Int64.self))) }
        : t.int64Data.map { Float($0) }
    default:
      throw InputError("\(source): initializer '\(t.name)' has ONNX data type \(t.dataType); supported: 1 (float), " +
          "11 (double), 7 (int64)")
    }
    guard values.count == count else {
      throw InputError("\(source): initializer '\(t.name)' holds \(values.count) values, its dimensions \(dims) " +
          "need \(count) (truncated or corrupt)")
    }
    return ONNXTensor(dims: dims, values: values, isInteger: t.dataType == 7)
  }

  private func raw(_ t: Onnx_TensorProto, count: Int, width: Int,
                   _ read: (UnsafeRawBufferPointer) -> Float) throws -> [Float] {
    guard t.rawData.count == count * width else {
      throw InputError("\(source): initializer '\(t.name)' has \(t.rawData.count) bytes of data, its dimensions " +
          "need \(count * width) (truncated or corrupt)")
    }
    return t.rawData.withUnsafeBytes { buf in
      (0..<count).map { i in read(UnsafeRawBufferPointer(rebasing: buf[(i * width)..<((i + 1) * width)])) }
    }
  }
}

/// A node's attributes, checked against the ones the importer understands.
struct ONNXAttributes {
  let node: String
  private var byName: [String: Onnx_AttributeProto] = [:]

  init(_ n: Onnx_NodeProto, allowed: Set<String>, source: String) throws {
    node = "\(source): node '\(n.name.isEmpty ? n.output.first ?? "?" : n.name)' (\(n.opType))"
    for a in n.attribute {
      guard allowed.contains(a.name) else {
        let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
        throw InputError("\(node): attribute '\(a.name)' is not supported (supported: \(known))")
      }
      byName[a.name] = a
    }
  }

  func ints(_ name: String) -> [Int]? { byName[name].map { $0.ints.map { Int(clamping: $0) } } }
  func int(_ name: String, default d: Int) -> Int { byName[name].map { Int(clamping: $0.i) } ?? d }
  func float(_ name: String, default d: Float) -> Float { byName[name]?.f ?? d }
  func string(_ name: String) -> String? { byName[name].map { String(decoding: $0.s, as: UTF8.self) } }
  /// A tensor-valued attribute (`value` of a Constant node).
  func tensor(_ name: String) -> Onnx_TensorProto? { byName[name].flatMap { $0.hasT ? $0.t : nil } }
  /// A float-list attribute.
  func floats(_ name: String) -> [Float]? { byName[name].map(\.floats) }
  /// Whether the node sets `name`.
  func has(_ name: String) -> Bool { byName[name] != nil }

  /// Fails with the attribute, its value and what would be valid.
  func refuse(_ name: String, _ value: Any, _ valid: String) -> InputError {
    InputError("\(node): attribute \(name) = \(value) is not supported (\(valid))")
  }

  /// A 2-D window attribute that must have equal entries (square kernels, equal strides) of at
  /// least `minimum`, or `d`.
  func square(_ name: String, default d: Int, minimum: Int = 0) throws -> Int {
    guard let v = ints(name) else { return d }
    guard v.count == 2, v[0] == v[1], v[0] >= minimum else {
      throw refuse(name, v, "two equal \(minimum == 0 ? "non-negative" : "positive") values")
    }
    return v[0]
  }

  /// Symmetric padding `[p, p, p, p]` of a `kernel` window at `stride` over a `height x width` input:
  /// explicit `pads`, none for `auto_pad` VALID, and for `SAME_UPPER`/`SAME_LOWER` ONNX's total
  /// `max((ceil(in / stride) - 1) stride + kernel - in, 0)` per axis where it splits evenly.
  func padding(kernel: Int, stride: Int, height: Int, width: Int) throws -> Int {
    switch string("auto_pad") ?? "NOTSET" {
    case "NOTSET", "": break
    case "VALID": return 0
    case let a where a == "SAME_UPPER" || a == "SAME_LOWER":
      let totals = [height, width].map { max(($0 + stride - 1) / stride * stride - stride + kernel - $0, 0) }
      guard totals[0] == totals[1], totals[0] % 2 == 0 else {
        throw refuse("auto_pad", a, "SAME where it pads every side equally; here it pads \(totals[0]) rows and " +
            "\(totals[1]) columns in all, which the layers cannot split evenly")
      }
      return totals[0] / 2
    case let a: throw refuse("auto_pad", a, "NOTSET, VALID, SAME_UPPER or SAME_LOWER")
    }
    guard let p = ints("pads") else { return 0 }
    guard p.count == 4, Set(p).count == 1, p[0] >= 0 else { throw refuse("pads", p, "four equal non-negative values") }
    return p[0]
  }

  /// Dilations must be 1.
  func noDilation() throws {
    if let d = ints("dilations"), d.contains(where: { $0 != 1 }) { throw refuse("dilations", d, "only 1") }
  }
}
