import CrossbarSim
import Foundation

/// NeuroSim network CSV rows.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? NeuroSimImporter.parse(text, source: "fuzz.csv", name: "fuzz")
  return 0
}

/// SwiftPM links an executable's entry as `FuzzNeuroSim_main`: hand the process to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzNeuroSim_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var c = argc, v = argv
  return runDriver(&c, &v, { data, size in fuzz(data, size) })
}
