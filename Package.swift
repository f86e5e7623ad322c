// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "CrossbarSim",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "simrun", targets: ["simrun"]),
    .library(name: "CrossbarSim", targets: ["CrossbarSim"]),
    .library(name: "Mappers", targets: ["Mappers"]),
    .library(name: "Compressors", targets: ["Compressors"]),
    .library(name: "SimrunKit", targets: ["SimrunKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .systemLibrary(name: "CBLASShim", path: "Sources/CBLASShim"),
    .target(
      name: "CrossbarSim",
      dependencies: [
        "CBLASShim",
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      // Workload/ONNX/Generated is generated from onnx.proto by generate.sh and committed (never on a build).
      exclude: ["Workload/ONNX/onnx.proto", "Workload/ONNX/generate.sh", "Workload/ONNX/split.py"]),
    .target(name: "Mappers", dependencies: ["CrossbarSim"]),
    .target(name: "Compressors", dependencies: ["CrossbarSim", "CBLASShim"]),
    // The run layer: a run's description, its execution, compare and sweep, and every output file. It has
    // no ArgumentParser, so commands can only parse, call it and print; scripts and the fuzzers link it.
    .target(
      name: "SimrunKit",
      dependencies: ["CrossbarSim", "Mappers", "Compressors", .product(name: "Yams", package: "Yams")],
      path: "Sources/simrun/SimrunKit"),
    .executableTarget(
      name: "simrun",
      dependencies: [
        "CrossbarSim", "Mappers", "Compressors", "SimrunKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["SimrunKit"]),
    // Seeded, shrinking property checks shared by the test targets (swift-property-based underneath).
    .target(name: "TestSupport", dependencies: [.product(name: "PropertyBased", package: "swift-property-based")],
            path: "Tests/TestSupport"),
    .testTarget(name: "CrossbarSimTests", dependencies: ["CrossbarSim", "Mappers", "TestSupport"], path: "Tests/CrossbarSimTests"),
    .testTarget(name: "MappersTests", dependencies: ["Mappers", "CrossbarSim", "TestSupport"], path: "Tests/MappersTests",
                exclude: ["Golden"]),
    .testTarget(name: "CompressorsTests", dependencies: ["Compressors", "Mappers", "CrossbarSim", "CBLASShim", "TestSupport",
                                                      .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                path: "Tests/CompressorsTests", exclude: ["Fixtures"]),
    .testTarget(name: "SimrunTests", dependencies: ["simrun", "SimrunKit", "CrossbarSim", "Compressors", "Mappers",
                                                  "TestSupport"],
                path: "Tests/SimrunTests"),
  ]
)
