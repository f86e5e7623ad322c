// MARK: - Set-up: stages, copies and edges from the placement

extension EngineCore {

  /// The outputs a crossbar computes, one key per (output channel, output offset).
  static func outputKeys(_ x: CrossbarTile) -> [Int64] {
    x.columns.filter { $0.slice == 0 && $0.sign > 0 }.map {
      Int64($0.outChannel) << 32 | Int64(UInt16(bitPattern: $0.dy)) << 16 | Int64(UInt16(bitPattern: $0.dx))
    }
  }

  /// Bits of crossbar `x`'s index table: an entry per kept row or column (or, at `weight`
  /// granularity, per kept weight), each the index of the original row or column among the layer's
  /// weight rows or columns (or `indexBits` wide when fixed).
  func tableBits(_ x: CrossbarTile, layer: Int) -> Int {
    guard x.tableEntries > 0 else { return 0 }
    let l = layout.network.layers[layer], t = spec.sparsityTable
    let entries = switch t.granularity {
    case .row: x.tableEntries
    // Every cell of a kept weight is live.
    case .weight: (x.usefulCells + spec.cellsPerWeight - 1) / spec.cellsPerWeight
    }
    return entries * t.indexBits.resolved(max(2, x.tableKind == .input ? l.weightRows : l.weightColumns).ceilLog2)
  }

  /// One copy of a matrix stage: its crossbars on their physical arrays, the input fetches per
  /// (input group, tile), and the partial sums each non-home tile sends home.
  func copyState(of l: LayerLayout, crossbars range: Range<Int>, copy: Placement.Copy) -> CopyState {
    let rows = spec.ima.crossbar.rows, cols = spec.ima.crossbar.columns, perTile = spec.crossbarsPerTile
    var c = CopyState(home: copy.homeTile, tiles: copy.tiles)
    var unitIndex: [Int: Int] = [:]   // key: inputGroup * tiles + tile
    var tileOutputs: [Int: Set<Int64>] = [:]
    for (k, ci) in range.enumerated() {
      let x = l.crossbars[ci]
      let phys = copy.physical[k]
      let converted = x.columns.count - x.zeroColumns
      let bits = timing.adcBits(x)
      c.crossbars.append(CrossbarInfo(physical: CrossbarID(phys), rows: Int32(x.rows.count),
                                      columns: Int32(x.columns.count),
                                      readFraction: Double(x.rows.count * x.columns.count) / Double(rows * cols),
                                      batch: timing.conversions(x), lookup: timing.lookup(x),
                                      hasTable: x.tableEntries > 0, converted: Int32(converted),
                                      routed: x.tableEntries == 0 ? 0
                                        : Double(x.tableKind == .input ? x.rows.count : x.columns.count),
                                      adcBits: Int32(bits), tableBits: Double(tableBits(x, layer: l.layer)),
                                      adcEnergyPJ: Double(converted) * spec.ima.adc.energyPerConversionPJ(bits: bits)))
      let tile = phys / perTile
      let key = x.inputGroup * spec.chip.tiles + tile
      if let u = unitIndex[key] {
        c.units[u].crossbars.append(Int32(k))
      } else {
        unitIndex[key] = c.units.count
        c.units.append(FetchUnit(tile: tile, bits: x.rows.count * spec.data.inputBits, crossbars: [Int32(k)]))
      }
      tileOutputs[tile, default: []].formUnion(Self.outputKeys(x))
    }
    for t in copy.tiles where t != copy.homeTile {
      c.remote.append((t, (tileOutputs[t]?.count ?? 0) * psumBitsPerValue))
    }
    return c
  }

  mutating func buildStages() throws {
    let net = layout.network
    let rows = spec.ima.crossbar.rows, cols = spec.ima.crossbar.columns
    let regBits = spec.registerBytes(.imaInput) * 8, perIMA = spec.ima.crossbars
    // Crossbars of all stages on each IMA, per round: layers that share an IMA split its input
    // register by the crossbars each holds there.
    var onIMA: [Int: Int] = [:]
    func imaKey(_ round: Int, _ physical: Int) -> Int { round * spec.crossbarsPerChip + physical / perIMA }
    for ps in placement.stages {
      for c in ps.copies { for x in c.physical { onIMA[imaKey(ps.round, x), default: 0] += 1 } }
    }
    var finalStageOfLayer = Array(repeating: -1, count: net.layers.count)
    var stagesOfLayer = Array(repeating: [Int](), count: net.layers.count)
    for (si, ps) in placement.stages.enumerated() {
      let layer = net.layers[ps.layer]
      if let l = layout.layouts[ps.layer] {
        var s = StageConfig(spec: ps, isMatrix: true, windowsY: l.windowsY, windowsX: l.windowsX, capacity: 1)
        s.outputsPerWindowY = l.outputsPerWindowY; s.outputsPerWindowX = l.outputsPerWindowX
        s.stepY = l.windowStepY; s.stepX = l.windowStepX; s.padding = l.padding
        (s.extentY, s.extentX) = l.inputExtent
        if case .fullyConnected = layer.operation { s.extentY = 1; s.extentX = 1 }
        for ci in ps.crossbars {
          let x = l.crossbars[ci]
          guard x.rows.count <= rows, x.columns.count <= cols else {
            throw InputError("layer \(layer.name): crossbar \(ci) uses \(x.rows.count)x\(x.columns.count) cells of " +
                "a \(rows)x\(cols) array")
          }
        }
        s.copies = ps.copies.map { copyState(of: l, crossbars: ps.crossbars, copy: $0) }
        // Partial sums: each output held by n crossbars needs n - 1 additions.
        var holders: [Int64: Int] = [:]
        for ci in ps.crossbars { for key in Self.outputKeys(l.crossbars[ci]) { holders[key, default: 0] += 1 } }
        let adds = holders.values.reduce(0) { $0 + $1 - 1 }
        let values = holders.count   // output values per window: channels x output offsets
        s.reduceOps = EngineTiming.unitCycles(values: adds, spec.tile.shiftAdd)
        s.outputValues = values
        s.outputBits = s.outputValues * (ps.isFinalChunk ? spec.data.outputBits : psumBitsPerValue)
        s.psumBits = ps.chunk > 0 ? s.outputValues * psumBitsPerValue : 0
        // Float scales (`data.scales: float`) rescale every output by a multiply, as `quant-fp` does.
        s.rescale = l.rescale == .none && spec.data.scales == .float ? .multiply : l.rescale
        if s.rescale == .multiply, spec.tile.rescale.multipliersPerTile == 0 {
          throw InputError("layer \(layer.name): float scales rescale each output by a multiply, but " +
              "tile.rescale.multipliersPerTile is 0")
        }
        // Windows in flight: the input registers of the IMAs the stage occupies hold each window's
        // input vector (every input group's rows), whichever copies the IMAs serve; of a register
        // shared with other layers, the stage has the share of its crossbars there.
        var mine: [Int: Int] = [:]
        for c in ps.copies { for x in c.physical { mine[imaKey(ps.round, x), default: 0] += 1 } }
        let registerBits = mine.keys.sorted().reduce(0) { $0 + regBits * mine[$1]! / onIMA[$1]! }
        let windowBits = max(1, s.copies[0].units.reduce(0) { $0 + $1.bits })
        s.capacity = max(1, min(registerBits / windowBits, 2 * ps.copies.count))
        config.append(s)
      } else {
        let out = layer.outputShape
        var s = StageConfig(spec: ps, isMatrix: false, windowsY: out.height, windowsX: out.width, capacity: 16)
        if case .pool(let p) = layer.operation {
          s.stepY = p.stride; s.stepX = p.stride; s.padding = p.padding; s.extentY = p.kernel; s.extentX = p.kernel
          s.isPooling = true
        }
        let work = DigitalWork(layer, spec: spec)
        if work.resource == .multiplier, spec.tile.rescale.multipliersPerTile == 0 {
          throw InputError("layer \(layer.name): a \(layer.operation.kind) needs the tile's multipliers, but " +
              "tile.rescale.multipliersPerTile is 0")
        }
        s.digitalAction = work.action
        s.digitalResource = work.resource
        s.digitalCycles = work.cycles
        s.digitalOps = work.operations
        s.digitalInputBits = work.inputValues * spec.data.outputBits
        s.outputValues = out.channels
        s.outputBits = out.channels * spec.data.outputBits
        s.copies = [CopyState(home: ps.homeTile, tiles: [ps.homeTile])]
        config.append(s)
      }
      stagesOfLayer[ps.layer].append(si)
      if ps.isFinalChunk { finalStageOfLayer[ps.layer] = si }
      config[si].windows = config[si].perImage * options.images
      progress.append(StageProgress(capacity: config[si].capacity))
      stats.append(StageStats())
    }
    let consumersOfLayer = net.consumers()
    for si in config.indices where config[si].spec.isFinalChunk && consumersOfLayer[config[si].spec.layer].isEmpty {
      config[si].isSink = true
      progress[si].writtenInImage = Array(repeating: 0, count: options.images)
    }
    // Edges: the final stage of each producer feeds every stage of each consumer.
    for (li, layer) in net.layers.enumerated() {
      for p in layer.inputs {
        let ps = finalStageOfLayer[p]
        let produced = net.layers[p].outputShape
        for cs in stagesOfLayer[li] {
          let flatten: Bool
          switch layer.operation {
          case .fullyConnected: flatten = true
          case .concat: flatten = false   // each producer fills its own channels of the same pixels
          default: flatten = produced.channels != layer.inputShape.channels
          }
          let tiles = Array(Set(config[cs].copies.flatMap(\.tiles))).sorted()
          var e = EdgeState(producer: ps, consumer: cs, tiles: tiles,
                            arrivals: Array(repeating: 0, count: config[ps].windows),
                            expected: Array(repeating: 0, count: config[ps].windows),
                            isDelivered: Array(repeating: false, count: config[ps].windows), isFlatten: flatten)
          e.offsetY = max(0, (layer.inputShape.height - produced.height) / 2)
          e.offsetX = max(0, (layer.inputShape.width - produced.width) / 2)
          e.producerHeight = produced.height; e.producerWidth = produced.width
          edges.append(e)
          config[ps].consumers.append(edges.count - 1)
          config[cs].producers.append(edges.count - 1)
        }
      }
    }
    // Buffer groups: a producer's windows held on each tile its consumers read them on.
    for (ei, e) in edges.enumerated() {
      for t in e.tiles {
        if let g = config[e.producer].groups.first(where: { groups[$0].tile == t }) {
          groups[g].edges.append(ei)
          groups[g].readBack.append(0)
        } else {
          groups.append(BufferGroup(producer: e.producer, tile: t, edges: [ei], readBack: [0]))
          config[e.producer].groups.append(groups.count - 1)
        }
      }
    }
    for s in config.indices {
      guard config[s].consumers.count <= 16 else {
        throw InputError("layer \(net.layers[config[s].spec.layer].name) feeds \(config[s].consumers.count) " +
            "consumers; at most 16 are supported")
      }
      if config[s].consumers.allSatisfy({ config[edges[$0].consumer].copies.count == 1 }) {
        config[s].fixedDestinations = destinations(stage: s, window: 0)
      } else {
        progress[s].destinationCache = Array(repeating: nil, count: config[s].capacity)
      }
    }
    tilesInUse = Array(Set(config.flatMap { $0.copies.flatMap(\.tiles) })).sorted()
    roundStages = Array(repeating: [], count: placement.rounds)
    for (i, s) in placement.stages.enumerated() { roundStages[s.round].append(i) }
    firstUnfinished = Array(repeating: 0, count: placement.rounds)
  }
}
