import CrossbarSim
import Foundation

/// Plug-in option strings (`kind:key=value,...`) and `--set` assignments.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let p = try? PluginOptions.parse(text, what: "--fuzz"), let o = try? PluginOptions(kind: p.kind, p.options, allowed: Array(p.options.keys)) {
    for key in o.values.keys {
      _ = try? o.int(key, in: 1...1_000_000); _ = try? o.double(key, from: 0, below: 1); _ = try? o.pair(key)
    }
  }
  var tree = ArchSpec.isaac8bitTree
  _ = try? ConfigTree.set(text, in: &tree)
  return 0
}

extension ArchSpec {
  nonisolated(unsafe) static let isaac8bitTree: [String: Any] = (try? ConfigTree.tree(of: ArchSpec.preset(named: "isaac-8bit"))) ?? [:]
}

/// SwiftPM links an executable's entry as `FuzzOptions_main`: hand the process to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzOptions_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var c = argc, v = argv
  return runDriver(&c, &v, { data, size in fuzz(data, size) })
}
