import CrossbarSim
@testable import Mappers

typealias SeededRNG = SeededGenerator

/// A one-conv network.
func convNetwork(input: TensorShape, _ c: Convolution) throws -> Network {
  var b = NetworkBuilder(name: "one-conv", input: input)
  try b.conv("conv", c)
  return b.network
}

/// A one-layer network from a NeuroSim row (already-padded input, stride 1).
func neurosimLayer(_ size: Int, _ k: Int, _ ic: Int, _ oc: Int) throws -> Network {
  try NeuroSimImporter.parse("\(size),\(size),\(ic),\(k),\(k),\(oc),0,1\n", source: "row", name: "row")
}

/// Every mapper kind, default options, plus the non-default options worth covering.
let mapperSpecs = ["im2col", "sdk", "vw-sdk", "vw-sdk:search=exhaustive", "auto", "auto:by=latency", "lowrank",
                   "im2col:groups=block-diagonal", "sdk:n=2", "vw-sdk:window=2x3"]
