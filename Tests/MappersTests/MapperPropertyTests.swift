import Testing
import TestSupport
import CrossbarSim
@testable import Mappers

/// A random conv layer on a random array, for one mapper.
struct MappingCase: Sendable, CustomStringConvertible {
  var network: Network
  var geometry: ArrayGeometry
  var mapper: String
  var conv: Convolution { if case .conv(let c) = network.layers[0].operation { return c } else { fatalError() } }
  var description: String {
    let l = network.layers[0], c = conv
    return "\(mapper): \(l.inputShape) -> \(c.outChannels) ch, \(c.kernelHeight)x\(c.kernelWidth) stride \(c.stride) "
      + "pad \(c.padding) groups \(c.groups) on \(geometry.rows)x\(geometry.columns), \(geometry.slicesPerWeight) slices"
      + (geometry.isDifferential ? " differential" : "")
  }

  /// Mappers with their own window choice (forced windows may legitimately not fit).
  static let mappers = ["im2col", "sdk", "vw-sdk", "vw-sdk:search=exhaustive", "auto", "auto:by=latency",
                        "im2col:groups=block-diagonal", "vw-sdk:groups=block-diagonal"]

  /// Parameters: H, W, IC, OC, K_h, K_w, stride, padding, groups pick, rows, columns, slices, differential, mapper.
  static let ranges: [ClosedRange<Int>] = [3...9, 3...9, 1...6, 1...7, 1...3, 1...3, 1...2, 0...1, 0...2,
                                          9...64, 8...40, 1...3, 0...1, 0...(mappers.count - 1)]

  static func make(_ p: [Int]) -> MappingCase? {
    let ic = p[2], oc = p[3]
    let common = (1...min(ic, oc)).filter { ic % $0 == 0 && oc % $0 == 0 }
    let groups = common[p[8] % common.count]
    var c = Convolution(outChannels: oc, kernel: p[4], stride: p[6], padding: p[7], groups: groups)
    c.kernelWidth = p[5]
    var b = NetworkBuilder(name: "case", input: TensorShape(ic, p[0], p[1]))
    guard (try? b.conv("conv", c)) != nil else { return nil }
    let g = ArrayGeometry(rows: p[9], columns: p[10], slicesPerWeight: p[11], isDifferential: p[12] == 1)
    guard g.weightsPerRow >= 1 else { return nil }
    return MappingCase(network: b.network, geometry: g, mapper: mappers[p[13]])
  }
}

@Suite("Mapper properties")
struct MapperPropertyTests {
  @Test("every mapper places every weight slice exactly once per output offset, within the array, and its windows cover the output map exactly")
  func placement() async throws {
    await forAll(seed: 101, count: 300, MappingCase.ranges, make: MappingCase.make) { m in
      let layer = m.network.layers[0], c = m.conv
      let layout = try MapperRegistry.mapper(kind: m.mapper).map(layer: 0, of: m.network, geometry: m.geometry)
      let icpg = layer.inputShape.channels / c.groups, ocpg = c.outChannels / c.groups
      var seen = Set<[Int]>(), duplicates = 0, useful = 0
      for x in layout.crossbars {
        #expect(x.rows.count <= m.geometry.rows && x.columns.count <= m.geometry.columns)
        var cells = 0
        for col in x.columns {
          for r in x.rows {
            // The tap of this cell, from the layout contract: ky = dy_row - dy_col * stride.
            let ky = Int(r.dy) - Int(col.dy) * c.stride, kx = Int(r.dx) - Int(col.dx) * c.stride
            guard (0..<c.kernelHeight).contains(ky), (0..<c.kernelWidth).contains(kx),
                  Int(r.channel) / icpg == Int(col.outChannel) / ocpg else { continue }
            cells += 1
            let key = [Int(col.outChannel), Int(r.channel), ky, kx, Int(col.slice), Int(col.sign), Int(col.dy), Int(col.dx)]
            if !seen.insert(key).inserted { duplicates += 1 }
          }
        }
        #expect(x.usefulCells == cells)
        useful += cells
      }
      let offsets = layout.outputsPerWindowY * layout.outputsPerWindowX
      #expect(duplicates == 0)
      #expect(seen.count == layer.parameters * m.geometry.columnsPerWeight * offsets)
      let out = layer.outputShape
      #expect(layout.windowsY * layout.outputsPerWindowY >= out.height && (layout.windowsY - 1) * layout.outputsPerWindowY < out.height)
      #expect(layout.windowsX * layout.outputsPerWindowX >= out.width && (layout.windowsX - 1) * layout.outputsPerWindowX < out.width)
      #expect(layout.activations == layout.windows * layout.crossbars.count)
      let capacity = Double(layout.crossbars.count * m.geometry.rows * m.geometry.columns)
      #expect(abs(layout.utilization(rows: m.geometry.rows, columns: m.geometry.columns) - Double(useful) / capacity) < 1e-12)
    }
  }

  @Test("every mapper's layout, executed bit by bit, equals the direct convolution")
  func functional() async throws {
    await forAll(seed: 202, count: 150, MappingCase.ranges, make: MappingCase.make) { m in
      let layer = m.network.layers[0]
      let layout = try MapperRegistry.mapper(kind: m.mapper).map(layer: 0, of: m.network, geometry: m.geometry)
      let bits = 2 * m.geometry.slicesPerWeight
      let model = BitSerialModel(inputBits: 3, dacBits: 1, weightBits: bits, cellBits: 2,
                                 adcBits: BitSerialModel.losslessADCBits(rows: m.geometry.rows, dacBits: 1, cellBits: 2),
                                 encoding: m.geometry.isDifferential ? .differential : .offset)
      var rng = SeededGenerator(seed: UInt64(layer.parameters * 7 + m.geometry.rows))
      let w = IntegerWeights((0..<layer.parameters).map { _ in Int.random(in: model.weightRange, using: &rng) })
      let x = (0..<layer.inputShape.elements).map { _ in Int.random(in: 0...7, using: &rng) }
      #expect(try FunctionalLayer.execute(layout: layout, network: m.network, weights: w, input: x, model: model)
              == FunctionalLayer.reference(layer: layer, weights: w, input: x))
    }
  }

  @Test("a fully connected layer is tiled into ceil(inputs / rows) x ceil(outputs / weights per row) crossbars")
  func fullyConnected() async throws {
    await forAll(seed: 303, count: 100, [1...300, 1...40, 8...64, 4...40, 1...3], make: { p -> (Network, ArrayGeometry)? in
      var b = NetworkBuilder(name: "fc", input: TensorShape(p[0], 1, 1))
      guard (try? b.fc("fc", p[1])) != nil else { return nil }
      let g = ArrayGeometry(rows: p[2], columns: p[3], slicesPerWeight: p[4])
      return g.weightsPerRow >= 1 ? (b.network, g) : nil
    }) { net, g in
      let l = try Im2colMapper().map(layer: 0, of: net, geometry: g)
      let rowTiles = (net.inputShape.elements + g.rows - 1) / g.rows, colTiles = (net.layers[0].weightColumns + g.weightsPerRow - 1) / g.weightsPerRow
      #expect(l.crossbars.count == rowTiles * colTiles)
      #expect(l.crossbars.allSatisfy { $0.rows.count <= g.rows && $0.columns.count <= g.weightsPerRow * g.columnsPerWeight })
      #expect(l.crossbars.reduce(0) { $0 + $1.usefulCells } == net.layers[0].parameters * g.columnsPerWeight)
    }
  }

  @Test("free-tile SDK never takes more computing cycles than the calculator's SDK or im2col")
  func freeTilesNoWorse() async throws {
    await forAll(seed: 405, count: 80, [3...12, 3...12, 1...80, 1...40, 1...3, 1...2, 9...128, 8...128, 1...4],
                 make: { p -> ConvDims? in
      let d = ConvDims(inputHeight: p[0], inputWidth: p[1], kernelHeight: p[4], kernelWidth: p[4], stride: p[5],
                       inChannels: p[2], outChannels: p[3])
      return d.kernelHeight <= d.inputHeight && d.kernelWidth <= d.inputWidth ? d : nil
    }) { d in
      let rows = 64, wpr = 32
      let free = WindowSearch.sdkFreeTiles(d, arrayRows: rows, weightsPerRow: wpr).computingCycles
      #expect(free <= WindowSearch.sdk(d, arrayRows: rows, weightsPerRow: wpr).computingCycles)
      #expect(free <= WindowSearch.im2col(d, arrayRows: rows, weightsPerRow: wpr).computingCycles)
    }
  }

  @Test("auto has the fewest computing cycles of any im2col, SDK or VW-SDK window; by=latency the fewest windows, then arrays")
  func autoCriteria() async throws {
    // Parameters: H, W, IC, OC, K, stride, rows, columns, slices.
    await forAll(seed: 404, count: 60, [3...10, 3...10, 1...16, 1...40, 1...3, 1...2, 9...64, 8...64, 1...4],
                 make: { p -> (Network, ArrayGeometry)? in
      var b = NetworkBuilder(name: "auto", input: TensorShape(p[2], p[0], p[1]))
      guard (try? b.conv("conv", Convolution(outChannels: p[3], kernel: p[4], stride: p[5]))) != nil else { return nil }
      let g = ArrayGeometry(rows: p[6], columns: p[7], slicesPerWeight: p[8])
      return g.weightsPerRow >= 1 ? (b.network, g) : nil
    }) { net, g in
      guard case .conv(let c) = net.layers[0].operation else { return }
      var all = [try Im2colMapper().map(layer: 0, of: net, geometry: g), try SDKMapper().map(layer: 0, of: net, geometry: g)]
      let h = net.inputShape.height, w = net.inputShape.width
      for j in 1..<max(2, w) where c.kernelWidth + j * c.stride <= w {
        for i in 1..<max(2, h) where c.kernelHeight + i * c.stride <= h {
          if let l = try? VWSDKMapper(options: ["window": "\(i)x\(j)"]).map(layer: 0, of: net, geometry: g) { all.append(l) }
        }
      }
      let cycles = try AutoMapper().map(layer: 0, of: net, geometry: g)
      let latency = try AutoMapper(options: ["by": "latency"]).map(layer: 0, of: net, geometry: g)
      #expect(cycles.computingCycles == all.map(\.computingCycles).min())
      let fewest = all.map(\.windows).min()!
      #expect(latency.windows == fewest)
      #expect(latency.crossbars.count == all.filter { $0.windows == fewest }.map(\.crossbars.count).min())
    }
  }
}
