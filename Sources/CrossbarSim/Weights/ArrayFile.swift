import Foundation
import ZIPFoundation

// MARK: - Named arrays read on demand (.npz members, .npy files, folders of them)

/// The named arrays of a `.npz`, a `.npy` (named after the file) or a folder of `.npy`, listed at
/// once and read only when asked for: a member nobody asks for is never unpacked, so a dataset
/// with large unused members costs only what `x` and `y` take. Each array is read at most once.
public final class ArrayFile {
  /// The file or folder.
  public let path: String
  /// Array names in file order (member or file names without `.npy`).
  public let names: [String]
  private let read: (Int) throws -> NumPyArray
  private var cache: [Int: NumPyArray] = [:]

  /// Lists the arrays at `path`; an error names the path when it is missing or not such a file.
  public init(_ path: String) throws {
    self.path = path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw InputError("\(path): no such file")
    }
    if isDir.boolValue {
      let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".npy") }.sorted()
      guard !files.isEmpty else { throw InputError("\(path): folder holds no .npy files") }
      names = files.map { String($0.dropLast(4)) }
      read = { i in try Self.npy(at: "\(path)/\(files[i])") }
    } else if path.hasSuffix(".npy") {
      names = [String((path.split(separator: "/").last.map(String.init) ?? path).dropLast(4))]
      read = { _ in try Self.npy(at: path) }
    } else {
      let archive: Archive
      do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
        throw InputError("\(path): not a .npz (zip) archive: \(error)")
      }
      let entries = archive.filter { $0.type == .file && $0.path.hasSuffix(".npy") }
      guard !entries.isEmpty else { throw InputError("\(path): archive holds no .npy arrays") }
      names = entries.map { String($0.path.dropLast(4)) }
      read = { i in try Self.member(entries[i], of: archive, path: path) }
    }
  }

  /// Array `i` (of `names`), read now or from the cache.
  public func array(_ i: Int) throws -> NumPyArray {
    if let a = cache[i] { return a }
    let a = try read(i)
    cache[i] = a
    return a
  }

  /// The array named `name`, or nil when there is none.
  public func array(named name: String) throws -> NumPyArray? {
    try names.firstIndex(of: name).map { try array($0) }
  }

  /// Every array, in file order.
  public func all() throws -> [(name: String, array: NumPyArray)] {
    try names.indices.map { (names[$0], try array($0)) }
  }

  private static func npy(at file: String) throws -> NumPyArray {
    if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int,
       size > NumPyArray.maximumBytes {
      throw InputError("\(file): \(size) bytes; at most \(NumPyArray.maximumBytes) per array file")
    }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
      throw InputError("\(file): cannot read: \(error.localizedDescription)")
    }
    return try NumPyArray(npy: data, source: file)
  }

  /// One member, refused when larger than any layer's weights before it is unpacked (the size in
  /// its header, then the bytes actually inflated: a header may lie).
  private static func member(_ entry: Entry, of archive: Archive, path: String) throws -> NumPyArray {
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
      throw InputError("\(path): cannot extract \(entry.path): " +
          "\((error as? InputError)?.description ?? String(describing: error))")
    }
    return try NumPyArray(npy: member, source: "\(path):\(entry.path)")
  }
}
