import Foundation

// MARK: - The column ADCs: resolution, sharing, and how their cost follows the resolution

/// An ADC resolution: a fixed number of bits, or `auto` (each crossbar gets the lossless
/// resolution of its active rows).
public enum ADCResolution: Codable, Sendable, Equatable, CustomStringConvertible {
  case bits(Int)
  case auto

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let b = try? c.decode(Int.self) { self = .bits(b); return }
    if let s = try? c.decode(String.self), s == "auto" { self = .auto; return }
    let given = (try? c.decode(Double.self)).map { StatNode.number($0) }
      ?? (try? c.decode(String.self)).map { "'\($0)'" }
    throw DecodingError.dataCorruptedError(in: c, debugDescription: "is \(given ?? "not a number"); expected a whole " +
        "number of bits or 'auto'")
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .bits(let b): try c.encode(b)
    case .auto: try c.encode("auto")
    }
  }

  public var description: String {
    switch self {
    case .bits(let b): "\(b)"
    case .auto: "auto"
    }
  }
}

/// How the conversion time follows the resolution.
public enum ADCTimeScaling: String, Codable, Sendable, CaseIterable {
  /// Proportional to the bits: a SAR ADC decides one bit per comparator cycle (ISAAC's ADC, Kull et al. 2013).
  case perBit
  /// The same at every resolution (a flash or pipelined ADC at a fixed sample rate).
  case constant
}

/// The column ADCs of a crossbar.
///
/// Rate, energy, power, leakage and area are given at `referenceBits` (ISAAC: 8 bits, 1.28 GS/s,
/// 2 mW, 0.0012 mm²) and scale with the resolution b:
/// - energy per conversion `E(b) = E_ref * energyScalingPerBit^(b - referenceBits)` (2: a constant
///   Walden figure of merit, energy per conversion step; 4: the thermal-noise-limited regime of the
///   Schreier figure of merit; Murmann's ADC survey shows both);
/// - conversion rate `f(b) = f_ref * referenceBits / b` for `perBit` timing (SAR), else `f_ref`;
/// - area and leakage `A(b) = A_ref * areaScalingPerBit^(b - referenceBits)` (2: the binary-weighted
///   capacitor DAC of a SAR ADC doubles per bit);
/// - power `P(b) = P_ref * (E(b) / E_ref) * (f(b) / f_ref)`, energy times rate.
public struct ADCSpec: Codable, Sendable, Equatable {
  /// ADCs per crossbar, or `auto`: one per `columnsPerADC` columns.
  public var countPerCrossbar: AutoCount
  /// Columns one ADC serves when `countPerCrossbar` is `auto` (ISAAC: a 1.28 GS/s ADC converts
  /// 128 columns in one 100 ns read).
  public var columnsPerADC: Int
  /// Crossbars sharing one ADC (needs `countPerCrossbar` 1); their conversions queue at it.
  public var crossbarsPerADC: Int
  /// Resolution [bits], or `auto`; column sums above `2^bits - 1` clip.
  public var bits: ADCResolution
  /// ISAAC's flip encoding: a column whose weight slices sum to more than half of full scale
  /// stores them flipped (`2^cellBits - 1 - q`), so its sums need one bit less.
  public var flipEncoding: Bool
  /// Resolution the rate, energy, power and area below are given at [bits].
  public var referenceBits: Int
  /// Conversions per second of one ADC at `referenceBits` [GS/s].
  public var sampleRateGSps: Double
  /// Energy of one conversion at `referenceBits` [pJ].
  public var energyPerConversionPJ: Double
  /// Power of one ADC at `referenceBits` [mW].
  public var powerMW: Double
  /// Leakage power of one ADC at `referenceBits` [mW].
  public var leakageMW: Double
  /// Area of one ADC at `referenceBits` [mm²].
  public var areaMm2: Double
  /// Factor on the energy per conversion per bit of resolution.
  public var energyScalingPerBit: Double
  /// Factor on area and leakage per bit of resolution.
  public var areaScalingPerBit: Double
  /// How the conversion time follows the resolution.
  public var conversionTime: ADCTimeScaling

  /// Creates a spec; the scaling defaults are the model described on the type.
  public init(countPerCrossbar: AutoCount, columnsPerADC: Int = 128, crossbarsPerADC: Int = 1, bits: ADCResolution,
              flipEncoding: Bool = false,
              referenceBits: Int = 8, sampleRateGSps: Double, energyPerConversionPJ: Double, powerMW: Double,
              leakageMW: Double, areaMm2: Double, energyScalingPerBit: Double = 2, areaScalingPerBit: Double = 2,
              conversionTime: ADCTimeScaling = .perBit) {
    self.countPerCrossbar = countPerCrossbar; self.columnsPerADC = columnsPerADC
    self.crossbarsPerADC = crossbarsPerADC; self.bits = bits
    self.flipEncoding = flipEncoding; self.referenceBits = referenceBits; self.sampleRateGSps = sampleRateGSps
    self.energyPerConversionPJ = energyPerConversionPJ; self.powerMW = powerMW; self.leakageMW = leakageMW
    self.areaMm2 = areaMm2; self.energyScalingPerBit = energyScalingPerBit; self.areaScalingPerBit = areaScalingPerBit
    self.conversionTime = conversionTime
  }

  /// Energy of one conversion at `bits` [pJ].
  public func energyPerConversionPJ(bits b: Int) -> Double {
    energyPerConversionPJ * pow(energyScalingPerBit, Double(b - referenceBits))
  }
  /// Conversions per second of one ADC at `bits` [GS/s].
  public func sampleRateGSps(bits b: Int) -> Double {
    conversionTime == .perBit ? sampleRateGSps * Double(referenceBits) / Double(b) : sampleRateGSps
  }
  /// Area of one ADC at `bits` [mm²].
  public func areaMm2(bits b: Int) -> Double { areaMm2 * pow(areaScalingPerBit, Double(b - referenceBits)) }
  /// Leakage of one ADC at `bits` [mW].
  public func leakageMW(bits b: Int) -> Double { leakageMW * pow(areaScalingPerBit, Double(b - referenceBits)) }
  /// Peak power of one ADC at `bits` [mW].
  public func powerMW(bits b: Int) -> Double {
    powerMW * pow(energyScalingPerBit, Double(b - referenceBits)) * sampleRateGSps(bits: b) / sampleRateGSps
  }
}

extension ArchSpec {
  /// ADC resolution of a crossbar with `activeRows` rows in use: the fixed setting, or (auto) the
  /// lossless resolution of those rows, one bit less with flip encoding [bits].
  public func adcBits(activeRows: Int) -> Int {
    switch ima.adc.bits {
    case .bits(let b): return b
    case .auto:
      let lossless = BitSerialModel.losslessADCBits(rows: max(1, activeRows), dacBits: ima.dac.bits,
                                                    cellBits: ima.crossbar.bitsPerCell)
      return max(1, lossless - (ima.adc.flipEncoding ? 1 : 0))
    }
  }

  /// Cycles a crossbar's ADCs take to convert `columns` columns once at `bits`: `ceil(columns /
  /// adcsPerCrossbar)` conversions, or all of them on a shared ADC (this crossbar's share of its
  /// time; the engine queues the sharers).
  public func adcBatchCycles(columns: Int, bits: Int) -> UInt64 {
    let a = ima.adc
    let perADC = a.crossbarsPerADC > 1 ? 1 : adcsPerCrossbar
    let conversions = (columns + perADC - 1) / perADC
    return clock.cycles(ns: Double(conversions) / a.sampleRateGSps(bits: bits)).count
  }

  /// Layers whose fixed ADC resolution is below the lossless resolution of their fullest crossbar
  /// (column sums past `2^bits - 1` clip): name, active rows, and the bits those rows need. Empty
  /// under `auto`.
  public func lossyADCLayers(_ layout: NetworkLayout) -> [(layer: String, rows: Int, needs: Int)] {
    guard case .bits(let b) = ima.adc.bits else { return [] }
    var out: [(layer: String, rows: Int, needs: Int)] = []
    for (l, layerLayout) in zip(layout.network.layers, layout.layouts) {
      guard let rows = layerLayout?.crossbars.map(\.rows.count).max(), rows > 0 else { continue }
      let lossless = BitSerialModel.losslessADCBits(rows: rows, dacBits: ima.dac.bits,
                                                    cellBits: ima.crossbar.bitsPerCell)
      let needs = max(1, lossless - (ima.adc.flipEncoding ? 1 : 0))
      if b < needs { out.append((l.name, rows, needs)) }
    }
    return out
  }

  /// Resolution the chip's ADCs are built for: the fixed setting, or (auto) what a full array needs.
  public var chipADCBits: Int { adcBits(activeRows: ima.crossbar.rows) }
}
