import Testing
@testable import CrossbarSim

@Suite("ResourceSet")
struct ResourceSetTests {
  /// isaac-8bit on 4 tiles, 2 tiles per router (2 routers), with ADCs shared by pairs of crossbars.
  static func spec() throws -> ArchSpec {
    try ArchSpec.load("isaac-8bit", overrides: ["chip.tiles=4", "chip.tilesPerRouter=2", "ima.adc.crossbarsPerADC=2",
                                                 "ima.adc.countPerCrossbar=1"])
  }

  @Test("every kind is counted per tile, router or chip as the spec says", arguments: ResourceKind.allCases)
  func counts(_ kind: ResourceKind) throws {
    let spec = try Self.spec(), set = ResourceSet(spec: spec, routers: 2)
    let expected: [ResourceKind: Int] = [.buffer: 4, .shiftAdd: 4, .maxPool: 4, .sigmoid: 4, .multiplier: 4,
                                         .link: 2 * 5, .offChip: 1,
                                         .sharedADC: 4 * spec.tile.imas * spec.ima.crossbars / 2]
    #expect(set.count(kind) == expected[kind])
    #expect(ResourceSet(spec: .isaac8bit, routers: 42).count(.sharedADC) == 0)   // each crossbar its own ADCs: no shared ones
  }

  @Test("every instance has its own stats path and, when traced, its own trace thread", arguments: ResourceKind.allCases)
  func names(_ kind: ResourceKind) throws {
    var set = ResourceSet(spec: try Self.spec(), routers: 2)
    for i in 0..<set.count(kind) { _ = set.reserve(kind, i, at: Cycle(UInt64(i)), for: Cycles(3)) }
    let stats = set.stats(tileUnits: { _ in [] }, peakBytes: { _ in 0 })   // only this kind served requests
    #expect(stats.count == set.count(kind) && Set(stats.map(\.path)).count == stats.count)
    #expect(stats.allSatisfy { $0.server.busy == Cycles(3) && $0.server.requests == 1 })
    let tracks = (0..<set.count(kind)).compactMap { set.track(kind, $0) }
    #expect(tracks.isEmpty == (kind == .sharedADC))
    #expect(Set(tracks.map { "\($0.process)/\($0.thread)" }).count == tracks.count)
  }

  @Test("stats list tiles in order, each with its units first, then routers, then the chip; unused servers are left out")
  func order() throws {
    var set = ResourceSet(spec: try Self.spec(), routers: 2)
    _ = set.reserve(.offChip, 0, at: .zero, for: Cycles(1))
    _ = set.reserve(.link, 7, at: .zero, for: Cycles(1))        // router 1, north
    _ = set.reserve(.maxPool, 2, at: .zero, for: Cycles(1))
    _ = set.reserve(.buffer, 2, at: .zero, for: Cycles(1))
    _ = set.reserve(.sharedADC, 1, at: .zero, for: Cycles(1))   // tile 0's second shared ADC
    let paths = set.stats(tileUnits: { t in t == 2 ? [ResourceStats(path: "tile2.crossbars", server: Server())] : [] },
                          peakBytes: { $0 * 100 }).map(\.path)
    #expect(paths == ["tile0.adc1", "tile2.crossbars", "tile2.buffer", "tile2.maxPool", "router1.north", "chip.offChip"])
  }
}
