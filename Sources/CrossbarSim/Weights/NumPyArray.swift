import Foundation

// MARK: - NumPy .npy arrays

/// A NumPy array read from or written to the `.npy` format (versions 1-3), as `Float` values in
/// C order. Integer and floating dtypes of either byte order are converted; Fortran order is
/// transposed.
public struct NumPyArray: Sendable, Equatable {
  /// Shape.
  public var shape: [Int]
  /// Values in C (row-major) order.
  public var values: [Float]
  /// Creates an array.
  public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }

  /// Largest array read from a file: 1 GiB of data (a quarter of a billion float32 values), plus a header.
  public static let maximumBytes = (1 << 30) + (1 << 16)

  /// Parses `.npy` bytes; `source` names the file (and archive member) in errors.
  public init(npy data: Data, source: String) throws {
    let bytes = [UInt8](data)
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
      throw InputError("\(source): not a NumPy .npy array (bad magic)")
    }
    let major = bytes[6]
    let headerLength: Int, headerStart: Int
    switch major {
    case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw InputError("\(source): truncated .npy header") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; headerStart = 12
    default: throw InputError("\(source): unsupported .npy version \(major)")
    }
    guard bytes.count >= headerStart + headerLength,
          let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .ascii) else {
      throw InputError("\(source): truncated .npy header")
    }
    func field(_ key: String) throws -> String {
      guard let r = header.range(of: "'\(key)':") else { throw InputError("\(source): .npy header has no '\(key)'") }
      return header[r.upperBound...].trimmingCharacters(in: .whitespaces)
    }
    let descrField = try field("descr")
    guard descrField.hasPrefix("'"), let end = descrField.dropFirst().firstIndex(of: "'") else {
      throw InputError("\(source): cannot read the dtype in the .npy header")
    }
    let descr = String(descrField[descrField.index(after: descrField.startIndex)..<end])
    let fortran = try field("fortran_order").hasPrefix("True")
    let shapeField = try field("shape")
    guard let open = shapeField.firstIndex(of: "("), let close = shapeField[open...].firstIndex(of: ")") else {
      throw InputError("\(source): cannot read the shape in the .npy header")
    }
    let dims = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var shape: [Int] = []
    for d in dims {
      guard let n = Int(d), n >= 0 else { throw InputError("\(source): bad dimension '\(d)' in the .npy shape") }
      shape.append(n)
    }
    var count = 1
    for n in shape {
      let (c, overflow) = count.multipliedReportingOverflow(by: n)
      guard !overflow, c <= WorkloadLimits.elements else {
        throw InputError("\(source): .npy shape \(shape) holds more than \(WorkloadLimits.elements) values (the most " +
            "one layer has)")
      }
      count = c
    }
    let order = descr.first ?? "<"
    let kind = descr.dropFirst().first ?? "?"
    guard let size = Int(descr.dropFirst(2)), [1, 2, 4, 8].contains(size) else {
      throw InputError("\(source): unsupported dtype '\(descr)' (item sizes 1, 2, 4 or 8 bytes)")
    }
    let bigEndian = order == ">"
    let body = headerStart + headerLength
    guard bytes.count >= body + count * size else {
      throw InputError("\(source): .npy data has \(bytes.count - body) bytes, shape \(shape) of '\(descr)' " +
          "needs \(count * size)")
    }
    func raw(_ i: Int) -> UInt64 {
      var v: UInt64 = 0
      for b in 0..<size {
        let byte = UInt64(bytes[body + i * size + (bigEndian ? size - 1 - b : b)])
        v |= byte << (8 * UInt64(b))
      }
      return v
    }
    let convert: (Int) -> Float
    switch (kind, size) {
    case ("f", 4): convert = { Float(bitPattern: UInt32(truncatingIfNeeded: raw($0))) }
    case ("f", 8): convert = { Float(Double(bitPattern: raw($0))) }
    case ("i", 1), ("i", 2), ("i", 4), ("i", 8):
      convert = { i in
        let shift = UInt64(64 - 8 * size)
        return Float(Int64(bitPattern: raw(i) << shift) >> Int64(shift))
      }
    case ("u", 1), ("u", 2), ("u", 4), ("u", 8), ("b", 1): convert = { Float(raw($0)) }
    default: throw InputError("\(source): unsupported dtype '\(descr)' (float32/64, int8-64, uint8-64, bool)")
    }
    var values = (0..<count).map(convert)
    if fortran && shape.count > 1 {
      // Fortran order: first index fastest. Re-index into C order.
      var c = [Float](repeating: 0, count: count)
      var strides = [Int](repeating: 1, count: shape.count)
      for k in 1..<shape.count { strides[k] = strides[k - 1] * shape[k - 1] }
      var index = [Int](repeating: 0, count: shape.count)
      for i in 0..<count {
        var f = 0
        for k in 0..<shape.count { f += index[k] * strides[k] }
        c[i] = values[f]
        var k = shape.count - 1
        while k >= 0 { index[k] += 1; if index[k] < shape[k] { break }; index[k] = 0; k -= 1 }
      }
      values = c
    }
    self.init(shape: shape, values: values)
  }

  /// The array as `.npy` (version 1.0, little-endian float32, C order).
  public func npy() -> Data {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
    d.append(contentsOf: Array(header.utf8))
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
    return d
  }
}
