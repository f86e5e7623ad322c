import Testing
import CrossbarSim
import Mappers
@testable import Compressors

@Suite("LAPACK wrapper")
struct LAPACKTests {
  @Test("the thin SVD reconstructs the matrix with descending singular values")
  func reconstructs() throws {
    var rng = SeededRNG(seed: 2)
    let m = 7, n = 12
    let a = (0..<(m * n)).map { _ in Float.random(in: -1...1, using: &rng) }
    let d = try LAPACK.svd(a, m: m, n: n, what: "test")
    #expect(d.k == 7)
    #expect(zip(d.s, d.s.dropFirst()).allSatisfy { $0 >= $1 })
    var us = d.u
    for r in 0..<m { for c in 0..<d.k { us[r * d.k + c] *= d.s[c] } }
    let back = LAPACK.gemm(us, d.vt, m: m, k: d.k, n: n)
    #expect(zip(a, back).allSatisfy { abs($0 - $1) < 1e-4 })
    #expect(try LAPACK.singularValues(a, m: m, n: n, what: "test").enumerated().allSatisfy { abs($0.element - d.s[$0.offset]) < 1e-4 })
  }

  @Test("LAPACK failures become errors naming the matrix")
  func nan() {
    do {
      _ = try LAPACK.svd([.nan, 1, 2, 3], m: 2, n: 2, what: "layer x group 0")
      Issue.record("accepted NaN")
    } catch { #expect("\(error)".contains("layer x group 0"), "\(error)") }
  }
}

@Suite("Synthetic weights")
struct SyntheticWeightsTests {
  @Test("are seeded, He-scaled and have a decaying spectrum")
  func spectrum() throws {
    let net = try BuiltinWorkloads.named("resnet20")
    let a = try SyntheticWeights(seed: 4).generate(for: net), b = try SyntheticWeights(seed: 4).generate(for: net)
    #expect(a == b)
    #expect(a != (try SyntheticWeights(seed: 5).generate(for: net)))
    let i = net.layers.firstIndex { $0.name == "layer3.1.conv1" }!
    let w = a.layers[i]!
    let rms = w.norm / Double(w.values.count).squareRoot()
    #expect(abs(rms - (2.0 / Double(w.inputs)).squareRoot()) / rms < 1e-3)
    let s = try LAPACK.singularValues(w.values, m: w.outputs, n: w.inputs, what: "w")
    #expect(s[10] < 0.6 * s[0] && s[40] < 0.4 * s[0])
    #expect(s[63] > 0)
  }
}

@Suite("Low-rank compression")
struct LowRankTests {
  /// Relative error of layer `name` after low-rank with `options`.
  func error(_ model: CompressedModel, _ name: String, _ options: String) throws -> Double {
    let (_, records) = try compressor("lowrank:layers=\(name),\(options)").compress(model, context: isaacContext)
    return records[0].relativeError
  }

  @Test("reconstruction error never grows with rank and reaches 0 at full rank")
  func monotone() throws {
    let model = try resnet20Model()
    var last = Double.infinity
    for r in [1, 2, 4, 8, 16, 24, 32, 48, 63, 64] {
      let e = try error(model, "layer3.0.conv1", "rank=\(r)")
      #expect(e <= last + 1e-12)
      last = e
    }
    #expect(last < 1e-6)
  }

  @Test("a rank at or above the break-even rank m n / (m + n) leaves the layer dense, with a record saying so")
  func breakEven() throws {
    // layer1.0.conv1: 16 outputs x 144 inputs; break-even 16 x 144 / 160 = 14.4. Rank 14 gives a pair
    // of 14 x 160 = 2,240 weights (< 2,304); rank 15 would hold 2,400.
    let model = try resnet20Model()
    let (m14, r14) = try compressor("lowrank:rank=14,layers=layer1.0.conv1").compress(model, context: isaacContext)
    #expect(m14.network.layers.contains { $0.name == "layer1.0.conv1.R" })
    #expect(abs(r14[0].keptRatio - 2240.0 / 2304) < 1e-12 && r14[0].note.isEmpty)
    let (m15, r15) = try compressor("lowrank:rank=15,layers=layer1.0.conv1").compress(model, context: isaacContext)
    #expect(m15.network.layers.map(\.name) == model.network.layers.map(\.name))
    #expect(m15.weights.layers == model.weights.layers)
    #expect(r15[0].keptRatio == 1 && r15[0].note == "left dense: rank 15 >= break-even 14.4")
  }

  @Test("fully connected layers factor into two FC layers when named")
  func fullyConnected() throws {
    let (m, records) = try compressor("lowrank:rank=3,layers=fc").compress(try resnet20Model(), context: isaacContext)
    #expect(m.network.layers.suffix(2).map(\.name) == ["fc.R", "fc.L"])
    #expect(records[0].rank == 3 && records[0].relativeError > 0)
    _ = try Simulation.run(network: m.network, spec: .isaac8bit, mapper: Im2colMapper())
  }

  @Test("the factors multiply back to the reported error, and map to pairs the engine runs")
  func factors() throws {
    let model = try resnet20Model()
    let (m, records) = try compressor("lowrank:rank=6,layers=layer2.1.conv2").compress(model, context: isaacContext)
    let r = m.network.layers.firstIndex { $0.name == "layer2.1.conv2.R" }!
    let l = r + 1
    let R = m.weights.layers[r]!, L = m.weights.layers[l]!
    #expect(R.outputs == 6 && L.inputs == 6)
    let product = LAPACK.gemm(L.values, R.values, m: L.outputs, k: 6, n: R.inputs)
    let original = model.weights.layers[model.network.layers.firstIndex { $0.name == "layer2.1.conv2" }!]!
    var num = 0.0
    for k in product.indices { let d = Double(product[k]) - Double(original.values[k]); num += d * d }
    #expect(abs(num.squareRoot() / original.norm - records[0].relativeError) < 1e-4)
    _ = try Simulation.run(network: m.network, spec: .isaac8bit, mapper: Im2colMapper())
  }

  @Test("Theorem 1: group low-rank error never exceeds plain low-rank when every group keeps rank >= r",
        arguments: [UInt64(1), 2, 3, 4, 5], [2, 4])
  func theorem1(seed: UInt64, groups: Int) throws {
    // Synthetic-trained weights and unstructured random ones.
    let trained = try resnet20Model(seed: seed)
    var random = trained
    var rng = SeededRNG(seed: seed)
    for i in random.weights.layers.indices { if var w = random.weights.layers[i] { w.values = w.values.map { _ in Float.random(in: -1...1, using: &rng) }; random.weights.layers[i] = w } }
    for model in [trained, random] {
      for layer in ["layer2.0.conv2", "layer3.1.conv1"] {
        for r in [1, 3, 8, 16] {
          let plain = try error(model, layer, "rank=\(r)")
          for extra in [0, 2] {
            let grouped = try error(model, layer, "rank=\(r + extra),groups=\(groups)")
            #expect(grouped <= plain * (1 + 1e-5) + 1e-7, "seed \(seed) \(layer) r=\(r) g=\(groups): \(grouped) > \(plain)")
          }
        }
      }
    }
  }

  @Test("an energy fraction f keeps the error below sqrt(1 - f)", arguments: [0.5, 0.8, 0.95])
  func energy(f: Double) throws {
    let (_, records) = try compressor("lowrank:energy=\(f)").compress(try resnet20Model(), context: isaacContext)
    #expect(records.count == 18)
    for r in records { #expect(r.relativeError <= (1 - f).squareRoot() + 1e-6, "\(r.layer)") }
  }

  @Test("budgets choose ranks that end at or below the parameter or crossbar count", arguments: ["params=120000", "crossbars=88"])
  func budget(option: String) throws {
    let model = try resnet20Model()
    let (m, _) = try compressor("lowrank:\(option)").compress(model, context: isaacContext)
    if option.hasPrefix("params") { #expect(m.keptParameters <= 120_000) } else {
      #expect(try m.layout(mapper: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit)).crossbars <= 88)
    }
    #expect(m.keptParameters < model.keptParameters)
  }

  @Test("under VW-SDK fewer ranks can take more crossbars; a crossbar budget still finds the setting that fits")
  func nonMonotoneBudget() throws {
    let model = try resnet20Model()
    let mapper = try MapperRegistry.mapper(kind: "lowrank", options: ["base": "vw-sdk"])
    let context = CompressionContext(geometry: ArrayGeometry(.isaac8bit), weightBits: 8, mapper: mapper)
    func crossbars(_ m: CompressedModel) throws -> Int { try m.layout(mapper: mapper, geometry: context.geometry).crossbars }
    // Rank 1 everywhere takes more crossbars than rank 8: a bisection from the strongest setting gave up.
    let r1 = try crossbars(compressor("lowrank:rank=1").compress(model, context: context).0)
    let r8 = try crossbars(compressor("lowrank:rank=8").compress(model, context: context).0)
    #expect(r1 > 110 && r8 <= 110, "rank 1: \(r1), rank 8: \(r8)")
    let (m, _) = try compressor("lowrank:crossbars=110").compress(model, context: context)
    #expect(try crossbars(m) <= 110)
  }

  @Test("bad ranks, groups and options name the layer and the value", arguments: [
    ("lowrank:rank=0", "option rank='0' must be an integer in 1..."),
    ("lowrank:rank=200,layers=layer1.0.conv1", "rank=200 exceeds min(m, n) = 16 of layer layer1.0.conv1"),
    ("lowrank:rank=2,groups=3", "groups=3 do not divide the 16 input channels of layer layer1.0.conv1"),
    ("lowrank:rank=2,energy=0.5", "exactly one of"),
    ("lowrank:energy=1.5", "energy='1.5' must be a number in (0.0, 1.0]"),
    ("lowrank:rank=2,groups=2,layers=fc", "layer fc cannot be compressed: a fully connected layer has no channel groups"),
    ("lowrank:rank=2,layers=nope", "no layer named 'nope'"),
    ("lowrank:rank=2,colour=red", "unknown option 'colour'"),
    ("lowrank:params=10", "no setting meets the budget of 10 parameters; the fewest any of 65 settings leaves is"),
  ])
  func badInput(spec: String, message: String) throws {
    let model = try resnet20Model()
    do {
      _ = try compressor(spec).compress(model, context: isaacContext)
      Issue.record("accepted \(spec)")
    } catch { #expect("\(error)".contains(message), "\(error)") }
  }
}
