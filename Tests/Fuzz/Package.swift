// swift-tools-version:6.0
// libFuzzer targets for simrun's parsers. Build and run with Tests/Fuzz/run.sh.
import PackageDescription

let fuzz: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let package = Package(
  name: "CrossbarSimFuzz",
  dependencies: [.package(name: "CrossbarSim", path: "../..")],
  targets: ["NeuroSim", "ArchFile", "RunFile", "NumPy", "Options", "ONNX"].map { name in
    .executableTarget(name: "Fuzz\(name)", dependencies: [.product(name: "CrossbarSim", package: "CrossbarSim"),
                                                          .product(name: "SimrunKit", package: "CrossbarSim")],
                      path: "Sources/Fuzz\(name)", swiftSettings: fuzz,
                      linkerSettings: [.unsafeFlags(["/opt/swift/usr/lib/clang/21/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a", "-lstdc++"])])
  })
