import Foundation
import ZIPFoundation

// MARK: - Loading per-layer weights (.npz archives, .npy files or folders of them)

/// Loads weights exported from PyTorch/NumPy and matches them to a network's matrix layers.
///
/// Matching: an array named like the layer (`conv1`, `conv1.weight`, `conv1_weight`, or with
/// `/` for `.`) goes to that layer; otherwise arrays are taken in file order for the layers
/// not matched by name. Shapes must be `[OC, IC/g, K_h, K_w]` (or `[OC, IC/g*K_h*K_w]`) for
/// convs and `[out, in]` for FC layers; a 1-D `<layer>.bias` is that layer's bias. Non-finite
/// values are errors naming the layer.
public enum WeightFile {
  /// Named arrays from `path`: a `.npz`, a `.npy` (named after the file) or a folder of `.npy`.
  public static func arrays(at path: String) throws -> [(name: String, array: NumPyArray)] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw InputError("\(path): no " +
        "such file") }
    if isDir.boolValue {
      let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".npy") }.sorted()
      guard !files.isEmpty else { throw InputError("\(path): folder holds no .npy files") }
      return try files.map { f in
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(path)/\(f)"))
        return (String(f.dropLast(4)), try NumPyArray(npy: data, source: "\(path)/\(f)"))
      }
    }
    if path.hasSuffix(".npy"), let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
       size > NumPyArray.maximumBytes {
      throw InputError("\(path): \(size) bytes; at most \(NumPyArray.maximumBytes) per array file")
    }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw InputError("\(path): cannot " +
        "read: \(error.localizedDescription)") }
    if path.hasSuffix(".npy") {
      let name = (path.split(separator: "/").last.map(String.init) ?? path).dropLast(4)
      return [(String(name), try NumPyArray(npy: data, source: path))]
    }
    let archive: Archive
    do { archive = try Archive(data: data, accessMode: .read) } catch {
      throw InputError("\(path): not a .npz (zip) archive: \(error)")
    }
    var out: [(String, NumPyArray)] = []
    for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
      // Refuse a member larger than any layer's weights before unpacking it (the size in its
      // header, then the bytes actually inflated: a header may lie).
      let limit = NumPyArray.maximumBytes
      guard entry.uncompressedSize <= UInt64(limit) else {
        throw InputError("\(path): member \(entry.path) unpacks to \(entry.uncompressedSize) bytes; at most \(limit) " +
            "per array")
      }
      var member = Data()
      do {
        _ = try archive.extract(entry, consumer: { chunk in
          guard member.count + chunk.count <= limit else { throw InputError("member larger than \(limit) bytes") }
          member.append(chunk)
        })
      } catch {
        throw InputError("\(path): cannot " +
            "extract \(entry.path): \((error as? InputError)?.description ?? String(describing: error))")
      }
      out.append((String(entry.path.dropLast(4)), try NumPyArray(npy: member, source: "\(path):\(entry.path)")))
    }
    guard !out.isEmpty else { throw InputError("\(path): archive holds no .npy arrays") }
    return out
  }

  /// The time stamp of every archive member (1980-01-01, the first a zip entry can hold), so the
  /// same arrays give the same bytes.
  static let fixedDate = Date(timeIntervalSince1970: 315_532_800)

  /// Writes named arrays as a `.npz` archive (stored, uncompressed, like `numpy.savez`).
  public static func writeNPZ(_ arrays: [(name: String, array: NumPyArray)], to path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    let archive: Archive
    do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create) } catch {
      throw InputError("\(path): cannot create archive: \(error)")
    }
    for (name, a) in arrays {
      let data = a.npy()
      try archive.addEntry(with: "\(name).npy", type: .file, uncompressedSize: Int64(data.count),
                           modificationDate: fixedDate, provider: { pos, size in
        data.subdata(in: Int(pos)..<(Int(pos) + size))
      })
    }
  }

  /// Loads `path` and matches its arrays to `network`'s matrix layers.
  public static func load(_ path: String, for network: Network) throws -> NetworkWeights {
    try match(arrays(at: path), to: network, source: path)
  }

  /// Matches named arrays to layers by name, then the rest in order, checking shapes.
  public static func match(_ arrays: [(name: String, array: NumPyArray)], to network: Network,
                           source: String) throws -> NetworkWeights {
    var result = NetworkWeights(layers: Array(repeating: nil, count: network.layers.count))
    var used = Set<Int>()
    func key(_ s: String) -> String {
      var k = s.replacingOccurrences(of: "/", with: ".")
      for suffix in [".weight", "_weight"] where k.hasSuffix(suffix) { k = String(k.dropLast(suffix.count)) }
      return k
    }
    let byName = Dictionary(arrays.enumerated().map { (key($0.element.name), $0.offset) },
                            uniquingKeysWith: { a, _ in a })
    var unmatched: [Int] = []
    for (i, l) in network.layers.enumerated() where l.operation.isMatrix {
      if let a = byName[l.name] {
        result.layers[i] = try convert(arrays[a], for: l, source: source)
        used.insert(a)
      } else {
        unmatched.append(i)
      }
    }
    var remaining = arrays.indices.filter { !used.contains($0) && arrays[$0].array.shape.count >= 2 }
    for i in unmatched {
      guard !remaining.isEmpty else {
        let unused = arrays.indices.filter { !used.contains($0) }.map { arrays[$0].name }
        throw InputError("\(source): no weights for layer \(network.layers[i].name) (\(arrays.count) " +
            "arrays, \(unmatched.count) layers not matched by " +
            "name\(unused.isEmpty ? "" : "; arrays matching no layer: " + unused.prefix(10).joined(separator: ", ")))")
      }
      result.layers[i] = try convert(arrays[remaining.removeFirst()], for: network.layers[i], source: source)
    }
    // Biases: a 1-D array named `<layer>.bias` (or `_bias`) goes to that layer.
    for (i, l) in network.layers.enumerated() where l.operation.isMatrix {
      let names = [l.name + ".bias", l.name + "_bias", l.name + "/bias"]
      guard let a = arrays.first(where: { names.contains($0.name) }) else { continue }
      guard a.array.values.count == l.weightColumns, a.array.shape.count == 1 else {
        throw InputError("\(source): array '\(a.name)' has shape \(a.array.shape), layer \(l.name) needs " +
            "[\(l.weightColumns)]")
      }
      result.layers[i]?.bias = a.array.values
    }
    try result.validate(for: network, source: source)
    return result
  }

  static func convert(_ named: (name: String, array: NumPyArray), for layer: Layer,
                      source: String) throws -> LayerWeights {
    let s = named.array.shape
    let expected: [[Int]]
    switch layer.operation {
    case .conv(let c):
      let icpg = layer.inputShape.channels / c.groups
      expected = [[c.outChannels, icpg, c.kernelHeight, c.kernelWidth],
                  [c.outChannels, icpg * c.kernelHeight * c.kernelWidth]]
    case .fullyConnected(let n): expected = [[n, layer.inputShape.elements]]
    default: expected = []
    }
    guard expected.contains(s) else {
      throw InputError("\(source): array '\(named.name)' has shape \(s), layer \(layer.name) needs \(expected[0])")
    }
    if let bad = named.array.values.firstIndex(where: { !$0.isFinite }) {
      throw InputError("\(source): layer \(layer.name) (array '\(named.name)') weight \(bad) " +
          "is \(named.array.values[bad]); weights must be finite")
    }
    return LayerWeights(values: named.array.values, outputs: layer.weightColumns, inputs: layer.weightRows)
  }
}
