import CrossbarSim
import Foundation

/// A run's output folder, written whole or not at all: files go to a staging folder next to it
/// (`DIR.partial-HOST-PID`), which replaces `DIR` when the run has finished. Files of an earlier run
/// there go with it, so no stale `trace.json` survives a rerun without `--trace`; other files in
/// the folder stay. A killed run's staging folder (and `DIR.old-...` of a killed move) is removed
/// by the next run into `DIR` on the same host once its process is gone; one of another host,
/// which this host cannot check, stays.
public struct RunFolder {
  /// Every file a run may write.
  public static let runFiles = Set(RunOutputs.files.map(\.name))
  /// The files this folder's command writes (removed from an earlier run's folder on a rerun).
  let files: Set<String>
  /// The finished folder.
  public let path: String
  /// Where files are written until the run has finished.
  public let staging: String

  /// Files in `path` that are not a run's: they stay where they are.
  let others: [String]

  /// Checks `path` and creates the staging folder for a command writing `files`.
  public init(_ path: String, files: Set<String> = RunFolder.runFiles) throws {
    self.path = path
    self.files = files
    staging = "\(path).partial-\(Self.host)-\(getpid())"
    let fm = FileManager.default
    Self.removeStale(of: path)
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw InputError("--out \(path): a file, not a folder") }
      others = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !files.contains($0) }.sorted()
    } else {
      others = []
    }
    do {
      try? fm.removeItem(atPath: staging)
      try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
    } catch {
      throw InputError("--out \(path): cannot create \(staging): \((error as NSError).localizedDescription)")
    }
  }

  /// Writes files into the staging folder.
  public func write(_ files: [(String, String)]) throws {
    for (name, text) in files {
      do {
        if let slash = name.lastIndex(of: "/") {   // a file of a subfolder (compare's runs/LABEL/...)
          try FileManager.default.createDirectory(atPath: "\(staging)/\(name[..<slash])",
                                                  withIntermediateDirectories: true)
        }
        try text.write(toFile: "\(staging)/\(name)", atomically: false, encoding: .utf8)
      } catch {
        discard()
        throw InputError("--out \(path): cannot write \(name): \((error as NSError).localizedDescription)")
      }
    }
  }

  /// Replaces `path` by the staging folder; into a folder that also holds other files, the earlier
  /// run's files are removed and the new ones moved in one by one.
  public func commit() throws {
    let fm = FileManager.default, old = "\(path).old-\(Self.host)-\(getpid())"
    do {
      if others.isEmpty {
        if fm.fileExists(atPath: path) { try fm.moveItem(atPath: path, toPath: old) }
        try fm.moveItem(atPath: staging, toPath: path)
        try? fm.removeItem(atPath: old)
      } else {
        for name in files where fm.fileExists(atPath: "\(path)/\(name)") {
          try fm.removeItem(atPath: "\(path)/\(name)")
        }
        for name in try fm.contentsOfDirectory(atPath: staging) {
          try fm.moveItem(atPath: "\(staging)/\(name)", toPath: "\(path)/\(name)")
        }
        discard()
      }
    } catch {
      if !fm.fileExists(atPath: path), fm.fileExists(atPath: old) { try? fm.moveItem(atPath: old, toPath: path) }
      discard()
      throw InputError("--out \(path): cannot move the finished run into " +
          "place: \((error as NSError).localizedDescription)")
    }
  }

  /// This host's name as a file name part (letters, digits, `.`, `-`).
  static let host: String = {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count - 1) == 0 else { return "host" }
    let name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      .map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" }
    return name.isEmpty ? "host" : String(name)
  }()

  /// The staging and old folders of `path` left by runs on this host whose process has ended
  /// (`DIR.partial-HOST-PID`, `DIR.old-HOST-PID`, and `DIR.partial-PID` of earlier versions).
  static func stale(of path: String) -> [String] {
    let url = URL(fileURLWithPath: path), dir = url.deletingLastPathComponent().path, base = url.lastPathComponent
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return entries.sorted().compactMap { name -> String? in
      guard let kind = [".partial-", ".old-"].first(where: { name.hasPrefix(base + $0) }) else { return nil }
      var pidText = name.dropFirst(base.count + kind.count)
      if pidText.hasPrefix(host + "-") { pidText = pidText.dropFirst(host.count + 1) }
      guard let pid = Int32(pidText), pid > 0, pid != getpid() else { return nil }
      // kill(pid, 0) fails with ESRCH only when no such process exists.
      guard kill(pid, 0) != 0, errno == ESRCH else { return nil }
      return "\(dir)/\(name)"
    }
  }

  /// Removes `stale(of: path)`.
  static func removeStale(of path: String) {
    for p in stale(of: path) { try? FileManager.default.removeItem(atPath: p) }
  }

  /// Removes the staging folder (a failed run leaves nothing).
  public func discard() { try? FileManager.default.removeItem(atPath: staging) }
}
