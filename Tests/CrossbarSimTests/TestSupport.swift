@testable import CrossbarSim
import Mappers

typealias SeededRNG = SeededGenerator

/// A spec for small, fast engine benches: `tiles` tiles of one IMA with `crossbars` crossbars.
func tinySpec(tiles: Int = 1, crossbars: Int = 8, _ edit: (inout ArchSpec) -> Void = { _ in }) -> ArchSpec {
  var s = ArchSpec.isaac8bit
  s.name = "tiny"
  s.chip.tiles = tiles
  s.tile.imas = 1
  s.ima.crossbars = crossbars
  edit(&s)
  return s
}

/// A network of one conv layer.
func convNetwork(input: TensorShape, _ c: Convolution) throws -> Network {
  var b = NetworkBuilder(name: "one-conv", input: input)
  try b.conv("conv", c)
  return b.network
}
