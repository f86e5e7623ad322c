import Foundation
import CrossbarSim
import Mappers
@testable import Compressors

/// The package root, for committed fixtures.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

typealias SeededRNG = SeededGenerator

/// The isaac-8bit geometry with the im2col mapper.
let isaacContext = CompressionContext(geometry: ArrayGeometry(.isaac8bit), weightBits: 8, mapper: Im2colMapper())

/// resnet20 with seeded synthetic weights (seeds 1-5 generated once per test process).
func resnet20Model(seed: UInt64 = 1) throws -> CompressedModel {
  if let m = cachedResnet20[seed] { return m }
  return try makeResnet20(seed: seed)
}

private func makeResnet20(seed: UInt64) throws -> CompressedModel {
  let net = try BuiltinWorkloads.named("resnet20")
  return try CompressedModel(network: net, weights: SyntheticWeights(seed: seed).generate(for: net))
}

private let cachedResnet20: [UInt64: CompressedModel] = Dictionary(uniqueKeysWithValues: (1...5).map { ($0, try! makeResnet20(seed: $0)) })

/// A model of one conv layer with seeded weights.
func convModel(input: TensorShape, _ c: Convolution, seed: UInt64 = 3) throws -> CompressedModel {
  var b = NetworkBuilder(name: "one", input: input)
  try b.conv("conv", c)
  return try CompressedModel(network: b.network, weights: SyntheticWeights(seed: seed).generate(for: b.network))
}

func compressor(_ spec: String) throws -> any Compressor { try CompressorRegistry.compressor(spec) }
