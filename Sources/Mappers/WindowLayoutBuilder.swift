import CrossbarSim

// MARK: - Building explicit layouts from a window choice

/// Turns a `WindowChoice` into crossbars: the window's pixels x channels on the rows, the
/// shifted, duplicated kernels (one per output offset) x output channels on the columns.
enum WindowLayoutBuilder {
  /// How a grouped convolution is laid out.
  enum GroupLayout: String, Sendable, CaseIterable {
    /// One layout per group: every crossbar holds one group's weights.
    case perGroup = "per-group"
    /// One block-diagonal layout: the grouped conv mapped as a dense one with zeros across groups
    /// (a crossbar that would hold only zeros is not placed).
    case blockDiagonal = "block-diagonal"
    /// Whichever of the two takes fewer crossbars (per group on a tie); the note says which.
    case smaller

    /// The `groups=` option every window mapper takes.
    static let option = PluginOption.choice(
      "groups", GroupLayout.self, default: .smaller,
      help: "lay a grouped conv out per group, as one block-diagonal matrix (no all-zero crossbars), or whichever " +
          "takes fewer crossbars")
  }

  /// Maps a layer with `groupLayout`, resolving `smaller` for a grouped conv by mapping it both
  /// ways; `mapOne` maps with a concrete layout.
  static func resolving(_ groupLayout: GroupLayout, layer: Layer,
                        _ mapOne: (GroupLayout) throws -> LayerLayout) throws -> LayerLayout {
    guard groupLayout == .smaller else { return try mapOne(groupLayout) }
    guard case .conv(let c) = layer.operation, c.groups > 1 else { return try mapOne(.perGroup) }
    var a = try mapOne(.perGroup), b = try mapOne(.blockDiagonal)
    let pick = b.crossbars.count < a.crossbars.count
    let (n, m) = (a.crossbars.count, b.crossbars.count)
    a.note = "per-group (smaller: \(n) crossbars vs \(m) block-diagonal)"
    b.note = "block-diagonal (smaller: \(m) crossbars vs \(n) per group)"
    return pick ? b : a
  }

  /// The per-group dims a mapper searches over (the whole layer for block-diagonal layouts).
  static func dims(of layer: Layer, groupLayout: GroupLayout) -> ConvDims? {
    guard case .conv(let c) = layer.operation else { return nil }
    let g = groupLayout == .blockDiagonal ? 1 : c.groups
    return ConvDims(inputHeight: layer.inputShape.height + 2 * c.padding,
                    inputWidth: layer.inputShape.width + 2 * c.padding,
                    kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, stride: c.stride,
                    inChannels: layer.inputShape.channels / g, outChannels: c.outChannels / g)
  }

  /// Maps layer `index`: a conv with the window `choose` returns (with the mapper label to
  /// report), a fully connected layer as im2col; anything else is refused by name.
  static func map(layer index: Int, of network: Network, geometry g: ArrayGeometry, kind: String,
                  groupLayout: GroupLayout,
                  choose: (ConvDims) throws -> (WindowChoice, label: String)) throws -> LayerLayout {
    let layer = network.layers[index]
    if groupLayout == .smaller, case .conv = layer.operation {
      return try resolving(groupLayout, layer: layer) {
        try map(layer: index, of: network, geometry: g, kind: kind, groupLayout: $0, choose: choose)
      }
    }
    guard g.weightsPerRow >= 1 else {
      throw InputError("layer \(layer.name): an array of \(g.columns) columns cannot hold one weight " +
          "of \(g.columnsPerWeight) columns")
    }
    if case .fullyConnected = layer.operation {
      var l = try Im2colMapper().map(layer: index, of: network, geometry: g)
      l.mapper = kind == "auto" ? "auto/im2col" : kind
      return l
    }
    guard let d = dims(of: layer, groupLayout: groupLayout) else {
      throw InputError("layer \(layer.name): \(kind) maps only conv and fully connected layers")
    }
    let (choice, label) = try choose(d)
    return try build(layer: index, of: network, choice: choice, geometry: g, mapper: label, groupLayout: groupLayout)
  }

  /// Builds the layout of conv layer `index` for `choice` (per group, or block-diagonal).
  static func build(layer index: Int, of network: Network, choice: WindowChoice, geometry g: ArrayGeometry,
                    mapper: String, groupLayout: GroupLayout) throws -> LayerLayout {
    let layer = network.layers[index]
    guard case .conv(let conv) = layer.operation else {
      throw InputError("layer \(layer.name): \(mapper) maps only convolutions")
    }
    let groups = groupLayout == .blockDiagonal ? 1 : conv.groups
    let icpg = layer.inputShape.channels / groups, ocpg = conv.outChannels / groups
    let realGroups = conv.groups, realICPG = layer.inputShape.channels / conv.groups
    let ph = choice.windowHeight, pw = choice.windowWidth
    guard choice.windowHeight <= layer.inputShape.height + 2 * conv.padding,
          choice.windowWidth <= layer.inputShape.width + 2 * conv.padding else {
      throw InputError("layer \(layer.name): window \(ph)x\(pw) is larger than the " +
          "padded \(layer.inputShape.height + 2 * conv.padding)x\(layer.inputShape.width + 2 * conv.padding) map")
    }
    var crossbars: [CrossbarTile] = []
    var outputGroup = 0, inputGroup = 0
    for gi in 0..<groups {
      // Row chunks.
      var rowChunks: [[RowSource]] = []
      func rows(channels: Range<Int>) -> [RowSource] {
        var r: [RowSource] = []
        r.reserveCapacity(channels.count * ph * pw)
        for ch in channels {
          for y in 0..<ph { for x in 0..<pw { r.append(RowSource(channel: gi * icpg + ch, dy: y, dx: x)) } }
        }
        return r
      }
      switch choice.style {
      case .vwsdk:
        let t = choice.channelsPerTile
        for start in stride(from: 0, to: icpg, by: t) { rowChunks.append(rows(channels: start..<min(icpg, start + t))) }
      case .im2col, .sdk:
        let all = rows(channels: 0..<icpg)
        for start in stride(from: 0, to: all.count,
                            by: g.rows) { rowChunks.append(Array(all[start..<min(all.count, start + g.rows)])) }
      }
      // Column chunks: weights (output offset, output channel), whole weights per array.
      var colChunks: [[ColumnSink]] = []
      let offsets = (0..<choice.outputsHigh).flatMap { dy in (0..<choice.outputsWide).map { (dy, $0) } }
      switch choice.style {
      case .vwsdk:
        let t = choice.outChannelsPerTile
        for start in stride(from: 0, to: ocpg, by: t) {
          colChunks.append(offsets.flatMap { (dy, dx) in
            (start..<min(ocpg, start + t)).flatMap { g.sinks(outChannel: gi * ocpg + $0, dy: dy, dx: dx) }
          })
        }
      case .im2col, .sdk:
        let weights = offsets.flatMap { (dy, dx) in (0..<ocpg).map { (dy, dx, $0) } }
        for start in stride(from: 0, to: weights.count, by: g.weightsPerRow) {
          colChunks.append(weights[start..<min(weights.count, start + g.weightsPerRow)].flatMap {
            g.sinks(outChannel: gi * ocpg + $0.2, dy: $0.0, dx: $0.1)
          })
        }
      }
      for (ri, r) in rowChunks.enumerated() {
        for (ci, c) in colChunks.enumerated() {
          guard r.count <= g.rows, c.count <= g.columns else {
            throw InputError("layer \(layer.name): \(mapper) window \(choice.description) " +
                "needs \(r.count)x\(c.count) cells, the array has \(g.rows)x\(g.columns)")
          }
          let useful = usefulCells(rows: r, columns: c, conv: conv, groups: realGroups, icpg: realICPG,
                                   ocpg: conv.outChannels / realGroups)
          // Block-diagonal: a crossbar meeting only other groups' zeros is not placed.
          if useful == 0 && realGroups > groups { continue }
          crossbars.append(CrossbarTile(rows: r, columns: c, outputGroup: outputGroup + ci, inputGroup: inputGroup + ri,
                                        usefulCells: useful))
        }
      }
      outputGroup += colChunks.count
      inputGroup += rowChunks.count
    }
    var l = LayerLayout(layer: index, mapper: mapper, crossbars: crossbars, windowsY: choice.windowsY,
                        windowsX: choice.windowsX,
                        windowStepY: choice.outputsHigh * conv.stride, windowStepX: choice.outputsWide * conv.stride,
                        outputsPerWindowY: choice.outputsHigh, outputsPerWindowX: choice.outputsWide,
                        padding: conv.padding, stride: conv.stride)
    l.window = choice.description
    if conv.groups > 1 { l.note = groupLayout.rawValue }
    return l
  }

  /// Cells that hold a real weight: the column's kernel tap lands on the row's pixel and both are
  /// in the same channel group. O(rows + columns x K^2) through a per-pixel row count.
  static func usefulCells(rows: [RowSource], columns: [ColumnSink], conv: Convolution, groups: Int, icpg: Int,
                          ocpg: Int) -> Int {
    var maxY = 0, maxX = 0
    for r in rows { maxY = max(maxY, Int(r.dy)); maxX = max(maxX, Int(r.dx)) }
    let h = maxY + 1, w = maxX + 1
    var count = [Int](repeating: 0, count: groups * h * w)
    for r in rows { count[(Int(r.channel) / icpg * h + Int(r.dy)) * w + Int(r.dx)] += 1 }
    var total = 0
    for c in columns {
      let gi = Int(c.outChannel) / ocpg
      for ky in 0..<conv.kernelHeight {
        let y = Int(c.dy) * conv.stride + ky
        guard y < h else { continue }
        for kx in 0..<conv.kernelWidth {
          let x = Int(c.dx) * conv.stride + kx
          guard x < w else { continue }
          total += count[(gi * h + y) * w + x]
        }
      }
    }
    return total
  }
}
