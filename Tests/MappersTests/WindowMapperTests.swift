import Foundation
import Testing
import CrossbarSim
@testable import Mappers

@Suite("Window mappers (SDK, VW-SDK, auto)")
struct WindowMapperTests {
  /// The published VW-SDK table: 512x512 array, one column per weight, inputs already padded.
  static let published: [(Int, Int, Int, Int, Int, Int, Int)] = [
    (224, 3, 3, 64, 49284, 12321, 6216), (224, 3, 64, 64, 98568, 24642, 24642), (112, 3, 64, 128, 24200, 6050, 6050),
    (112, 3, 128, 128, 36300, 36300, 12100), (56, 3, 128, 256, 8748, 8748, 5832), (56, 3, 256, 256, 14580, 14580, 10206),
    (112, 7, 3, 64, 11236, 2809, 1431), (56, 3, 64, 64, 5832, 1458, 1458), (28, 3, 128, 128, 2028, 2028, 676),
    (14, 3, 256, 256, 720, 720, 504),
  ]
  static let oneBit = ArrayGeometry(rows: 512, columns: 512, slicesPerWeight: 1)

  @Test("the mapped layouts reproduce the published VW-SDK table exactly", arguments: published.indices)
  func publishedTable(i: Int) throws {
    let (size, k, ic, oc, im2col, sdk, vw) = Self.published[i]
    let net = try neurosimLayer(size, k, ic, oc)
    #expect(try Im2colMapper().map(layer: 0, of: net, geometry: Self.oneBit).computingCycles == im2col)
    #expect(try SDKMapper().map(layer: 0, of: net, geometry: Self.oneBit).computingCycles == sdk)
    #expect(try VWSDKMapper().map(layer: 0, of: net, geometry: Self.oneBit).computingCycles == vw)
  }

  static func golden() throws -> [[Int]] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/vwsdk-calculator.csv")
    return try String(contentsOf: path, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Int($0)! } }
  }

  @Test("computing cycles agree with the public calculator on 562 random layers and array sizes")
  func calculator() throws {
    let rows = try Self.golden()
    #expect(rows.count == 562)
    var mismatches: [String] = []
    for r in rows {
      let d = ConvDims(inputHeight: r[0], inputWidth: r[0], kernelHeight: r[1], kernelWidth: r[1], inChannels: r[2], outChannels: r[3])
      let g = ArrayGeometry(rows: r[4], columns: r[5], slicesPerWeight: 1)
      let got = [WindowSearch.im2col(d, arrayRows: g.rows, weightsPerRow: g.weightsPerRow).computingCycles,
                 try SDKMapper().choice(d, g, layer: "x").computingCycles,
                 try VWSDKMapper().choice(d, g, layer: "x").computingCycles]
      if got != Array(r[6...8]) { mismatches.append("\(r) -> \(got)") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
  }

  @Test("layouts hold exactly the counted activations on a sample of the calculator rows")
  func layoutsMatchCounts() throws {
    for r in try Self.golden().filter({ $0[0] <= 34 && $0[2] * $0[3] <= 64 * 128 }).prefix(25) {
      let net = try neurosimLayer(r[0], r[1], r[2], r[3])
      let g = ArrayGeometry(rows: r[4], columns: r[5], slicesPerWeight: 1)
      #expect(try SDKMapper().map(layer: 0, of: net, geometry: g).computingCycles == r[7])
      #expect(try VWSDKMapper().map(layer: 0, of: net, geometry: g).computingCycles == r[8])
    }
  }

  @Test("the exhaustive search is never worse than the calculator's and is sometimes better")
  func exhaustive() throws {
    var better = 0
    for r in try Self.golden() {
      let d = ConvDims(inputHeight: r[0], inputWidth: r[0], kernelHeight: r[1], kernelWidth: r[1], inChannels: r[2], outChannels: r[3])
      let g = ArrayGeometry(rows: r[4], columns: r[5], slicesPerWeight: 1)
      let calc = try VWSDKMapper().choice(d, g, layer: "x").computingCycles
      let full = try VWSDKMapper(search: .exhaustive).choice(d, g, layer: "x").computingCycles
      #expect(full <= calc)
      if full < calc { better += 1 }
    }
    #expect(better > 0)
  }

  static let functionalCases: [(TensorShape, Convolution)] = [
    (TensorShape(3, 7, 6), Convolution(outChannels: 5, kernel: 3, padding: 1)),
    (TensorShape(4, 9, 7), Convolution(outChannels: 6, kernel: 3, stride: 2, padding: 1)),
    (TensorShape(6, 6, 8), Convolution(outChannels: 4, kernel: 1)),
    (TensorShape(4, 8, 8), Convolution(outChannels: 6, kernel: 3, padding: 1, groups: 2)),
    (TensorShape(2, 9, 9), Convolution(outChannels: 3, kernel: 5, stride: 2, padding: 2)),
  ]

  @Test("every mapper's layout executed bit by bit equals the direct convolution",
        arguments: mapperSpecs, functionalCases.indices)
  func functional(spec: String, index: Int) throws {
    let (input, c) = Self.functionalCases[index]
    let net = try convNetwork(input: input, c)
    let g = ArrayGeometry(rows: 64, columns: 32, slicesPerWeight: 2)   // 4-bit weights on 2-bit cells: 16 per row
    let mapper = try MapperRegistry.mapper(kind: spec)
    let layout: LayerLayout
    do { layout = try mapper.map(layer: 0, of: net, geometry: g) } catch {
      #expect(spec.contains("window=") || spec.contains("n="), "\(error)")   // forced windows may not fit
      return
    }
    let model = BitSerialModel(inputBits: 4, dacBits: 1, weightBits: 4, cellBits: 2,
                               adcBits: BitSerialModel.losslessADCBits(rows: 64, dacBits: 1, cellBits: 2), encoding: .offset)
    var rng = SeededRNG(seed: UInt64(index * 31 + spec.count))
    let w = IntegerWeights((0..<net.layers[0].parameters).map { _ in Int.random(in: model.weightRange, using: &rng) })
    let x = (0..<input.elements).map { _ in Int.random(in: 0...15, using: &rng) }
    #expect(try FunctionalLayer.execute(layout: layout, network: net, weights: w, input: x, model: model)
            == FunctionalLayer.reference(layer: net.layers[0], weights: w, input: x))
  }

  @Test("every mapper places each weight slice once per output offset of its window", arguments: mapperSpecs)
  func placedOnce(spec: String) throws {
    let net = try convNetwork(input: TensorShape(6, 8, 8), Convolution(outChannels: 10, kernel: 3, padding: 1))
    let g = ArrayGeometry(rows: 128, columns: 64, slicesPerWeight: 4)
    let layout = try MapperRegistry.mapper(kind: spec).map(layer: 0, of: net, geometry: g)
    var seen = Set<[Int]>()
    var duplicates = 0
    for x in layout.crossbars {
      #expect(x.rows.count <= g.rows && x.columns.count <= g.columns)
      for c in x.columns {
        for r in x.rows {
          let ky = Int(r.dy) - Int(c.dy), kx = Int(r.dx) - Int(c.dx)
          guard (0..<3).contains(ky), (0..<3).contains(kx) else { continue }
          if !seen.insert([Int(c.outChannel), Int(r.channel), ky, kx, Int(c.slice), Int(c.dy), Int(c.dx)]).inserted { duplicates += 1 }
        }
      }
    }
    #expect(duplicates == 0)
    #expect(seen.count == net.layers[0].parameters * 4 * layout.outputsPerWindowY * layout.outputsPerWindowX)
  }

  @Test("auto picks the fewest computing cycles, or the fewest windows by latency, and says which")
  func auto() throws {
    let net = try neurosimLayer(28, 3, 128, 128)
    let g = Self.oneBit
    let byCycles = try AutoMapper().map(layer: 0, of: net, geometry: g)
    let cands = [try Im2colMapper().map(layer: 0, of: net, geometry: g), try SDKMapper().map(layer: 0, of: net, geometry: g),
                 try VWSDKMapper(search: .exhaustive).map(layer: 0, of: net, geometry: g)]
    #expect(byCycles.computingCycles == cands.map(\.computingCycles).min())
    #expect(byCycles.mapper.hasPrefix("auto/"))
    let byLatency = try AutoMapper(options: ["by": "latency"]).map(layer: 0, of: net, geometry: g)
    #expect(byLatency.windows <= cands.map(\.windows).min()!)
    #expect(byLatency.windows < byCycles.windows && byLatency.computingCycles >= byCycles.computingCycles)
  }

  @Test("no layer of any built-in workload maps to zero cycles", arguments: BuiltinWorkloads.all.map(\.name),
        ["im2col", "sdk", "vw-sdk", "auto"])
  func noZeroCycles(workload: String, spec: String) throws {
    let net = try BuiltinWorkloads.named(workload)
    let g = ArrayGeometry(rows: 128, columns: 128, slicesPerWeight: 4)
    let m = try MapperRegistry.mapper(kind: spec)
    for (i, l) in net.layers.enumerated() where l.operation.isMatrix {
      let layout = try m.map(layer: i, of: net, geometry: g)
      #expect(layout.computingCycles > 0, "\(l.name)")
      #expect(layout.windowsY * layout.outputsPerWindowY >= l.outputShape.height, "\(l.name)")
    }
  }

  @Test("bad input names the layer and the limit", arguments: [
    ("vw-sdk", 32, "needs 49 rows per input channel; the array has 32"),
    ("vw-sdk:window=40x2", 512, "is larger than the padded"),
    ("sdk:n=30", 512, "is larger than the padded"),
    ("sdk:n=2x3", 512, "must be square"),
    ("vw-sdk:search=lucky", 512, "search='lucky'"),
    ("vw-sdk:speed=1", 512, "unknown option 'speed'"),
    ("auto:by", 512, "is not key=value"),
  ])
  func badInput(spec: String, rows: Int, message: String) throws {
    let net = try neurosimLayer(32, 7, 3, 16)
    do {
      _ = try MapperRegistry.mapper(kind: spec).map(layer: 0, of: net, geometry: ArrayGeometry(rows: rows, columns: 512, slicesPerWeight: 1))
      Issue.record("accepted \(spec)")
    } catch {
      #expect("\(error)".contains(message), "\(error)")
      if !message.contains("option") && !message.contains("key=value") && !message.contains("search=") && !message.contains("square") {
        #expect("\(error)".contains("layer conv1"), "\(error)")
      }
    }
  }

  @Test("layers without weights are refused by name")
  func pool() throws {
    var b = NetworkBuilder(name: "p", input: TensorShape(4, 8, 8))
    try b.pool("pool", Pooling(.max, kernel: 2, stride: 2))
    for spec in ["im2col", "sdk", "vw-sdk", "auto"] {
      #expect(throws: InputError.self) { try MapperRegistry.mapper(kind: spec).map(layer: 0, of: b.network, geometry: Self.oneBit) }
    }
  }
}

@Suite("SDK with free tile counts")
struct FreeTileSDKTests {
  @Test("R of WRN-16-4's layer1.0.conv2 at rank 8, 2-bit weights: 1,152 computing cycles against the calculator's 5,120")
  func wrnFactor() throws {
    // 64 channels on a 32x32 map padded to 34x34, 3x3 kernel to 8 rank channels; 128x128 arrays, one
    // 2-bit cell per weight: 128 usable columns. im2col: 576 rows = 5 row tiles, 1,024 windows: 5,120.
    // The calculator keeps 5 row tiles, where no window wider than 3x3 fits (4x4 x 64 = 1,024 rows).
    // Free tiles, n = 4: a 6x6 window, 2,304 rows = 18 tiles, 16 x 8 = 128 columns = 1 tile,
    // ceil((34 - 6) / 4) + 1 = 8 windows a side: 64 x 18 = 1,152.
    let d = ConvDims(inputHeight: 34, inputWidth: 34, kernelHeight: 3, kernelWidth: 3, inChannels: 64, outChannels: 8)
    #expect(WindowSearch.sdk(d, arrayRows: 128, weightsPerRow: 128).computingCycles == 5120)
    let free = WindowSearch.sdkFreeTiles(d, arrayRows: 128, weightsPerRow: 128)
    #expect(free.computingCycles == 1152 && free.description == "6x6x64x8" && free.arrays == 18)
    // The same through the network and the lowrank mapper.
    var net = try BuiltinWorkloads.named("wrn16-4").factorized(try FactorizationPlan.parse("rank=8"))
    net.name = "wrn"
    let g = ArrayGeometry(rows: 128, columns: 128, slicesPerWeight: 1)
    let r = try #require(net.layers.firstIndex { $0.name == "layer1.0.conv2.R" })
    let calc = try LowRankMapper(options: ["base": "sdk"]).map(layer: r, of: net, geometry: g)
    let tuned = try LowRankMapper(options: ["base": "sdk-free"]).map(layer: r, of: net, geometry: g)
    #expect(calc.computingCycles == 5120 && tuned.computingCycles == 1152)
  }
}
