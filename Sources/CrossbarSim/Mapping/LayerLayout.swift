// MARK: - Explicit weight layouts (what the simulator executes)

/// The layer-input element that drives one crossbar row, relative to the window origin.
public struct RowSource: Hashable, Sendable {
  /// Input channel (absolute), or the flattened input index for a fully connected layer.
  public var channel: Int32
  /// Row offset from the window origin [pixels].
  public var dy: Int16
  /// Column offset from the window origin [pixels].
  public var dx: Int16
  /// Creates a row source.
  public init(channel: Int, dy: Int = 0, dx: Int = 0) {
    self.channel = Int32(channel); self.dy = Int16(dy); self.dx = Int16(dx)
  }
}

/// The output and weight slice that one crossbar column computes.
public struct ColumnSink: Hashable, Sendable {
  /// Output channel (absolute).
  public var outChannel: Int32
  /// Output pixel row offset within the window's output block.
  public var dy: Int16
  /// Output pixel column offset within the window's output block.
  public var dx: Int16
  /// Weight slice held (significance `2^(slice * bitsPerCell)`).
  public var slice: Int8
  /// +1, or -1 for the negative column of a differential pair.
  public var sign: Int8
  /// Creates a column sink.
  public init(outChannel: Int, dy: Int = 0, dx: Int = 0, slice: Int, sign: Int = 1) {
    self.outChannel = Int32(outChannel); self.dy = Int16(dy); self.dx = Int16(dx)
    self.slice = Int8(slice); self.sign = Int8(sign)
  }
}

/// One crossbar of a layout: which inputs drive its rows and which outputs its columns compute.
///
/// The cell at (row r, column c) holds slice `columns[c].slice` of the weight
/// `W[o][channel][ky][kx]` with `o = columns[c].outChannel`, `ky = rows[r].dy - columns[c].dy * stride`,
/// `kx = rows[r].dx - columns[c].dx * stride`, or 0 where that tap is outside the kernel or the
/// channel is in another group. Rows and columns not listed are unused.
public struct CrossbarTile: Sendable {
  /// Row sources, in crossbar row order (active rows of every activation).
  public var rows: [RowSource]
  /// Column sinks, in crossbar column order (active columns of every activation).
  public var columns: [ColumnSink]
  /// Crossbars with the same group compute the same outputs; their partial sums are added.
  public var outputGroup: Int
  /// Crossbars with the same input group read the same input vector (fetched once per tile).
  public var inputGroup: Int
  /// Cells that hold a (possibly zero-valued) weight slice rather than a structural zero.
  public var usefulCells: Int
  /// Entries of this crossbar's sparsity index table (0: no table, no lookups).
  public var tableEntries: Int
  /// What the index table does.
  public var tableKind: IndexTableKind
  /// Columns whose cells are all zero: they skip their ADC conversions.
  public var zeroColumns: Int = 0
  /// Creates a crossbar tile.
  public init(rows: [RowSource], columns: [ColumnSink], outputGroup: Int, inputGroup: Int,
              usefulCells: Int, tableEntries: Int = 0, tableKind: IndexTableKind = .input) {
    self.rows = rows; self.columns = columns; self.outputGroup = outputGroup; self.inputGroup = inputGroup
    self.usefulCells = usefulCells; self.tableEntries = tableEntries; self.tableKind = tableKind
  }
}

/// What a crossbar's sparsity index table does.
public enum IndexTableKind: String, Sendable {
  /// Selects which inputs drive the compacted rows (row pruning, SDK row skipping).
  case input
  /// Aligns the compacted columns' partial sums with their outputs (column pruning).
  case output
}

/// The explicit layout of one matrix layer: its crossbars and its grid of activations.
///
/// Window (wy, wx) has its input origin at `(wy * windowStepY - padding, wx * windowStepX - padding)`
/// and produces output pixels `(wy * outputsPerWindowY + dy, wx * outputsPerWindowX + dx)` for the
/// column offsets (dy, dx); outputs beyond the map are discarded.
public struct LayerLayout: Sendable {
  /// Index of the layer in its network.
  public var layer: Int
  /// Kind of the mapper that produced the layout (for reports only; the engine ignores it).
  public var mapper: String
  /// Crossbars, each holding one tile of the weight matrix.
  public var crossbars: [CrossbarTile]
  /// Activation grid rows.
  public var windowsY: Int
  /// Activation grid columns.
  public var windowsX: Int
  /// Input pixels between window origins, vertically.
  public var windowStepY: Int
  /// Input pixels between window origins, horizontally.
  public var windowStepX: Int
  /// Output pixel rows per window.
  public var outputsPerWindowY: Int
  /// Output pixel columns per window.
  public var outputsPerWindowX: Int
  /// Zero padding of the layer input.
  public var padding: Int
  /// Kernel stride (relates column output offsets to input offsets).
  public var stride: Int
  /// The window one activation covers, `PW_h x PW_w x ICt x OCt` (empty for fully connected layers).
  public var window = ""
  /// What else a reader of the per-layer output should know (group layout, auto's pick).
  public var note = ""
  /// Zero point of the stored weights, when quantized.
  public var zeroPoint: Int?
  /// Output rescale after the crossbars.
  public var rescale: Rescale = .none

  /// Creates a layout.
  public init(layer: Int, mapper: String, crossbars: [CrossbarTile], windowsY: Int, windowsX: Int,
              windowStepY: Int, windowStepX: Int, outputsPerWindowY: Int, outputsPerWindowX: Int,
              padding: Int, stride: Int) {
    self.layer = layer; self.mapper = mapper; self.crossbars = crossbars
    self.windowsY = windowsY; self.windowsX = windowsX; self.windowStepY = windowStepY
    self.windowStepX = windowStepX; self.outputsPerWindowY = outputsPerWindowY
    self.outputsPerWindowX = outputsPerWindowX; self.padding = padding; self.stride = stride
  }

  /// Activations per crossbar (one per window).
  public var windows: Int { windowsY * windowsX }
  /// Crossbar activations of the whole layer: the computing cycles (CC) if one array were reused
  /// for every tile.
  public var activations: Int { windows * crossbars.count }
  /// Computing cycles (CC), as defined by the VW-SDK calculator; equal to `activations`.
  public var computingCycles: Int { activations }
  /// Input extent one window reads: (rows, columns) [pixels].
  public var inputExtent: (height: Int, width: Int) {
    var h = 1, w = 1
    for x in crossbars { for r in x.rows { h = max(h, Int(r.dy) + 1); w = max(w, Int(r.dx) + 1) } }
    return (h, w)
  }
  /// Distinct output groups.
  public var outputGroupCount: Int { Set(crossbars.map(\.outputGroup)).count }
  /// Useful weight cells / (crossbars x rows x columns), averaged over activations.
  public func utilization(rows: Int, columns: Int) -> Double {
    guard !crossbars.isEmpty else { return 0 }
    let useful = crossbars.reduce(0) { $0 + $1.usefulCells }
    return Double(useful) / Double(crossbars.count * rows * columns)
  }
}

/// The array geometry and number formats a mapper lays weights out for.
public struct ArrayGeometry: Sendable, Equatable {
  /// Rows per array.
  public var rows: Int
  /// Columns per array.
  public var columns: Int
  /// Weight slices (`ceil(weightBits / bitsPerCell)`).
  public var slicesPerWeight: Int
  /// Whether each slice uses a positive and a negative column.
  public var isDifferential: Bool
  /// Creates a geometry.
  public init(rows: Int, columns: Int, slicesPerWeight: Int, isDifferential: Bool = false) {
    self.rows = rows; self.columns = columns
    self.slicesPerWeight = slicesPerWeight; self.isDifferential = isDifferential
  }
  /// The geometry of a hardware spec.
  public init(_ spec: ArchSpec) {
    self.init(rows: spec.ima.crossbar.rows, columns: spec.ima.crossbar.columns,
              slicesPerWeight: spec.slicesPerWeight, isDifferential: spec.data.weightEncoding == .differential)
  }
  /// Columns one weight occupies.
  public var columnsPerWeight: Int { slicesPerWeight * (isDifferential ? 2 : 1) }
  /// Whole weights one array row holds: `floor(columns / columnsPerWeight)`.
  public var weightsPerRow: Int { columns / columnsPerWeight }
  /// The column sinks of one weight, adjacent columns, least significant slice first.
  public func sinks(outChannel: Int, dy: Int = 0, dx: Int = 0) -> [ColumnSink] {
    var s: [ColumnSink] = []
    for sign in isDifferential ? [1, -1] : [1] {
      for slice in 0..<slicesPerWeight {
        s.append(ColumnSink(outChannel: outChannel, dy: dy, dx: dx, slice: slice, sign: sign))
      }
    }
    return s
  }
}

/// The layouts of a whole network (nil for layers without weights).
public struct NetworkLayout: Sendable {
  /// The network.
  public var network: Network
  /// One layout per matrix layer, nil for pooling and additions.
  public var layouts: [LayerLayout?]
  /// Creates a network layout.
  public init(network: Network, layouts: [LayerLayout?]) { self.network = network; self.layouts = layouts }

  /// Maps every matrix layer of `network` with `mapper`.
  public static func map(_ network: Network, with mapper: any WeightMapper,
                         geometry: ArrayGeometry) throws -> NetworkLayout {
    var layouts: [LayerLayout?] = []
    for (i, l) in network.layers.enumerated() {
      layouts.append(l.operation.isMatrix ? try mapper.map(layer: i, of: network, geometry: geometry) : nil)
    }
    return NetworkLayout(network: network, layouts: layouts)
  }

  /// Crossbars of all layers.
  public var crossbars: Int { layouts.reduce(0) { $0 + ($1?.crossbars.count ?? 0) } }
}
