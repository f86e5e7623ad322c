import CrossbarSim
import Foundation

/// Plug-in option strings (`kind:key=value,...`) and `--set` assignments.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let p = try? PluginOptions.parse(text, what: "--fuzz"), let o = try? PluginOptions(kind: p.kind, p.options, declared: declared) {
    _ = (o.int("n"), o.double("r"), o.double("e"), o.size("w"), o.bool("b"), o.list("layers"))
  }
  var tree = ArchSpec.isaac8bitTree
  _ = try? ConfigTree.set(text, in: &tree)
  return 0
}

/// An option of every kind, as plug-ins declare them.
let declared: [PluginOption] = [
  .integer("n", "N", in: 1...1_000_000, help: "an integer"), .number("r", "R", from: 0, below: 1, help: "a number"),
  PluginOption("e", .number(low: 0, high: 1, openBelow: true, closedAbove: true), placeholder: "E", help: "open below"),
  PluginOption("w", .size, placeholder: "HxW", help: "a size"), .flag("b", default: false, help: "a flag"),
  PluginOption("layers", .layers, help: "layers"),
]

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
