import Testing
import CrossbarSim
@testable import Mappers

@Suite("Low-rank pairs")
struct LowRankMappingTests {
  /// Weight value held at (row, column) of a crossbar, or nil for a structural zero.
  static func cell(_ r: RowSource, _ c: ColumnSink, weights: [Int], layer: Layer) -> Int? {
    guard case .conv(let conv) = layer.operation else { return nil }
    let icpg = layer.inputShape.channels / conv.groups, ocpg = conv.outChannels / conv.groups
    let o = Int(c.outChannel), ch = Int(r.channel)
    guard ch / icpg == o / ocpg else { return nil }
    let ky = Int(r.dy) - Int(c.dy) * conv.stride, kx = Int(r.dx) - Int(c.dx) * conv.stride
    guard (0..<conv.kernelHeight).contains(ky), (0..<conv.kernelWidth).contains(kx) else { return nil }
    return weights[((o * icpg + ch % icpg) * conv.kernelHeight + ky) * conv.kernelWidth + kx]
  }

  /// Dense `W = L R` weights `[OC][IC][K][K]` of a (grouped) factor pair.
  static func product(l: [Int], r: [Int], oc: Int, ic: Int, k: Int, rank: Int, groups: Int) -> [Int] {
    let icpg = ic / groups, mid = rank * groups
    var w = [Int](repeating: 0, count: oc * ic * k * k)
    for o in 0..<oc { for c in 0..<ic { for t in 0..<(k * k) {
      var s = 0
      for m in 0..<mid where m / rank == c / icpg { s += l[o * mid + m] * r[(m * icpg + c % icpg) * k * k + t] }
      w[(o * ic + c) * k * k + t] = s
    } } }
    return w
  }

  @Test("Theorem 2: the SDK layout of W = L R equals (I_N (x) L) applied to the SDK layout of R, up to output order",
        arguments: [1, 2, 3])
  func theorem2(n: Int) throws {
    let ic = 3, oc = 4, rank = 2, k = 3
    let dense = try convNetwork(input: TensorShape(ic, 8, 8), Convolution(outChannels: oc, kernel: k))
    let pair = try dense.factorized(FactorizationPlan(rank: rank))
    #expect(pair.layers.map(\.name) == ["conv.R", "conv.L"])
    var rng = SeededRNG(seed: UInt64(n))
    let r = (0..<(rank * ic * k * k)).map { _ in Int.random(in: -4...4, using: &rng) }
    let l = (0..<(oc * rank)).map { _ in Int.random(in: -4...4, using: &rng) }
    let w = Self.product(l: l, r: r, oc: oc, ic: ic, k: k, rank: rank, groups: 1)
    let g = ArrayGeometry(rows: 512, columns: 512, slicesPerWeight: 1)
    let sdk = try SDKMapper(options: ["n": "\(n)"])
    let lw = try sdk.map(layer: 0, of: dense, geometry: g), lr = try sdk.map(layer: 0, of: pair, geometry: g)
    #expect(lw.crossbars.count == 1 && lr.crossbars.count == 1)
    #expect(lw.crossbars[0].rows == lr.crossbars[0].rows)   // the same parallel window drives both
    let xw = lw.crossbars[0], xr = lr.crossbars[0]
    // Column of R for (rank channel m, output offset t); D reorders W's columns to (t, o).
    var rColumn: [[Int]: Int] = [:]
    for (ci, c) in xr.columns.enumerated() { rColumn[[Int(c.outChannel), Int(c.dy), Int(c.dx)]] = ci }
    for c in xw.columns {
      for row in xw.rows {
        let lhs = Self.cell(row, c, weights: w, layer: dense.layers[0]) ?? 0
        var rhs = 0
        for m in 0..<rank {
          let cr = xr.columns[rColumn[[m, Int(c.dy), Int(c.dx)]]!]
          rhs += l[Int(c.outChannel) * rank + m] * (Self.cell(row, cr, weights: r, layer: pair.layers[0]) ?? 0)
        }
        #expect(lhs == rhs)
      }
    }
  }

  @Test("the mapped pair reproduces the dense convolution by L R exactly",
        arguments: [(1, "block-diagonal", "independent"), (1, "smaller", "tied"), (2, "block-diagonal", "independent"),
                    (2, "per-group", "tied")], ["sdk", "vw-sdk", "auto", "im2col"])
  func pairReproducesDense(config: (groups: Int, layout: String, l: String), base: String) throws {
    let ic = 4, oc = 6, rank = 2, k = 3
    let dense = try convNetwork(input: TensorShape(ic, 7, 6), Convolution(outChannels: oc, kernel: k, stride: 1, padding: 1))
    let pair = try dense.factorized(FactorizationPlan(rank: rank, groups: config.groups))
    var rng = SeededRNG(seed: UInt64(config.groups * 7 + base.count))
    let r = (0..<pair.layers[0].parameters).map { _ in Int.random(in: -8...7, using: &rng) }
    let l = (0..<pair.layers[1].parameters).map { _ in Int.random(in: -8...7, using: &rng) }
    let x = (0..<dense.inputShape.elements).map { _ in Int.random(in: 0...15, using: &rng) }
    let g = ArrayGeometry(rows: 64, columns: 64, slicesPerWeight: 2)
    let mapper = try LowRankMapper(options: ["base": base, "groups": config.layout, "l": config.l])
    let lr = try mapper.map(layer: 0, of: pair, geometry: g), ll = try mapper.map(layer: 1, of: pair, geometry: g)
    #expect(lr.note.hasPrefix("R of conv") && ll.note.hasPrefix("L of conv"))
    if config.l == "tied" {
      // I_N (x) L: L's windows are R's, and each array holds L once per output position of the window.
      #expect(ll.outputsPerWindowY == lr.outputsPerWindowY && ll.outputsPerWindowX == lr.outputsPerWindowX)
      #expect(ll.windowsY == lr.windowsY && ll.windowsX == lr.windowsX)
      #expect(ll.note.contains("tied to R's \(lr.outputsPerWindowY)x\(lr.outputsPerWindowX) outputs per window"), "\(ll.note)")
    } else {
      #expect(ll.note.contains("own window"))
    }
    if config.groups > 1 { #expect(lr.note.contains(config.layout)) }
    let rModel = BitSerialModel(inputBits: 4, dacBits: 1, weightBits: 4, cellBits: 2, adcBits: 16, encoding: .offset)
    let mid = try FunctionalLayer.execute(layout: lr, network: pair, weights: IntegerWeights(r), input: x, model: rModel)
    let lModel = BitSerialModel(inputBits: 14, dacBits: 1, weightBits: 4, cellBits: 2, adcBits: 16, encoding: .offset,
                                isSignedInput: true)
    let out = try FunctionalLayer.execute(layout: ll, network: pair, weights: IntegerWeights(l), input: mid, model: lModel)
    let w = Self.product(l: l, r: r, oc: oc, ic: ic, k: k, rank: rank, groups: config.groups)
    #expect(out == FunctionalLayer.reference(layer: dense.layers[0], weights: IntegerWeights(w), input: x))
  }

  @Test("block-diagonal grouped R needs no more arrays than per-group, and both say which layout they are")
  func groupLayouts() throws {
    let pair = try (try BuiltinWorkloads.named("resnet20")).factorized(FactorizationPlan(rank: 4, groups: 4))
    let g = ArrayGeometry(rows: 128, columns: 128, slicesPerWeight: 4)
    let i = pair.layers.firstIndex { $0.name == "layer3.0.conv2.R" }!
    let block = try LowRankMapper(options: ["groups": "block-diagonal", "base": "im2col"]).map(layer: i, of: pair, geometry: g)
    let per = try LowRankMapper(options: ["groups": "per-group", "base": "im2col"]).map(layer: i, of: pair, geometry: g)
    #expect(block.crossbars.count <= per.crossbars.count)
    #expect(block.note.contains("block-diagonal") && per.note.contains("per-group"))
  }

  @Test("factorization plans check rank and groups, and leave layers they cannot split dense")
  func plans() throws {
    let net = try BuiltinWorkloads.named("resnet20")
    #expect(throws: InputError.self) { try net.factorized(FactorizationPlan(rank: 0)) }
    #expect(throws: InputError.self) { try FactorizationPlan.parse("groups=2") }
    #expect(throws: InputError.self) { try FactorizationPlan.parse("rank=x") }
    #expect(throws: InputError.self) { try FactorizationPlan.parse("rank=2,colour=red") }
    let (n, skipped) = try net.factorizedReporting(FactorizationPlan(rank: 4, groups: 2))
    #expect(skipped.contains { $0.hasPrefix("conv1 (groups 2 do not divide its 3 input channels)") })
    #expect(n.layers.count == net.layers.count + 18)   // 18 3x3 convs of the stages become pairs
    #expect(n.parameters < net.parameters)
  }
}

@Suite("Engine agreement with computing cycles")
struct EngineAgreementTests {
  @Test("one array reused for every tile takes CC x input cycles x read cycle; separate arrays are faster",
        arguments: ["im2col", "sdk", "vw-sdk"])
  func agreement(spec: String) throws {
    let net = try neurosimLayer(10, 3, 64, 64)
    let arch = ArchSpec.isaac8bit
    let mapper = try MapperRegistry.mapper(kind: spec)
    let one = try Simulation.run(network: net, spec: arch, mapper: mapper, options: SimulationOptions(singleArrayPerLayer: true))
    let many = try Simulation.run(network: net, spec: arch, mapper: mapper)
    let l1 = one.layers[0], lm = many.layers[0]
    #expect(l1.crossbars > 1)
    #expect(l1.arrayCycles == l1.analyticCycles)
    #expect(l1.analyticCycles.count == UInt64(l1.computingCycles * 8 * 128))
    #expect(lm.cycles < lm.analyticCycles)
    #expect(lm.analyticCycles == l1.analyticCycles)
  }

  @Test("by default the lowrank mapper lays a grouped R out block-diagonally, as documented")
  func defaultGroupLayout() throws {
    let dense = try convNetwork(input: TensorShape(8, 6, 6), Convolution(outChannels: 8, kernel: 3, padding: 1))
    let pair = try dense.factorized(FactorizationPlan(rank: 2, groups: 2))
    let g = ArrayGeometry(rows: 128, columns: 128, slicesPerWeight: 4)
    for mapper in [LowRankMapper(), try MapperRegistry.mapper(kind: "lowrank")] {
      let l = try mapper.map(layer: 0, of: pair, geometry: g)
      #expect(l.note.contains("block-diagonal"))
      #expect(l.crossbars.count == (try LowRankMapper(options: ["groups": "block-diagonal"]).map(layer: 0, of: pair, geometry: g)).crossbars.count)
    }
    #expect(try LowRankMapper(options: ["groups": "per-group"]).map(layer: 0, of: pair, geometry: g).note.contains("per-group"))
  }
}
