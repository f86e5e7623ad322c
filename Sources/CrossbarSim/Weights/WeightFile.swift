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
  /// Named arrays from `path`: a `.npz`, a `.npy` (named after the file) or a folder of `.npy`; all
  /// of them (`ArrayFile` reads only those asked for).
  public static func arrays(at path: String) throws -> [(name: String, array: NumPyArray)] {
    try ArrayFile(path).all()
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
    try match(ArrayFile(path), to: network, source: path)
  }

  /// Matches named arrays to layers by name, then the rest in order, checking shapes.
  public static func match(_ arrays: [(name: String, array: NumPyArray)], to network: Network,
                           source: String) throws -> NetworkWeights {
    try match(Preloaded(arrays), to: network, source: source)
  }

  /// The same over arrays read on demand: an array that no layer takes by name and that the
  /// layers left unmatched do not reach in file order is never read.
  static func match(_ file: some NamedArrays, to network: Network, source: String) throws -> NetworkWeights {
    var result = NetworkWeights(layers: Array(repeating: nil, count: network.layers.count))
    var used = Set<Int>()
    func key(_ s: String) -> String {
      var k = s.replacingOccurrences(of: "/", with: ".")
      for suffix in [".weight", "_weight"] where k.hasSuffix(suffix) { k = String(k.dropLast(suffix.count)) }
      return k
    }
    let names = file.names
    let byName = Dictionary(names.enumerated().map { (key($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
    var unmatched: [Int] = []
    for (i, l) in network.layers.enumerated() where l.operation.isMatrix {
      if let a = byName[l.name] {
        result.layers[i] = try convert((names[a], try file.array(a)), for: l, source: source)
        used.insert(a)
      } else {
        unmatched.append(i)
      }
    }
    // Biases are 1-D and named after their layer; they never fill a layer in file order.
    let biasNames = Set(network.layers.filter(\.operation.isMatrix).flatMap {
      [$0.name + ".bias", $0.name + "_bias", $0.name + "/bias"]
    })
    let matchedByName = used
    var next = 0
    for i in unmatched {
      var taken: Int?
      while taken == nil, next < names.count {
        defer { next += 1 }
        guard !used.contains(next), !biasNames.contains(names[next]), try file.array(next).shape.count >= 2 else {
          continue
        }
        taken = next
      }
      guard let t = taken else {
        let unused = names.indices.filter { !matchedByName.contains($0) }.map { names[$0] }
        throw InputError("\(source): no weights for layer \(network.layers[i].name) (\(names.count) " +
            "arrays, \(unmatched.count) layers not matched by " +
            "name\(unused.isEmpty ? "" : "; arrays matching no layer: " + unused.prefix(10).joined(separator: ", ")))")
      }
      used.insert(t)
      result.layers[i] = try convert((names[t], try file.array(t)), for: network.layers[i], source: source)
    }
    // Biases: a 1-D array named `<layer>.bias` (or `_bias`) goes to that layer.
    for (i, l) in network.layers.enumerated() where l.operation.isMatrix {
      let candidates = [l.name + ".bias", l.name + "_bias", l.name + "/bias"]
      guard let j = names.firstIndex(where: { candidates.contains($0) }) else { continue }
      let a = try file.array(j)
      guard a.values.count == l.weightColumns, a.shape.count == 1 else {
        throw InputError("\(source): array '\(names[j])' has shape \(a.shape), layer \(l.name) needs " +
            "[\(l.weightColumns)]")
      }
      result.layers[i]?.bias = a.values
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

/// Arrays by index in file order, read when asked for.
protocol NamedArrays {
  var names: [String] { get }
  func array(_ i: Int) throws -> NumPyArray
}

extension ArrayFile: NamedArrays {}

/// Arrays already in memory.
private struct Preloaded: NamedArrays {
  let arrays: [(name: String, array: NumPyArray)]
  init(_ arrays: [(name: String, array: NumPyArray)]) { self.arrays = arrays }
  var names: [String] { arrays.map(\.name) }
  func array(_ i: Int) throws -> NumPyArray { arrays[i].array }
}
