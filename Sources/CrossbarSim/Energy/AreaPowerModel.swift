// MARK: - Peak power and area from component counts (Accelergy style: counts x per-unit table)

/// Power and area of the chip, built up from per-unit figures and geometry-derived counts.
public struct AreaPowerModel: Sendable {
  /// One component row: how many units at which level, and their totals.
  public struct Row: Sendable, Equatable {
    /// Component path, e.g. `tile.ima.adc`.
    public var path: String
    /// Units at this level (per IMA, per tile or per chip).
    public var count: Double
    /// Power of all units [mW].
    public var powerMW: Double
    /// Leakage of all units [mW].
    public var leakageMW: Double
    /// Area of all units [mm²].
    public var areaMm2: Double
  }

  /// The spec modelled.
  public let spec: ArchSpec
  /// Creates the model of `spec`.
  public init(spec: ArchSpec) { self.spec = spec }

  private func row(_ path: String, _ count: Double, power: Double, leak: Double, area: Double) -> Row {
    Row(path: path, count: count, powerMW: count * power, leakageMW: count * leak, areaMm2: count * area)
  }

  /// Rows of one IMA.
  public var imaRows: [Row] {
    let i = spec.ima, x = Double(i.crossbars), bits = spec.chipADCBits, a = spec.array
    let input = spec.registerCosts(.imaInput), output = spec.registerCosts(.imaOutput)
    return [
      row("tile.ima.adc", Double(spec.adcCount(crossbars: i.crossbars)), power: i.adc.powerMW(bits: bits),
          leak: i.adc.leakageMW(bits: bits), area: i.adc.areaMm2(bits: bits)),
      row("tile.ima.dac", x * Double(i.crossbar.rows), power: i.dac.powerMW, leak: i.dac.leakageMW,
          area: i.dac.areaMm2),
      row("tile.ima.sampleHold", x * Double(i.crossbar.columns), power: i.sampleHold.powerMW,
          leak: i.sampleHold.leakageMW,
          area: i.sampleHold.areaMm2),
      row("tile.ima.crossbar", x, power: a.powerMW, leak: a.leakageMW, area: a.areaMm2),
      row("tile.ima.shiftAdd", Double(i.shiftAdd.count), power: i.shiftAdd.powerMW, leak: i.shiftAdd.leakageMW,
          area: i.shiftAdd.areaMm2),
      row("tile.ima.inputRegister", 1, power: input.powerMW, leak: input.leakageMW, area: input.areaMm2),
      row("tile.ima.outputRegister", 1, power: output.powerMW, leak: output.leakageMW, area: output.areaMm2),
    ]
  }

  /// Rows of one tile, excluding its IMAs; the router row is this tile's share.
  public var tileRows: [Row] {
    let t = spec.tile, output = spec.registerCosts(.tileOutput)
    return [
      row("tile.buffer", 1, power: t.buffer.powerMW, leak: t.buffer.leakageMW, area: t.buffer.areaMm2),
      row("tile.bus", 1, power: t.bus.powerMW, leak: t.bus.leakageMW, area: t.bus.areaMm2),
      row("tile.router", 1.0 / Double(spec.chip.tilesPerRouter), power: t.router.powerMW, leak: t.router.leakageMW,
          area: t.router.areaMm2),
      row("tile.sigmoid", Double(t.sigmoid.count), power: t.sigmoid.powerMW, leak: t.sigmoid.leakageMW,
          area: t.sigmoid.areaMm2),
      row("tile.shiftAdd", Double(t.shiftAdd.count), power: t.shiftAdd.powerMW, leak: t.shiftAdd.leakageMW,
          area: t.shiftAdd.areaMm2),
      row("tile.maxPool", Double(t.maxPool.count), power: t.maxPool.powerMW, leak: t.maxPool.leakageMW,
          area: t.maxPool.areaMm2),
      row("tile.outputRegister", 1, power: output.powerMW, leak: output.leakageMW, area: output.areaMm2),
    ]
  }

  /// Chip-level rows outside the tiles.
  public var chipRows: [Row] {
    let h = spec.chip.hyperTransport
    return [row("chip.hyperTransport", Double(h.count), power: h.powerMW, leak: h.leakageMW, area: h.areaMm2)]
  }

  private func sum(_ rows: [Row]) -> Row {
    rows.reduce(Row(path: "", count: 1, powerMW: 0, leakageMW: 0, areaMm2: 0)) {
      Row(path: $0.path, count: 1, powerMW: $0.powerMW + $1.powerMW, leakageMW: $0.leakageMW + $1.leakageMW,
          areaMm2: $0.areaMm2 + $1.areaMm2)
    }
  }

  /// One IMA.
  public var ima: Row { var r = sum(imaRows); r.path = "ima"; return r }
  /// One tile including its IMAs.
  public var tile: Row {
    let i = ima, n = Double(spec.tile.imas), t = sum(tileRows)
    return Row(path: "tile", count: 1, powerMW: t.powerMW + n * i.powerMW, leakageMW: t.leakageMW + n * i.leakageMW,
               areaMm2: t.areaMm2 + n * i.areaMm2)
  }
  /// The whole chip: tiles plus chip-level rows.
  public var chip: Row {
    let t = tile, n = Double(spec.chip.tiles), c = sum(chipRows)
    return Row(path: "chip", count: 1, powerMW: c.powerMW + n * t.powerMW, leakageMW: c.leakageMW + n * t.leakageMW,
               areaMm2: c.areaMm2 + n * t.areaMm2)
  }
  /// Leakage of the whole chip [mW].
  public var leakageMW: Double { chip.leakageMW }
}
