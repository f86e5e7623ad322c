@testable import CrossbarSim
import Mappers

/// A small seeded generator (SplitMix64) so property tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

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
