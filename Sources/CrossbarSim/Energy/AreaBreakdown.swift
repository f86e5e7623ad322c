// MARK: - Area and peak power by component class, for the whole chip and for what a run occupies

/// The hardware a run occupies: crossbars, IMAs and tiles holding its layers (all copies and
/// rounds), and the peripherals its layouts add.
public struct Occupancy: Sendable, Equatable {
  /// Crossbars holding weights.
  public var crossbars: Int
  /// ADCs serving them (shared ADCs serve the crossbars of one IMA).
  public var adcs: Int
  /// IMAs with at least one such crossbar.
  public var imas: Int
  /// Tiles with at least one such IMA or a digital layer (pooling, addition).
  public var tiles: Int
  /// Bits of the sparsity index tables in use.
  public var tableBits: Int
  /// Tiles whose outputs are rescaled by floating-point multipliers.
  public var multiplierTiles: Int
  /// Whether the off-chip links are in use (spilled data; the chip scope always has them).
  public var offChipLinks: Bool

  /// Creates an occupancy.
  public init(crossbars: Int, adcs: Int, imas: Int, tiles: Int, tableBits: Int = 0, multiplierTiles: Int = 0,
              offChipLinks: Bool = false) {
    self.crossbars = crossbars; self.adcs = adcs; self.imas = imas; self.tiles = tiles; self.tableBits = tableBits
    self.multiplierTiles = multiplierTiles; self.offChipLinks = offChipLinks
  }
}

/// One row of `area.csv`.
public struct AreaRow: Sendable, Equatable {
  /// `used` (what the run occupies) or `chip` (the whole chip of the arch).
  public var scope: String
  /// Component class (as in the energy breakdown), or `total`.
  public var componentClass: String
  /// Area [mm²].
  public var areaMm2: Double
  /// Peak power [mW].
  public var peakPowerMW: Double
}

extension AreaPowerModel {
  /// Classes in `area.csv` order.
  public static let areaClasses: [EnergyClass] = [.adc, .dac, .crossbar, .sampleHold, .shiftAdd, .registers, .buffer,
                                                  .noc,
                                                  .digital, .sparsityTables, .rescale, .offChip]

  /// Area and peak power per class of the hardware in `o`: per crossbar its array, row DACs,
  /// column S+Hs and its share of the ADCs (at the chip's resolution); per IMA its shift-and-add
  /// units and registers; per tile its buffer, bus, router share, digital units and output
  /// register; the index tables the layouts add (per bit; peak power: every bit read once per
  /// crossbar read), the floating-point rescale multipliers of the tiles that need them, and the
  /// off-chip links when they are in use.
  public func classes(_ o: Occupancy) -> [EnergyClass: (areaMm2: Double, powerMW: Double)] {
    let i = spec.ima, t = spec.tile, x = Double(o.crossbars), bits = spec.chipADCBits
    var out: [EnergyClass: (areaMm2: Double, powerMW: Double)] = [:]
    func add(_ c: EnergyClass, _ n: Double, area: Double, power: Double) {
      let v = out[c] ?? (0, 0)
      out[c] = (v.areaMm2 + n * area, v.powerMW + n * power)
    }
    add(.adc, Double(o.adcs), area: i.adc.areaMm2(bits: bits), power: i.adc.powerMW(bits: bits))
    add(.dac, x * Double(i.crossbar.rows), area: i.dac.areaMm2, power: i.dac.powerMW)
    add(.crossbar, x, area: spec.array.areaMm2, power: spec.array.powerMW)
    add(.sampleHold, x * Double(i.crossbar.columns), area: i.sampleHold.areaMm2, power: i.sampleHold.powerMW)
    let imas = Double(o.imas), tiles = Double(o.tiles)
    add(.shiftAdd, imas * Double(i.shiftAdd.count), area: i.shiftAdd.areaMm2, power: i.shiftAdd.powerMW)
    add(.shiftAdd, tiles * Double(t.shiftAdd.count), area: t.shiftAdd.areaMm2, power: t.shiftAdd.powerMW)
    let input = spec.registerCosts(.imaInput), output = spec.registerCosts(.imaOutput)
    let tileOutput = spec.registerCosts(.tileOutput)
    add(.registers, imas, area: input.areaMm2 + output.areaMm2, power: input.powerMW + output.powerMW)
    add(.registers, tiles, area: tileOutput.areaMm2, power: tileOutput.powerMW)
    add(.buffer, tiles, area: t.buffer.areaMm2 + t.bus.areaMm2, power: t.buffer.powerMW + t.bus.powerMW)
    add(.noc, tiles / Double(spec.chip.tilesPerRouter), area: t.router.areaMm2, power: t.router.powerMW)
    add(.digital, tiles * Double(t.sigmoid.count), area: t.sigmoid.areaMm2, power: t.sigmoid.powerMW)
    add(.digital, tiles * Double(t.maxPool.count), area: t.maxPool.areaMm2, power: t.maxPool.powerMW)
    let st = spec.sparsityTable
    add(.sparsityTables, Double(o.tableBits), area: st.areaPerBitUm2 * 1e-6,
        power: st.readEnergyPerBitPJ / spec.array.readLatencyNs)
    add(.rescale, Double(o.multiplierTiles * t.rescale.multipliersPerTile), area: t.rescale.multiplierAreaMm2,
        power: t.rescale.multiplierPowerMW)
    let h = spec.chip.hyperTransport
    if o.offChipLinks { add(.offChip, Double(h.count), area: h.areaMm2, power: h.powerMW) }
    return out
  }

  /// The whole chip as the arch describes it, with FP multipliers on every tile when the layouts
  /// rescale with them (`fpRescale`); index tables belong to the layout, so only to `used`.
  public func chipOccupancy(fpRescale: Bool = false) -> Occupancy {
    let imas = spec.chip.tiles * spec.tile.imas
    return Occupancy(crossbars: spec.crossbarsPerChip, adcs: imas * spec.adcCount(crossbars: spec.ima.crossbars),
                     imas: imas,
                     tiles: spec.chip.tiles, multiplierTiles: fpRescale ? spec.chip.tiles : 0, offChipLinks: true)
  }

  /// `area.csv` rows: per class and a total, for `used` (the run's occupancy) and `chip`.
  public func areaRows(used: Occupancy) -> [AreaRow] {
    var rows: [AreaRow] = []
    for (scope, o) in [("used", used), ("chip", chipOccupancy(fpRescale: used.multiplierTiles > 0))] {
      let c = classes(o)
      var area = 0.0, power = 0.0
      for k in Self.areaClasses {
        let v = c[k] ?? (0, 0)
        rows.append(AreaRow(scope: scope, componentClass: k.rawValue, areaMm2: v.areaMm2, peakPowerMW: v.powerMW))
        area += v.areaMm2; power += v.powerMW
      }
      rows.append(AreaRow(scope: scope, componentClass: "total", areaMm2: area, peakPowerMW: power))
    }
    return rows
  }
}
