import Foundation
import Testing
import TestSupport
import CrossbarSim
import Mappers
@testable import Compressors

/// A random conv layer with seeded synthetic weights.
struct LayerCase: Sendable, CustomStringConvertible {
  var model: CompressedModel
  var extra: [Int]
  var layer: Layer { model.network.layers[0] }
  var weights: LayerWeights { model.weights.layers[0]! }
  var description: String { "\(layer.inputShape) -> \(layer.outputShape), \(extra)" }

  /// Parameters: IC, OC, K, map size, weight seed, then `extra` ranges for the property.
  static func ranges(_ extra: [ClosedRange<Int>]) -> [ClosedRange<Int>] { [1...12, 1...40, 1...3, 3...6, 1...1000] + extra }

  static func make(_ p: [Int]) -> LayerCase? {
    var b = NetworkBuilder(name: "case", input: TensorShape(p[0], p[3], p[3]))
    guard (try? b.conv("conv", Convolution(outChannels: p[1], kernel: p[2], padding: p[2] / 2))) != nil,
          let w = try? SyntheticWeights(seed: UInt64(p[4])).generate(for: b.network),
          let m = try? CompressedModel(network: b.network, weights: w) else { return nil }
    return LayerCase(model: m, extra: Array(p.dropFirst(5)))
  }
}

func column(_ w: [Float], rows: Int, cols: Int, _ c: Int) -> [Float] { (0..<rows).map { w[$0 * cols + c] } }
func piece(_ v: [Float], at start: Int, count: Int) -> [Float] { Array(v[start..<(start + count)]) }
func norm(_ v: some Sequence<Float>) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

@Suite("Compressor properties")
struct CompressorPropertyTests {
  @Test("low-rank factors split each singular value evenly: column q of L and row q of R both have norm sqrt(s_q), and L R is the rank-r truncation")
  func balancedFactors() async throws {
    // Extra parameters: rank, groups pick (1 or 2).
    await forAll(seed: 11, count: 60, LayerCase.ranges([1...6, 1...2]), make: { p -> LayerCase? in
      guard let c = LayerCase.make(p), c.layer.inputShape.channels % p[6] == 0 else { return nil }
      // Below the break-even rank m n / (m + n); at or above it the layer stays dense (LowRankTests).
      let m = c.weights.outputs, n = c.weights.inputs / p[6]
      return p[5] <= min(m, n) && p[5] * (m + n) < m * n ? c : nil
    }) { c in
      let r = c.extra[0], g = c.extra[1], w = c.weights, m = w.outputs, n = w.inputs / g
      let (out, records) = try compressor("lowrank:rank=\(r),groups=\(g),layers=conv").compress(c.model, context: isaacContext)
      let R = out.weights.layers[0]!, L = out.weights.layers[1]!
      #expect(R.outputs == r * g && R.inputs == n && L.outputs == m && L.inputs == r * g)
      var residual = 0.0
      for j in 0..<g {
        let block: [Float] = (0..<m).flatMap { o in piece(w.values, at: o * w.inputs + j * n, count: n) }
        let s = try LAPACK.singularValues(block, m: m, n: n, what: "oracle")
        for q in 0..<r {
          let k = j * r + q
          let root = Double(s[q]).squareRoot()
          #expect(abs(norm(column(L.values, rows: m, cols: r * g, k)) - root) <= 1e-3 * max(1, root))
          #expect(abs(norm(piece(R.values, at: k * n, count: n)) - root) <= 1e-3 * max(1, root))
        }
        residual += s[r...].reduce(0.0) { $0 + Double($1) * Double($1) }
        // L_j R_j reproduces W_j up to the dropped singular values.
        let lj: [Float] = (0..<m).flatMap { o in piece(L.values, at: o * r * g + j * r, count: r) }
        let product = LAPACK.gemm(lj, piece(R.values, at: j * r * n, count: r * n), m: m, k: r, n: n)
        let err = norm(zip(product, block).map { $0 - $1 })
        #expect(abs(err - s[r...].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()) <= 1e-3 * max(1, w.norm))
      }
      #expect(abs(records[0].relativeError - residual.squareRoot() / w.norm) <= 1e-4)
    }
  }

  @Test("energy=f keeps the fewest singular values that hold a fraction f of the energy (in the neediest group)")
  func energyRankIsSmallest() async throws {
    await forAll(seed: 12, count: 60, LayerCase.ranges([1...99]), make: { p -> LayerCase? in
      guard let c = LayerCase.make(p), min(c.weights.outputs, c.weights.inputs) > 1 else { return nil }
      return c
    }) { c in
      let f = Double(c.extra[0]) / 100
      let (_, records) = try compressor("lowrank:energy=\(f),layers=conv").compress(c.model, context: isaacContext)
      let w = c.weights
      let s = try LAPACK.singularValues(w.values, m: w.outputs, n: w.inputs, what: "oracle").map { Double($0) * Double($0) }
      let total = s.reduce(0, +)
      let rank = try #require(records[0].rank)
      #expect(s[..<rank].reduce(0, +) >= f * total * (1 - 1e-6))
      if rank > 1 { #expect(s[..<(rank - 1)].reduce(0, +) < f * total) }
    }
  }

  @Test("by default low-rank factors every K x K conv except the first layer")
  func defaultTargets() throws {
    let model = try resnet20Model()
    let (_, records) = try compressor("lowrank:rank=2").compress(model, context: isaacContext)
    let expected = model.network.layers.dropFirst().filter {
      if case .conv(let c) = $0.operation { return c.kernelHeight > 1 } else { return false }
    }.map(\.name)
    #expect(records.map(\.layer) == expected)
    #expect(model.network.layers[0].name == "conv1" && !records.contains { $0.layer == "conv1" })
  }

  @Test("a removed crossbar block is one im2col crossbar fewer: ratio r removes exactly floor(r x blocks)")
  func blocksAreCrossbars() async throws {
    // Extra: ratio in percent, array rows, columns, slices.
    await forAll(seed: 13, count: 60, LayerCase.ranges([0...95, 16...128, 8...64, 1...4]), make: { p -> LayerCase? in
      guard let c = LayerCase.make(p), ArrayGeometry(rows: p[6], columns: p[7], slicesPerWeight: p[8]).weightsPerRow >= 1 else { return nil }
      return c
    }) { c in
      let g = ArrayGeometry(rows: c.extra[1], columns: c.extra[2], slicesPerWeight: c.extra[3])
      let ctx = CompressionContext(geometry: g, weightBits: 8, mapper: Im2colMapper())
      let before = try c.model.layout(mapper: Im2colMapper(), geometry: g).crossbars
      let pruner = try compressor("prune-crossbar:ratio=\(Double(c.extra[0]) / 100)") as! SegmentPruner
      #expect(pruner.segments(of: c.weights, layer: c.layer, geometry: g).count == before)
      let (m, _) = try pruner.compress(c.model, context: ctx)
      let removed = min(before - 1, Int((Double(c.extra[0]) / 100 * Double(before)).rounded(.down)))
      #expect(try m.layout(mapper: Im2colMapper(), geometry: g).crossbars == before - removed)
    }
  }

  @Test("a row segment is one input row of one crossbar column block; a column segment one output of one row block")
  func segmentShapes() async throws {
    await forAll(seed: 14, count: 60, LayerCase.ranges([16...128, 8...64, 1...4]), make: { p -> LayerCase? in
      guard let c = LayerCase.make(p), ArrayGeometry(rows: p[5], columns: p[6], slicesPerWeight: p[7]).weightsPerRow >= 1 else { return nil }
      return c
    }) { c in
      let g = ArrayGeometry(rows: c.extra[0], columns: c.extra[1], slicesPerWeight: c.extra[2])
      let w = c.weights, colTiles = (w.outputs + g.weightsPerRow - 1) / g.weightsPerRow, rowTiles = (w.inputs + g.rows - 1) / g.rows
      let rows = try (compressor("prune-rows:ratio=0.5") as! SegmentPruner).segments(of: w, layer: c.layer, geometry: g)
      #expect(rows.count == colTiles * w.inputs)
      for s in rows {
        #expect(Set(s.map { $0 % w.inputs }).count == 1)                       // one input row
        #expect(Set(s.map { $0 / w.inputs / g.weightsPerRow }).count == 1)     // within one column block
        #expect(s.count <= g.weightsPerRow)
      }
      let cols = try (compressor("prune-columns:ratio=0.5") as! SegmentPruner).segments(of: w, layer: c.layer, geometry: g)
      #expect(cols.count == rowTiles * w.outputs)
      for s in cols {
        #expect(Set(s.map { $0 / w.inputs }).count == 1)                       // one output
        #expect(Set(s.map { $0 % w.inputs / g.rows }).count == 1)              // within one row block
      }
    }
  }

  @Test("a threshold removes exactly the segments whose RMS is below it (keeping at least one)")
  func threshold() async throws {
    await forAll(seed: 15, count: 40, LayerCase.ranges([1...200]), make: LayerCase.make) { c in
      let w = c.weights, t = Double(c.extra[0]) / 100 * (2.0 / Double(w.inputs)).squareRoot()
      let pruner = try compressor("prune-rows:threshold=\(t)") as! SegmentPruner
      let segs = pruner.segments(of: w, layer: c.layer, geometry: isaacContext.geometry)
      let (m, _) = try pruner.compress(c.model, context: isaacContext)
      let rms = segs.map { s in (s.reduce(0.0) { $0 + Double(w.values[$1]) * Double(w.values[$1]) } / Double(s.count)).squareRoot() }
      let removed = segs.indices.filter { k in segs[k].allSatisfy { !m.layers[0].keep![$0] } }
      let below = rms.indices.filter { rms[$0] < t }
      #expect(removed == (below.count == segs.count ? Array(below.filter { $0 != rms.indices.max { rms[$0] < rms[$1] }! }) : below))
    }
  }

  @Test("global pruning at any ratio below 1 keeps at least one segment of every layer, and removes round(r x all) when it can")
  func globalKeepsOne() async throws {
    let model = try resnet20Model()
    await forAll(seed: 16, count: 12, [900...999, 0...2], make: { $0 }) { p in
      let ratio = Double(p[0]) / 1000, kind = ["prune-rows", "prune-columns", "prune-crossbar"][p[1]]
      let pruner = try compressor("\(kind):ratio=\(ratio),scope=global") as! SegmentPruner
      let (m, _) = try pruner.compress(model, context: isaacContext)
      var total = 0, removed = 0, layers = 0
      for (i, l) in model.network.layers.enumerated() where l.operation.isMatrix {
        let segs = pruner.segments(of: model.weights.layers[i]!, layer: l, geometry: isaacContext.geometry)
        let gone = segs.filter { s in s.allSatisfy { !m.layers[i].keep![$0] } }.count
        #expect(gone < segs.count, "\(l.name) lost every segment at ratio \(ratio)")
        total += segs.count; removed += gone; layers += 1
      }
      #expect(removed == min(Int((ratio * Double(total)).rounded()), total - layers))
    }
  }

  @Test("kernel-group pruning removes floor(r x groups) groups of 32 filters and keeps the consumer's rows of the surviving channels")
  func kernelGroups() throws {
    // 96 filters = 3 groups of 32: ratio 0.5 removes floor(1.5) = 1.
    var b = NetworkBuilder(name: "kg", input: TensorShape(8, 5, 5))
    try b.conv("a", Convolution(outChannels: 96, kernel: 3, padding: 1))
    try b.conv("b", Convolution(outChannels: 8, kernel: 3, padding: 1))
    let model = try CompressedModel(network: b.network, weights: SyntheticWeights(seed: 8).generate(for: b.network))
    let (m, _) = try compressor("prune-kernel-group:ratio=0.5,layers=a").compress(model, context: isaacContext)
    #expect(m.network.layers[0].outputShape.channels == 64 && m.network.layers[1].inputShape.channels == 64)
    let a = model.weights.layers[0]!, nextBefore = model.weights.layers[1]!, nextAfter = m.weights.layers[1]!
    let groupNorms: [Double] = (0..<3).map { g in norm(piece(a.values, at: g * 32 * 72, count: 32 * 72)) }
    let weakest = groupNorms.indices.min { groupNorms[$0] < groupNorms[$1] }!
    let kept = (0..<96).filter { $0 / 32 != weakest }
    #expect(nextAfter.inputs == 64 * 9)
    for o in 0..<8 {
      let expected: [Float] = kept.flatMap { ch in piece(nextBefore.values, at: o * 864 + ch * 9, count: 9) }
      #expect(piece(nextAfter.values, at: o * 576, count: 576) == expected)
    }
  }

  @Test("pattern pruning with ratio r keeps K^2 - floor(r K^2) taps")
  func patternRatio() throws {
    let model = try resnet20Model()
    for (ratio, taps) in [(0.5, 5), (0.3, 7), (0.12, 8), (0.9, 1)] {
      let (m, records) = try compressor("prune-pattern:ratio=\(ratio),layers=layer1.0.conv1").compress(model, context: isaacContext)
      let i = m.network.layers.firstIndex { $0.name == "layer1.0.conv1" }!
      #expect((0..<9).filter { m.layers[i].keep![$0] }.count == taps, "ratio \(ratio)")
      #expect(abs(records[0].keptRatio - Double(taps) / 9) < 1e-12)
    }
  }

  @Test("quantization: the power-of-two scale is the smallest covering the range, Z = round(-min / S), and every weight is within S / 2")
  func quantizer() async throws {
    // Extra: bits, scales (0: pow2, 1: fp), sign mode (0 mixed, 1 all positive, 2 all negative).
    await forAll(seed: 17, count: 80, LayerCase.ranges([2...8, 0...1, 0...2]), make: LayerCase.make) { c in
      var model = c.model
      let mode = c.extra[2]
      if mode > 0 { model.weights.layers[0]!.values = model.weights.layers[0]!.values.map { mode == 1 ? abs($0) : -abs($0) } }
      let bits = c.extra[0], pow2 = c.extra[1] == 0
      let (m, _) = try compressor("\(pow2 ? "quant-pow2" : "quant-fp"):bits=\(bits)").compress(model, context: isaacContext)
      let w = model.weights.layers[0]!.values, q = try #require(m.layers[0].quantized)
      let lo = Double(min(0, w.min()!)), hi = Double(max(0, w.max()!)), levels = Double((1 << bits) - 1)
      let needed = (hi - lo) / levels
      if pow2 {
        #expect(q.scale >= needed * (1 - 1e-12) && q.scale / 2 < needed)
        #expect(q.scale == pow(2, Double(q.scaleExponent!)))
      } else {
        #expect(abs(q.scale - needed) <= 1e-12 * needed)
      }
      #expect(q.zeroPoint == Int((-lo / q.scale).rounded()))
      let stored = q.stored(m.weights.layers[0]!.values)
      #expect(stored.allSatisfy { (0...Int(levels)).contains($0) })
      for (k, v) in w.enumerated() {
        let back = q.scale * Double(stored[k] - q.zeroPoint)
        #expect(abs(Double(v) - back) <= q.scale / 2 * (1 + 1e-9), "weight \(v) -> \(back), S \(q.scale)")
      }
    }
  }

  @Test("a crossbar budget lands exactly on a count a ratio reaches, not below it")
  func budgetLands() throws {
    var b = NetworkBuilder(name: "small", input: TensorShape(16, 6, 6))
    try b.conv("a", Convolution(outChannels: 64, kernel: 3, padding: 1))
    try b.conv("b", Convolution(outChannels: 64, kernel: 3, padding: 1))
    try b.fc("fc", 40)
    let model = try CompressedModel(network: b.network, weights: SyntheticWeights(seed: 4).generate(for: b.network))
    for ratio in [0.2, 0.45, 0.7] {
      let (byRatio, _) = try compressor("prune-crossbar:ratio=\(ratio)").compress(model, context: isaacContext)
      let target = try byRatio.layout(mapper: Im2colMapper(), geometry: isaacContext.geometry).crossbars
      let (byBudget, _) = try compressor("prune-crossbar:crossbars=\(target)").compress(model, context: isaacContext)
      #expect(try byBudget.layout(mapper: Im2colMapper(), geometry: isaacContext.geometry).crossbars == target, "ratio \(ratio)")
      // A parameter budget a ratio reaches is met exactly: the search finds the edge, not a grid
      // setting past it.
      let (rows, _) = try compressor("prune-rows:ratio=\(ratio)").compress(model, context: isaacContext)
      let (rowsBudget, _) = try compressor("prune-rows:params=\(rows.keptParameters)").compress(model, context: isaacContext)
      #expect(rowsBudget.keptParameters == rows.keptParameters, "ratio \(ratio)")
    }
  }

  @Test("kept parameters count the weights pruning left, and records chain crossbars before and after each step")
  func keptAndRecords() throws {
    let model = try resnet20Model()
    let steps = try ["prune-rows:ratio=0.4", "prune-crossbar:ratio=0.3"].map(compressor)
    let (m, records) = try CompressionPipeline.run(model, steps: steps, context: isaacContext)
    let nonzero = m.weights.layers.reduce(0) { $0 + ($1?.nonzeros ?? 0) }
    #expect(m.keptParameters == nonzero && nonzero < model.keptParameters)
    let dense = try model.layout(mapper: Im2colMapper(), geometry: isaacContext.geometry)
    let (afterRows, _) = try CompressionPipeline.run(model, steps: [steps[0]], context: isaacContext)
    let mid = try afterRows.layout(mapper: Im2colMapper(), geometry: isaacContext.geometry)
    let final = try m.layout(mapper: Im2colMapper(), geometry: isaacContext.geometry)
    func count(_ l: NetworkLayout, _ name: String) -> Int { l.layouts[l.network.layers.firstIndex { $0.name == name }!]!.crossbars.count }
    for r in records {
      let (before, after) = r.step.hasPrefix("prune-rows") ? (dense, mid) : (mid, final)
      #expect(r.crossbarsBefore == count(before, r.layer) && r.crossbarsAfter == count(after, r.layer), "\(r.step) \(r.layer)")
    }
  }
}
