import Testing
import TestSupport
import CrossbarSim
import Mappers
@testable import Compressors

/// A pruned random conv layer, laid out by one mapper on a random (often non-square) array.
struct PrunedCase: Sendable, CustomStringConvertible {
  var base: LayerCase
  var pruner: String
  var mapper: String
  var geometry: ArrayGeometry
  var description: String { "\(base) \(pruner) \(mapper) on \(geometry.rows)x\(geometry.columns)/\(geometry.slicesPerWeight)" }

  static let pruners = ["prune-rows:ratio=0.5", "prune-columns:ratio=0.4", "prune-pattern:taps=3", "prune-crossbar:ratio=0.5",
                        "prune-rows:ratio=0.8", "prune-columns:ratio=0.75"]
  static let mappers = ["im2col", "sdk", "vw-sdk"]
  /// LayerCase parameters, then pruner, mapper, array rows, columns, slices.
  static let ranges = LayerCase.ranges([0...(pruners.count - 1), 0...2, 16...80, 8...64, 1...4])

  static func make(_ p: [Int]) -> PrunedCase? {
    guard let c = LayerCase.make(p) else { return nil }
    let g = ArrayGeometry(rows: c.extra[2], columns: c.extra[3], slicesPerWeight: c.extra[4])
    guard g.weightsPerRow >= 1 else { return nil }
    let pruner = pruners[c.extra[0]]
    if pruner.hasPrefix("prune-pattern"), case .conv(let k) = c.layer.operation, k.kernelHeight * k.kernelWidth < 4 { return nil }
    return PrunedCase(base: c, pruner: pruner, mapper: mappers[c.extra[1]], geometry: g)
  }
}

@Suite("Layout refinement")
struct LayoutRefinementTests {
  @Test("a pruned layout holds every kept weight exactly once per output offset, fits the array, packs compacted rows and columns densely, and marks exactly the columns with no live cell")
  func refined() async throws {
    await forAll(seed: 21, count: 120, PrunedCase.ranges, make: PrunedCase.make) { p in
      let mapper = try MapperRegistry.mapper(kind: p.mapper)
      let ctx = CompressionContext(geometry: p.geometry, weightBits: 2 * p.geometry.slicesPerWeight, mapper: mapper)
      let (m, _) = try compressor(p.pruner).compress(p.base.model, context: ctx)
      let layout = try m.layout(mapper: mapper, geometry: p.geometry).layouts[0]!
      let layer = m.network.layers[0], keep = m.layers[0].keep!
      guard case .conv(let c) = layer.operation else { return }
      let icpg = layer.inputShape.channels / c.groups
      func weight(_ r: RowSource, _ col: ColumnSink) -> Int? {
        let ky = Int(r.dy) - Int(col.dy) * c.stride, kx = Int(r.dx) - Int(col.dx) * c.stride
        guard (0..<c.kernelHeight).contains(ky), (0..<c.kernelWidth).contains(kx) else { return nil }
        return ((Int(col.outChannel) * icpg + Int(r.channel) % icpg) * c.kernelHeight + ky) * c.kernelWidth + kx
      }
      var placed: [Int: Int] = [:]
      for x in layout.crossbars {
        #expect(x.rows.count <= p.geometry.rows && x.columns.count <= p.geometry.columns)
        var zero = 0, useful = 0
        for col in x.columns {
          var live = 0
          for r in x.rows {
            guard let i = weight(r, col), keep[i] else { continue }
            live += 1
            if col.slice == 0 && col.dy == 0 && col.dx == 0 { placed[i, default: 0] += 1 }
          }
          useful += live
          if live == 0 { zero += 1 }
        }
        #expect(x.zeroColumns == zero && x.usefulCells == useful)
      }
      let kept = keep.indices.filter { keep[$0] }
      #expect(placed.count == kept.count && placed.values.allSatisfy { $0 == 1 }, "kept weights placed \(placed.count) of \(kept.count)")
      // Compaction is dense: each group of crossbars sharing columns (rows pruning) or rows
      // (columns pruning) is as few arrays as its survivors need.
      if p.pruner.hasPrefix("prune-rows"), p.mapper == "im2col" {
        for group in Set(layout.crossbars.map(\.outputGroup)) {
          let xs = layout.crossbars.filter { $0.outputGroup == group }
          let rows = xs.reduce(0) { $0 + $1.rows.count }
          #expect(xs.count == (rows + p.geometry.rows - 1) / p.geometry.rows)
        }
      }
      if p.pruner.hasPrefix("prune-columns"), p.mapper == "im2col" {
        for group in Set(layout.crossbars.map(\.inputGroup)) {
          let xs = layout.crossbars.filter { $0.inputGroup == group }
          let weights = xs.reduce(0) { $0 + $1.columns.count } / p.geometry.columnsPerWeight
          #expect(xs.count == (weights + p.geometry.weightsPerRow - 1) / p.geometry.weightsPerRow)
        }
      }
    }
  }
}
