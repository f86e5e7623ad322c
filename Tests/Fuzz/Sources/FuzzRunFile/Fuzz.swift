import CrossbarSim
import Foundation
import SimrunKit

/// Config documents as run files read them (SimrunKit's own reader: the document composed under
/// the alias bound, merged onto the defaults, decoded and checked), and the same text as flags.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let tree = try? ConfigTree.parse(text, source: "fuzz.yaml") {
    var t = RunTree()
    if (try? t.merge(file: tree, source: "fuzz.yaml")) != nil { _ = try? t.setup(source: "fuzz.yaml") }
  }
  var flags = RunTree()
  if (try? flags.apply(flags: text.split(whereSeparator: \.isWhitespace).map(String.init))) != nil { _ = try? flags.setup(source: "flags") }
  return 0
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
