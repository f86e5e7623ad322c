import CrossbarSim
import Foundation

/// Config documents as run files and sweep specs read them: YAML composed under the alias bound,
/// then decoded into a typed record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let tree = try? ConfigTree.parse(text, source: "fuzz.yaml") {
    _ = try? ConfigTree.decode(RunRecord.self, from: tree, source: "fuzz.yaml")
  }
  return 0
}

/// The shape of a run file (simrun's RunConfigFile lives in the executable).
struct RunRecord: Decodable {
  var version: Int
  var workload: String?
  var set: [String]?
  var seed: UInt64?
  var images: Int?
  var mapper: Plugin?
  var compress: [Plugin]?
  var rounds: Bool?
  struct Plugin: Decodable { var kind: String; var options: [String: String]? }
}

/// SwiftPM links an executable's entry as `FuzzRunFile_main`: hand the process to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzRunFile_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var c = argc, v = argv
  return runDriver(&c, &v, { data, size in fuzz(data, size) })
}
