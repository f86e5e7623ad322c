// MARK: - From a compressed model to the layouts the engine executes

extension CompressedModel {
  /// Maps every matrix layer with `mapper`, then applies each layer's compression: pruned
  /// crossbars dropped, rows or columns compacted behind index tables, all-zero columns marked
  /// so they skip their conversions, the weights' zero point and the rescale attached.
  public func layout(mapper: any WeightMapper, geometry: ArrayGeometry) throws -> NetworkLayout {
    var layouts: [LayerLayout?] = []
    for (i, layer) in network.layers.enumerated() {
      guard layer.operation.isMatrix else { layouts.append(nil); continue }
      let l = try Self.layout(layer: i, of: network, state: layers[i], mapper: mapper, geometry: geometry)
      layouts.append(l)
    }
    return NetworkLayout(network: network, layouts: layouts)
  }

  /// Layout of matrix layer `i` of `network` in compression state `state`: the mapper's layout,
  /// then pruned crossbars dropped, rows or columns compacted, the zero point and rescale attached.
  /// Needs nothing but the layer's state, so a pipeline can lay layers out one at a time.
  public static func layout(layer i: Int, of network: Network, state: LayerCompression,
                            mapper: any WeightMapper, geometry: ArrayGeometry) throws -> LayerLayout {
    var l = try mapper.map(layer: i, of: network, geometry: geometry)
    l = refine(l, layer: network.layers[i], state: state, geometry: geometry)
    l.zeroPoint = state.quantized?.zeroPoint
    l.rescale = state.rescale
    return l
  }

  /// Signed integer weights `Q_W - Z_W` of quantized layer `i` (nil when it is not quantized).
  public func integerWeights(layer i: Int) -> IntegerWeights? {
    guard let q = layers[i].quantized, let w = weights.layers[i] else { return nil }
    return IntegerWeights(q.signed(w.values))
  }

  static func refine(_ layout: LayerLayout, layer: Layer, state: LayerCompression,
                     geometry g: ArrayGeometry) -> LayerLayout {
    guard let keep = state.keep else { return layout }
    let resolver = CellResolver(layer: layer, stride: layout.stride)
    func live(_ r: RowSource, _ c: ColumnSink) -> Bool { resolver.index(r, c).map { keep[$0] } ?? false }
    var out = layout
    switch state.structure {
    case .dense, .kernelGroups:
      break
    case .crossbarBlocks:
      out.crossbars = layout.crossbars.filter { x in x.columns.contains { c in x.rows.contains { live($0, c) } } }
    case .rows:
      out.crossbars = []
      var nextInputGroup = (layout.crossbars.map(\.inputGroup).max() ?? 0) + 1
      for group in Self.ordered(layout.crossbars, by: \.outputGroup) {
        let cols = group[0].columns
        guard group.allSatisfy({ $0.columns == cols }) else { out.crossbars += group; continue }
        let all = group.flatMap(\.rows)
        let kept = all.filter { r in cols.contains { live(r, $0) } }
        if kept.count == all.count { out.crossbars += group; continue }
        for start in stride(from: 0, to: kept.count, by: g.rows) {
          let rows = Array(kept[start..<min(kept.count, start + g.rows)])
          out.crossbars.append(CrossbarTile(rows: rows, columns: cols, outputGroup: group[0].outputGroup,
                                            inputGroup: nextInputGroup, usefulCells: 0, tableEntries: rows.count,
                                            tableKind: .input))
          nextInputGroup += 1
        }
      }
    case .columns:
      out.crossbars = []
      var nextOutputGroup = (layout.crossbars.map(\.outputGroup).max() ?? 0) + 1
      let per = g.columnsPerWeight
      for group in Self.ordered(layout.crossbars, by: \.inputGroup) {
        let rows = group[0].rows
        guard group.allSatisfy({ $0.rows == rows }) else { out.crossbars += group; continue }
        let weights = group.flatMap { x in
          stride(from: 0, to: x.columns.count, by: per).map { Array(x.columns[$0..<min(x.columns.count, $0 + per)]) }
        }
        let kept = weights.filter { w in w.contains { c in rows.contains { live($0, c) } } }
        if kept.count == weights.count { out.crossbars += group; continue }
        for start in stride(from: 0, to: kept.count, by: g.weightsPerRow) {
          let cols = kept[start..<min(kept.count, start + g.weightsPerRow)].flatMap { $0 }
          out.crossbars.append(CrossbarTile(rows: rows, columns: cols, outputGroup: nextOutputGroup,
                                            inputGroup: group[0].inputGroup,
                                            usefulCells: 0, tableEntries: cols.count, tableKind: .output))
          nextOutputGroup += 1
        }
      }
    }
    for k in out.crossbars.indices {
      let x = out.crossbars[k]
      var useful = 0, zero = 0
      for c in x.columns {
        var n = 0
        for r in x.rows where live(r, c) { n += 1 }
        useful += n
        if n == 0 { zero += 1 }
      }
      out.crossbars[k].usefulCells = useful
      out.crossbars[k].zeroColumns = zero
    }
    return out
  }

  /// Crossbars grouped by a key, groups in order of first appearance.
  static func ordered(_ xs: [CrossbarTile], by key: KeyPath<CrossbarTile, Int>) -> [[CrossbarTile]] {
    var order: [Int] = [], groups: [Int: [CrossbarTile]] = [:]
    for x in xs {
      let k = x[keyPath: key]
      if groups[k] == nil { order.append(k) }
      groups[k, default: []].append(x)
    }
    return order.map { groups[$0]! }
  }
}
