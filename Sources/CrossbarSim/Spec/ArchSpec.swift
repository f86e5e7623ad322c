// MARK: - Hardware description (Timeloop/Accelergy style: architecture is its own input)

/// The complete description of a modelled ReRAM accelerator: geometry, timing, energy and area.
///
/// Every per-unit figure is for one instance; counts follow from the geometry, so totals are
/// arithmetic over the rows (the ISAAC totals are reproduced, never hard-coded).
public struct ArchSpec: Codable, Sendable, Equatable {
  /// Schema version of the file; only 1 exists.
  public var version: Int
  /// Name shown in outputs (the preset name unless overridden).
  public var name: String
  /// Base clock of the simulation [GHz]; every latency is converted to whole cycles of it.
  public var clockGHz: Double
  /// Number formats on the array.
  public var data: DataSpec
  /// Chip-level organisation.
  public var chip: ChipSpec
  /// Tile-level units shared by the IMAs of a tile.
  public var tile: TileSpec
  /// In-situ multiply-accumulate unit (IMA): crossbars and their periphery.
  public var ima: IMASpec
  /// Sparsity index tables, charged only by layouts that carry them.
  public var sparsityTable: SparsityTableSpec
  /// Cell non-idealities for functional inference (ideal by default).
  public var device: DeviceSpec

  /// Creates a spec from its parts.
  public init(version: Int = 1, name: String, clockGHz: Double, data: DataSpec, chip: ChipSpec,
              tile: TileSpec, ima: IMASpec, sparsityTable: SparsityTableSpec, device: DeviceSpec = .ideal) {
    self.version = version; self.name = name; self.clockGHz = clockGHz; self.data = data
    self.chip = chip; self.tile = tile; self.ima = ima; self.sparsityTable = sparsityTable; self.device = device
  }
}

/// How signed weights are stored on non-negative conductances.
public enum WeightEncoding: String, Codable, Sendable, CaseIterable {
  /// Unsigned weights with an integer zero point subtracted digitally ([XA]).
  case offset
  /// A positive and a negative column per weight slice.
  case differential
}

/// Number formats: weight, input and output precision and the signed-weight encoding.
public struct DataSpec: Codable, Sendable, Equatable {
  /// Weight precision [bits].
  public var weightBits: Int
  /// Input (activation) precision [bits]; streamed bit-serially through the DACs.
  public var inputBits: Int
  /// Precision of a layer output written back to the buffer [bits].
  public var outputBits: Int
  /// Signed-weight encoding on the array.
  public var weightEncoding: WeightEncoding
  /// How the functional paths quantize weights no quant-* compressor has quantized: a scale per
  /// output channel (crossbar column group) or one per layer.
  public var weightScales: WeightScaleGranularity = .channel
  /// Percentile of each activation tensor's magnitudes on the calibration images that its format
  /// covers (100: the largest value; below 100 clips outliers, which saturate, for finer codes).
  public var activationPercentile: Double = 100
  /// How each activation format's clip is chosen below that percentile: the percentile itself, or
  /// the clip that minimizes the format's expected squared error (`mse`).
  public var activationClipping: ActivationClipping = .percentile
  /// Scale family of the functional paths' formats for layers no quant-* compressor quantized:
  /// powers of two (every requantization a shift, [XA]'s integer-only property) or floating point
  /// (one multiply per output, charged on the tile's multipliers as `quant-fp` is).
  public var scales: ScaleFamily = .powerOfTwo
}

/// How an activation format's clip is chosen from the calibration images' magnitudes.
///
/// `percentile`: the `data.activationPercentile` of the magnitudes (100: the largest). `mse`: among
/// the clips up to that percentile (powers of two times the largest code with power-of-two scales),
/// the one with the least expected squared error: saturation above the clip plus `step^2 / 12`
/// rounding below it, summed over a 4,096-bin histogram of the magnitudes.
public enum ActivationClipping: String, Codable, Sendable, CaseIterable {
  case percentile, mse
}

/// Scale family of the functional paths' number formats.
public enum ScaleFamily: String, Codable, Sendable, CaseIterable {
  case powerOfTwo, float
}

/// Weight scales of the quantized paths.
///
/// `channel`: symmetric levels per output channel, `W[o] ~ S[o] * q`, `|q| <= 2^(b-1) - 1`, every
/// column stored with the same offset `2^(b-1)` (so the crossbars' zero-point correction stays one
/// per layer), and each column's rescale its own shift (power-of-two scales) or multiply in the
/// tile's output stage: no extra hardware beyond a per-column shift amount. `tensor`: one
/// asymmetric scale and zero point per layer, as [XA]'s quant-* compressors write.
public enum WeightScaleGranularity: String, Codable, Sendable, CaseIterable {
  case channel, tensor
}

/// The off-chip links (ISAAC's HyperTransport) to the memory that holds what the tile buffers cannot.
public struct OffChipSpec: Codable, Sendable, Equatable {
  /// Links; 0 means no off-chip memory (data that does not fit on chip cannot go anywhere).
  public var count: Int
  /// Bandwidth of one link [GB/s].
  public var bandwidthGBps: Double
  /// Latency of one off-chip access, link and memory [ns].
  public var accessLatencyNs: Double
  /// Energy to move one bit over a link [pJ].
  public var energyPerBitPJ: Double
  /// Power of one link [mW].
  public var powerMW: Double
  /// Leakage power of one link, charged over the whole run [mW].
  public var leakageMW: Double
  /// Area of one link [mm²].
  public var areaMm2: Double
}

/// Chip organisation: tiles, routers, off-chip links.
public struct ChipSpec: Codable, Sendable, Equatable {
  /// Tiles on the chip.
  public var tiles: Int
  /// Tiles that share one router (concentrated mesh).
  public var tilesPerRouter: Int
  /// Off-chip links: spilled activations cross them (energy per bit); their power and area count
  /// in the chip totals.
  public var hyperTransport: OffChipSpec
}

/// A digital unit with `lanes` values processed per cycle (shift-and-add, max-pool, sigmoid).
public struct UnitSpec: Codable, Sendable, Equatable {
  /// Units of this kind per parent.
  public var count: Int
  /// Values one unit processes per cycle.
  public var lanes: Int
  /// Energy of one unit-cycle (one op over `lanes` values) [pJ].
  public var energyPerOpPJ: Double
  /// Power of one unit [mW].
  public var powerMW: Double
  /// Leakage power of one unit [mW].
  public var leakageMW: Double
  /// Area of one unit [mm²].
  public var areaMm2: Double
}

/// A register file (input/output registers).
///
/// Power, leakage and area are given for a register of `referenceBytes`; a register of another
/// size scales them linearly (more banks of the same SRAM, each access `accessBits` wide, so the
/// energy per access stays). The size is `auto` (what the geometry and number formats need, see
/// `ArchSpec.registerBytes`) or a fixed number of bytes.
public struct RegisterSpec: Codable, Sendable, Equatable {
  /// Capacity [bytes], or `auto`.
  public var sizeBytes: AutoCount
  /// Capacity the power, leakage and area below are given for [bytes].
  public var referenceBytes: Int
  /// Width of one access [bits].
  public var accessBits: Int
  /// Energy of one access [pJ].
  public var energyPerAccessPJ: Double
  /// Power at `referenceBytes` [mW].
  public var powerMW: Double
  /// Leakage power at `referenceBytes` [mW].
  public var leakageMW: Double
  /// Area at `referenceBytes` [mm²].
  public var areaMm2: Double
}

/// The tile's eDRAM buffer and its bus to the IMAs.
public struct BufferSpec: Codable, Sendable, Equatable {
  /// Capacity [KB].
  public var sizeKB: Int
  /// Banks.
  public var banks: Int
  /// Bits moved per cycle [bits].
  public var busWidthBits: Int
  /// Latency of one access before its data streams [ns].
  public var accessLatencyNs: Double
  /// Energy of one `busWidthBits` access [pJ].
  public var energyPerAccessPJ: Double
  /// Power [mW].
  public var powerMW: Double
  /// Leakage power [mW].
  public var leakageMW: Double
  /// Area [mm²].
  public var areaMm2: Double
}

/// The eDRAM-to-IMA bus.
public struct BusSpec: Codable, Sendable, Equatable {
  /// Wires.
  public var wires: Int
  /// Energy per bit moved [pJ].
  public var energyPerBitPJ: Double
  /// Power [mW].
  public var powerMW: Double
  /// Leakage power [mW].
  public var leakageMW: Double
  /// Area [mm²].
  public var areaMm2: Double
}

/// One router of the concentrated mesh network on chip.
public struct RouterSpec: Codable, Sendable, Equatable {
  /// Flit width [bits].
  public var flitBits: Int
  /// Ports.
  public var ports: Int
  /// Latency of one hop [ns].
  public var hopLatencyNs: Double
  /// Serialisation time of one flit on a link [ns].
  public var flitLatencyNs: Double
  /// Energy of one flit over one hop [pJ].
  public var energyPerFlitHopPJ: Double
  /// Power of one router [mW].
  public var powerMW: Double
  /// Leakage power of one router [mW].
  public var leakageMW: Double
  /// Area of one router [mm²].
  public var areaMm2: Double
}

/// Units of one tile.
public struct TileSpec: Codable, Sendable, Equatable {
  /// IMAs per tile.
  public var imas: Int
  /// eDRAM buffer.
  public var buffer: BufferSpec
  /// eDRAM-to-IMA bus.
  public var bus: BusSpec
  /// Router (shared by `chip.tilesPerRouter` tiles).
  public var router: RouterSpec
  /// Activation-function units.
  public var sigmoid: UnitSpec
  /// Shift-and-add units for partial sums across IMAs and residual additions.
  public var shiftAdd: UnitSpec
  /// Max-pool units (also used for average pooling).
  public var maxPool: UnitSpec
  /// Tile output register.
  public var outputRegister: RegisterSpec
  /// Output rescale units (shift for power-of-two scales, multiplier for floating-point scales).
  public var rescale: RescaleSpec
}

/// Rescaling output values after the crossbars: a shift in the tile's shift-and-add units for
/// power-of-two scales ([XA] integer-only), or floating-point multipliers, which only a layout
/// with floating-point scales needs on its tiles.
public struct RescaleSpec: Codable, Sendable, Equatable {
  /// A shift (power-of-two scale) [pJ].
  public var shiftEnergyPJ: Double
  /// A 32-bit floating-point multiply [pJ].
  public var multiplyEnergyPJ: Double
  /// Floating-point multipliers on a tile that rescales with them.
  public var multipliersPerTile: Int
  /// Peak power of one multiplier [mW].
  public var multiplierPowerMW: Double
  /// Area of one multiplier [mm²].
  public var multiplierAreaMm2: Double
}

/// One crossbar array.
///
/// The figures below are given for an array of `referenceRows` x `referenceColumns` cells (ISAAC:
/// 128 x 128); an array of `rows` x `columns` is priced by the laws of `ArchSpec.array` (per-cell
/// area, energy and power; an RC wire delay growing with the square of line length).
public struct CrossbarSpec: Codable, Sendable, Equatable {
  /// Word lines [rows].
  public var rows: Int
  /// Bit lines [columns].
  public var columns: Int
  /// Bits stored per cell.
  public var bitsPerCell: Int
  /// Rows of the array the figures below are given for.
  public var referenceRows: Int
  /// Columns of the array the figures below are given for.
  public var referenceColumns: Int
  /// One read (DAC drive, array settle, sample-and-hold) at the reference geometry [ns].
  public var readLatencyNs: Double
  /// The part of `readLatencyNs` that is word-line and bit-line RC settling [ns].
  public var wireDelayNs: Double
  /// Energy of one read with every row and column active, at the reference geometry [pJ];
  /// scaled by the active fraction.
  public var readEnergyPJ: Double
  /// Time to program one row [ns].
  public var writeLatencyPerRowNs: Double
  /// Energy to program one row of `referenceColumns` cells [pJ].
  public var writeEnergyPerRowPJ: Double
  /// Power of one array at the reference geometry [mW].
  public var powerMW: Double
  /// Leakage power of one array at the reference geometry [mW].
  public var leakageMW: Double
  /// Area of one array at the reference geometry [mm²].
  public var areaMm2: Double
}

/// A DAC; one drives one crossbar row.
public struct DACSpec: Codable, Sendable, Equatable {
  /// Input bits applied per read.
  public var bits: Int
  /// Energy to drive one row for one read [pJ].
  public var energyPerDrivePJ: Double
  /// Power of one DAC [mW].
  public var powerMW: Double
  /// Leakage power of one DAC [mW].
  public var leakageMW: Double
  /// Area of one DAC [mm²].
  public var areaMm2: Double
}

/// A sample-and-hold; one per crossbar column.
public struct SampleHoldSpec: Codable, Sendable, Equatable {
  /// Energy of one sample [pJ].
  public var energyPerSamplePJ: Double
  /// Power of one unit [mW].
  public var powerMW: Double
  /// Leakage power of one unit [mW].
  public var leakageMW: Double
  /// Area of one unit [mm²].
  public var areaMm2: Double
}

/// Units of one IMA.
public struct IMASpec: Codable, Sendable, Equatable {
  /// Crossbars per IMA.
  public var crossbars: Int
  /// Crossbar array.
  public var crossbar: CrossbarSpec
  /// Row DACs.
  public var dac: DACSpec
  /// Column sample-and-holds.
  public var sampleHold: SampleHoldSpec
  /// Column ADCs.
  public var adc: ADCSpec
  /// Shift-and-add units combining bit-cycles and weight slices.
  public var shiftAdd: UnitSpec
  /// Input register.
  public var inputRegister: RegisterSpec
  /// Output register.
  public var outputRegister: RegisterSpec
}

/// What one entry of a sparsity index table stands for.
public enum TableGranularity: String, Codable, Sendable, CaseIterable {
  /// One entry per kept row (input selection) or kept column (output alignment): the least a
  /// row- or column-compacted crossbar needs (PIM-Prune, SNrram).
  case row
  /// One entry per kept weight, as a sparse weight format stores it (CSR; EIE's relative indices):
  /// the reading under which [XA]'s "about 44 % more storage" holds (about 3.5 bits per 8-bit weight).
  case weight
}

/// Sparsity index tables: one small SRAM next to each crossbar of a fine-grained pruned layout,
/// one entry per kept row (input selection) or column (output alignment), or per kept weight
/// (`granularity`), each entry the index of the original row or column: `indexBits`, by default
/// `ceil(log2(range))` bits for a layer with `range` weight rows (input tables) or weight columns
/// (output tables). Priced per bit as SRAM.
public struct SparsityTableSpec: Codable, Sendable, Equatable {
  /// Entries per kept row or column (`row`, the default) or per kept weight (`weight`).
  public var granularity: TableGranularity = .row
  /// Bits per entry: `auto` (`ceil(log2(range))`, an absolute index) or a fixed width (EIE stores
  /// 4-bit relative indices, padding longer gaps with zero entries).
  public var indexBits: AutoCount = .auto
  /// Latency of reading a crossbar's table, paid before the crossbar is driven [ns].
  public var lookupLatencyNs: Double
  /// Energy of reading one table bit; a crossbar reads its whole table once per activation [pJ].
  public var readEnergyPerBitPJ: Double
  /// Energy of routing one value through input selection (an indexed read of the input register)
  /// or output alignment [pJ].
  public var routeEnergyPerValuePJ: Double
  /// Leakage power of one table bit [mW].
  public var leakagePerBitMW: Double
  /// Area of one table bit, cell and periphery [µm²].
  public var areaPerBitUm2: Double
}

// MARK: - Derived quantities

extension ArchSpec {
  /// The base clock.
  public var clock: Clock { Clock(frequencyGHz: clockGHz) }
  /// Cells holding one weight: `ceil(weightBits / bitsPerCell)` slices, doubled for differential pairs.
  public var cellsPerWeight: Int {
    let slices = (data.weightBits + ima.crossbar.bitsPerCell - 1) / ima.crossbar.bitsPerCell
    return data.weightEncoding == .differential ? 2 * slices : slices
  }
  /// Weight slices of `bitsPerCell` bits per weight.
  public var slicesPerWeight: Int { (data.weightBits + ima.crossbar.bitsPerCell - 1) / ima.crossbar.bitsPerCell }
  /// Bit-serial input cycles per activation: `ceil(inputBits / dac.bits)`.
  public var inputCycles: Int { (data.inputBits + ima.dac.bits - 1) / ima.dac.bits }
  /// Crossbars on the chip.
  public var crossbarsPerChip: Int { chip.tiles * crossbarsPerTile }
  /// Crossbars per tile.
  public var crossbarsPerTile: Int { tile.imas * ima.crossbars }
  /// ADC resolution a lossless conversion needs with every row active (ISAAC's rule, before its
  /// flip encoding saves one bit).
  public var losslessADCBits: Int {
    BitSerialModel.losslessADCBits(rows: ima.crossbar.rows, dacBits: ima.dac.bits, cellBits: ima.crossbar.bitsPerCell)
  }

}
