import Foundation
import Yams

// MARK: - Loading, overrides and validation

extension ArchSpec {
  /// Loads a preset by name or a YAML/JSON file, applies `--set` overrides, and validates.
  ///
  /// A file has `version: 1`, an optional `base:` preset (default `isaac`), and any keys of the
  /// spec to override, e.g. `ima: {adc: {countPerCrossbar: 2}}`.
  public static func load(_ presetOrFile: String, overrides: [String] = []) throws -> ArchSpec {
    var tree: [String: Any]
    var source = presetOrFile
    if let spec = try? preset(named: presetOrFile) {
      tree = try ConfigTree.tree(of: spec)
      source = "preset \(presetOrFile)"
    } else if FileManager.default.fileExists(atPath: presetOrFile) {
      tree = try fileTree(text: ConfigTree.readText(presetOrFile), source: presetOrFile)
    } else {
      throw InputError("--arch '\(presetOrFile)': neither a preset " +
          "(known: \(allPresets.map(\.name).joined(separator: ", "))) nor an existing file")
    }
    for o in overrides { try ConfigTree.set(o, in: &tree) }
    let spec = try ConfigTree.decode(ArchSpec.self, from: tree, source: source)
    let problems = spec.validate()
    if !problems.isEmpty { throw InputError(problems: problems.map { "\(source): \($0)" }) }
    return spec
  }

  /// Parses and validates spec text (YAML or JSON) from `source`.
  public static func parse(text: String, source: String) throws -> ArchSpec {
    let tree = try fileTree(text: text, source: source)
    let spec = try ConfigTree.decode(ArchSpec.self, from: tree, source: source)
    let problems = spec.validate()
    if !problems.isEmpty { throw InputError(problems: problems.map { "\(source): \($0)" }) }
    return spec
  }

  /// Loads an arch file's keys given inline (a run file's `arch:` mapping): `base:` preset
  /// (default `isaac`), overrides, then `--set` assignments, validated.
  public static func load(inline tree: [String: Any], source: String, overrides: [String] = []) throws -> ArchSpec {
    var tree = tree
    if tree["version"] == nil { tree["version"] = 1 }
    var merged = try fileTree(user: tree, source: source)
    for o in overrides { try ConfigTree.set(o, in: &merged) }
    let spec = try ConfigTree.decode(ArchSpec.self, from: merged, source: source)
    let problems = spec.validate()
    if !problems.isEmpty { throw InputError(problems: problems.map { "\(source): \($0)" }) }
    return spec
  }

  static func fileTree(text: String, source: String) throws -> [String: Any] {
    try fileTree(user: ConfigTree.parse(text, source: source), source: source)
  }

  static func fileTree(user: [String: Any], source: String) throws -> [String: Any] {
    var user = user
    guard let version = user["version"] else { throw InputError("\(source): missing key 'version' (expected version: " +
        "1)") }
    guard (version as? Int) == 1 else {
      if version is String { throw InputError("\(source): 'version' is the text '\(version)'; write version: 1 (a " +
          "number, no quotes)") }
      throw InputError("\(source): 'version' is \(version); only version 1 exists")
    }
    var baseName = "isaac"
    if let b = user.removeValue(forKey: "base") {
      guard let s = b as? String else { throw InputError("\(source): 'base' must be a preset name") }
      baseName = s
    }
    let base: ArchSpec
    do { base = try preset(named: baseName) } catch let e as InputError {
      throw InputError("\(source): 'base': \(e.description)")
    }
    var tree = try ConfigTree.tree(of: base)
    var problems: [String] = []
    ConfigTree.merge(user, into: &tree, path: "", source: source, problems: &problems)
    if !problems.isEmpty { throw InputError(problems: problems) }
    return tree
  }

  /// The resolved spec as YAML, written next to every run's results.
  public func yaml() throws -> String { try YAMLNumbers.human(YAMLEncoder().encode(self)) }

  /// Every problem with this spec, each naming its key path and the valid range.
  public func validate() -> [String] {
    var p: [String] = []
    // Upper limits keep every product the engine forms (cycles, bytes, crossbar counts) far from
    // overflow; each is orders of magnitude beyond any real design (README, "Arch files").
    func positive(_ v: Double, _ key: String, max: Double? = nil) {
      let hi = max ?? (key.hasSuffix("Ns") ? Limits.latencyNs : Limits.quantity)
      if !(v > 0 && v <= hi) { p.append("'\(key)' is \(v); must be > 0 and <= \(StatNode.number(hi))") }
    }
    func positive(_ v: Int, _ key: String, max: Int = Limits.count) {
      if v <= 0 || v > max { p.append("'\(key)' is \(v); must be in 1...\(max)") }
    }
    func nonNegative(_ v: Double, _ key: String) {
      let hi = key.hasSuffix("Ns") ? Limits.latencyNs : Limits.quantity
      if !(v >= 0 && v <= hi) { p.append("'\(key)' is \(v); must be >= 0 and <= \(StatNode.number(hi))") }
    }
    func inRange(_ v: Int, _ r: ClosedRange<Int>, _ key: String) {
      if !r.contains(v) { p.append("'\(key)' is \(v); must be in \(r.lowerBound)...\(r.upperBound)") }
    }
    if version != 1 { p.append("'version' is \(version); only version 1 exists") }
    positive(clockGHz, "clockGHz", max: Limits.clockGHz)
    inRange(data.weightBits, 1...32, "data.weightBits")
    inRange(data.inputBits, 1...32, "data.inputBits")
    inRange(data.outputBits, 1...32, "data.outputBits")
    if !(data.activationPercentile > 50 && data.activationPercentile <= 100) {
      p.append("'data.activationPercentile' is \(data.activationPercentile); must be > 50 and <= 100")
    }
    inRange(chip.tiles, 1...65535, "chip.tiles")
    if Double(chip.tiles) * Double(tile.imas) * Double(ima.crossbars) > Double(Limits.crossbarsPerChip) {
      p.append("chip.tiles x tile.imas x ima.crossbars is \(chip.tiles) x \(tile.imas) x \(ima.crossbars); must be " +
          "at most \(Limits.crossbarsPerChip) crossbars")
    }
    positive(chip.tilesPerRouter, "chip.tilesPerRouter")
    let h = chip.hyperTransport
    inRange(h.count, 0...Limits.count, "chip.hyperTransport.count"); positive(h.bandwidthGBps,
                                                                              "chip.hyperTransport.bandwidthGBps")
    nonNegative(h.accessLatencyNs, "chip.hyperTransport.accessLatencyNs")
    nonNegative(h.energyPerBitPJ, "chip.hyperTransport.energyPerBitPJ"); nonNegative(h.powerMW,
        "chip.hyperTransport.powerMW")
    nonNegative(h.leakageMW, "chip.hyperTransport.leakageMW"); nonNegative(h.areaMm2, "chip.hyperTransport.areaMm2")
    positive(tile.imas, "tile.imas")
    let b = tile.buffer
    positive(b.sizeKB, "tile.buffer.sizeKB"); positive(b.banks, "tile.buffer.banks")
    positive(b.busWidthBits, "tile.buffer.busWidthBits"); nonNegative(b.accessLatencyNs, "tile.buffer.accessLatencyNs")
    nonNegative(b.energyPerAccessPJ, "tile.buffer.energyPerAccessPJ"); nonNegative(b.powerMW, "tile.buffer.powerMW")
    nonNegative(b.leakageMW, "tile.buffer.leakageMW"); nonNegative(b.areaMm2, "tile.buffer.areaMm2")
    positive(tile.bus.wires, "tile.bus.wires"); nonNegative(tile.bus.energyPerBitPJ, "tile.bus.energyPerBitPJ")
    nonNegative(tile.bus.powerMW, "tile.bus.powerMW"); nonNegative(tile.bus.leakageMW, "tile.bus.leakageMW")
    nonNegative(tile.bus.areaMm2, "tile.bus.areaMm2")
    let r = tile.router
    positive(r.flitBits, "tile.router.flitBits"); positive(r.ports, "tile.router.ports")
    nonNegative(r.hopLatencyNs, "tile.router.hopLatencyNs"); positive(r.flitLatencyNs, "tile.router.flitLatencyNs")
    nonNegative(r.energyPerFlitHopPJ, "tile.router.energyPerFlitHopPJ"); nonNegative(r.powerMW, "tile.router.powerMW")
    nonNegative(r.leakageMW, "tile.router.leakageMW"); nonNegative(r.areaMm2, "tile.router.areaMm2")
    func unit(_ u: UnitSpec, _ k: String) {
      positive(u.count, "\(k).count"); positive(u.lanes, "\(k).lanes")
      nonNegative(u.energyPerOpPJ, "\(k).energyPerOpPJ"); nonNegative(u.powerMW, "\(k).powerMW")
      nonNegative(u.leakageMW, "\(k).leakageMW"); nonNegative(u.areaMm2, "\(k).areaMm2")
    }
    func register(_ u: RegisterSpec, _ k: String) {
      if case .fixed(let n) = u.sizeBytes { positive(n, "\(k).sizeBytes") }
      positive(u.referenceBytes, "\(k).referenceBytes"); positive(u.accessBits, "\(k).accessBits")
      nonNegative(u.energyPerAccessPJ, "\(k).energyPerAccessPJ"); nonNegative(u.powerMW, "\(k).powerMW")
      nonNegative(u.leakageMW, "\(k).leakageMW"); nonNegative(u.areaMm2, "\(k).areaMm2")
    }
    unit(tile.sigmoid, "tile.sigmoid"); unit(tile.shiftAdd, "tile.shiftAdd"); unit(tile.maxPool, "tile.maxPool")
    register(tile.outputRegister, "tile.outputRegister")
    nonNegative(tile.rescale.shiftEnergyPJ, "tile.rescale.shiftEnergyPJ")
    nonNegative(tile.rescale.multiplyEnergyPJ, "tile.rescale.multiplyEnergyPJ")
    positive(ima.crossbars, "ima.crossbars")
    let x = ima.crossbar
    positive(x.rows, "ima.crossbar.rows", max: Limits.crossbarSide); positive(x.columns, "ima.crossbar.columns",
                                                                              max: Limits.crossbarSide)
    inRange(x.bitsPerCell, 1...8, "ima.crossbar.bitsPerCell")
    positive(x.referenceRows, "ima.crossbar.referenceRows", max: Limits.crossbarSide)
    positive(x.referenceColumns, "ima.crossbar.referenceColumns", max: Limits.crossbarSide)
    nonNegative(x.wireDelayNs, "ima.crossbar.wireDelayNs")
    if x.wireDelayNs > x.readLatencyNs {
      p.append("'ima.crossbar.wireDelayNs' is \(x.wireDelayNs); it is part of 'ima.crossbar.readLatencyNs' " +
          "(\(x.readLatencyNs)) and cannot exceed it")
    }
    positive(x.readLatencyNs, "ima.crossbar.readLatencyNs"); nonNegative(x.readEnergyPJ, "ima.crossbar.readEnergyPJ")
    nonNegative(x.writeLatencyPerRowNs, "ima.crossbar.writeLatencyPerRowNs")
    nonNegative(x.writeEnergyPerRowPJ, "ima.crossbar.writeEnergyPerRowPJ")
    nonNegative(x.powerMW, "ima.crossbar.powerMW"); nonNegative(x.leakageMW, "ima.crossbar.leakageMW")
    nonNegative(x.areaMm2, "ima.crossbar.areaMm2")
    inRange(ima.dac.bits, 1...16, "ima.dac.bits"); nonNegative(ima.dac.energyPerDrivePJ, "ima.dac.energyPerDrivePJ")
    nonNegative(ima.dac.powerMW, "ima.dac.powerMW"); nonNegative(ima.dac.leakageMW, "ima.dac.leakageMW")
    nonNegative(ima.dac.areaMm2, "ima.dac.areaMm2")
    nonNegative(ima.sampleHold.energyPerSamplePJ, "ima.sampleHold.energyPerSamplePJ")
    nonNegative(ima.sampleHold.powerMW, "ima.sampleHold.powerMW"); nonNegative(ima.sampleHold.leakageMW,
                                                                               "ima.sampleHold.leakageMW")
    nonNegative(ima.sampleHold.areaMm2, "ima.sampleHold.areaMm2")
    let a = ima.adc
    if case .fixed(let n) = a.countPerCrossbar { positive(n, "ima.adc.countPerCrossbar") }
    positive(a.columnsPerADC, "ima.adc.columnsPerADC", max: Limits.crossbarSide)
    positive(a.crossbarsPerADC, "ima.adc.crossbarsPerADC")
    if case .bits(let bits) = a.bits { inRange(bits, 1...32, "ima.adc.bits") }
    if p.isEmpty, adcsPerCrossbar > 1 && a.crossbarsPerADC > 1 {
      p.append("'ima.adc.countPerCrossbar' is \(a.countPerCrossbar) (\(adcsPerCrossbar) ADCs per " +
          "\(ima.crossbar.columns)-column crossbar) and 'ima.adc.crossbarsPerADC' is \(a.crossbarsPerADC); " +
          "several ADCs per crossbar or several crossbars per ADC, not both")
    }
    inRange(a.referenceBits, 1...32, "ima.adc.referenceBits")
    positive(a.energyScalingPerBit, "ima.adc.energyScalingPerBit"); positive(a.areaScalingPerBit,
                                                                             "ima.adc.areaScalingPerBit")
    positive(a.sampleRateGSps, "ima.adc.sampleRateGSps"); nonNegative(a.energyPerConversionPJ,
                                                                      "ima.adc.energyPerConversionPJ")
    nonNegative(a.powerMW, "ima.adc.powerMW"); nonNegative(a.leakageMW, "ima.adc.leakageMW")
    nonNegative(a.areaMm2, "ima.adc.areaMm2")
    unit(ima.shiftAdd, "ima.shiftAdd")
    register(ima.inputRegister, "ima.inputRegister"); register(ima.outputRegister, "ima.outputRegister")
    let t = sparsityTable
    nonNegative(t.lookupLatencyNs, "sparsityTable.lookupLatencyNs"); nonNegative(t.readEnergyPerBitPJ,
        "sparsityTable.readEnergyPerBitPJ")
    nonNegative(t.routeEnergyPerValuePJ, "sparsityTable.routeEnergyPerValuePJ")
    nonNegative(t.leakagePerBitMW, "sparsityTable.leakagePerBitMW"); nonNegative(t.areaPerBitUm2,
        "sparsityTable.areaPerBitUm2")
    if case .fixed(let n) = t.indexBits { inRange(n, 1...64, "sparsityTable.indexBits") }
    inRange(tile.rescale.multipliersPerTile, 0...Limits.count, "tile.rescale.multipliersPerTile")
    nonNegative(tile.rescale.multiplierPowerMW, "tile.rescale.multiplierPowerMW")
    nonNegative(tile.rescale.multiplierAreaMm2, "tile.rescale.multiplierAreaMm2")
    p += device.validate()
    let isSafe = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) }
    if name.isEmpty || name.count > 64 || name.hasPrefix(".") || !isSafe {
      p.append("'name' is '\(name)'; it names run folders: 1-64 letters, digits, '.', '_', '+' or '-', not starting " +
          "with '.'")
    }
    if p.isEmpty, ima.crossbar.columns < cellsPerWeight {
      p.append("'ima.crossbar.columns' is \(ima.crossbar.columns); one \(data.weightBits)-bit weight " +
          "needs \(cellsPerWeight) columns of \(ima.crossbar.bitsPerCell)-bit cells")
    }
    if p.isEmpty {
      // Each register and buffer must hold what one crossbar read consumes or produces.
      let inputVector = (ima.crossbar.rows * data.inputBits + 7) / 8
      let outputs = (ima.crossbar.columns / cellsPerWeight * data.outputBits + 7) / 8
      for (key, bytes, need, what) in [
        ("ima.inputRegister.sizeBytes", registerBytes(.imaInput), inputVector, "one input vector " +
            "(\(ima.crossbar.rows) rows of \(data.inputBits) bits)"),
        ("ima.outputRegister.sizeBytes", registerBytes(.imaOutput), outputs, "one crossbar's outputs " +
            "(\(ima.crossbar.columns / cellsPerWeight) of \(data.outputBits) bits)"),
        ("tile.outputRegister.sizeBytes", registerBytes(.tileOutput), outputs, "one crossbar's outputs " +
            "(\(ima.crossbar.columns / cellsPerWeight) of \(data.outputBits) bits)"),
        ("tile.buffer.sizeKB", Int(tile.buffer.sizeKB * 1024), inputVector, "one input vector (\(ima.crossbar.rows) " +
            "rows of \(data.inputBits) bits)"),
      ] where bytes < need {
        p.append("'\(key)' holds \(bytes) bytes; it must hold \(what): \(need) bytes")
      }
    }
    return p
  }
}

/// Upper limits of arch fields (far beyond real designs; they keep the engine's arithmetic exact).
public enum Limits {
  /// Counts of units, lanes, banks, wires, bits and bytes of registers.
  public static let count = 1 << 20
  /// Rows or columns of a crossbar.
  public static let crossbarSide = 1 << 16
  /// Crossbars on a chip (tiles x IMAs x crossbars).
  public static let crossbarsPerChip = 1 << 26
  /// Any latency [ns] (one operation).
  public static let latencyNs = 1e6
  /// Clock [GHz].
  public static let clockGHz = 1e3
  /// Energies [pJ], powers [mW], areas [mm²], sizes [KB], bandwidths.
  public static let quantity = 1e12
}
