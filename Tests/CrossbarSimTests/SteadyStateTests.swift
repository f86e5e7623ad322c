import Testing
@testable import CrossbarSim
import Mappers

/// When images/s is a steady-state throughput, and what limits it.
@Suite("Steady state")
struct SteadyStateTests {
  func run(images: Int) throws -> SimulationResult {
    var b = NetworkBuilder(name: "three", input: TensorShape(8, 10, 10))
    try b.conv("a", Convolution(outChannels: 16, kernel: 3))
    try b.conv("b", Convolution(outChannels: 16, kernel: 1))
    try b.conv("c", Convolution(outChannels: 16, kernel: 1))
    return try Simulation.run(network: b.network, spec: tinySpec(tiles: 4), mapper: Im2colMapper(),
                              options: SimulationOptions(images: images))
  }

  @Test("images/s is steady once the first half of the images covers the pipeline's depth")
  func depth() throws {
    let long = try run(images: 16)
    // Depth: the first image's latency over the steady interval, rounded up.
    let depth = Int((long.firstImageLatencyNs / long.initiationIntervalNs).rounded(.up))
    #expect(long.pipelineDepth == depth && depth >= 2)
    #expect(long.isSteadyState)
    let short = try run(images: 2)
    #expect(!short.isSteadyState)
    #expect(try !run(images: 1).isSteadyState)
    // Three layers of 64 windows, one crossbar each, 8 bits x 128 cycles a window: the arrays pace
    // the pipeline, each busy almost all the time.
    let limit = try #require(long.limitedBy)
    #expect(limit.what.hasSuffix(" crossbars") && limit.utilization > 0.9)
  }
}
