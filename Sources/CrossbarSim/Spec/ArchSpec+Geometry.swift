// MARK: - Geometry-true arrays: what a crossbar of rows x columns costs, and what it needs around it

/// A count that is either derived from the rest of the spec (`auto`) or fixed by the user.
public enum AutoCount: Codable, Sendable, Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible {
  case auto
  case fixed(Int)

  public init(integerLiteral value: Int) { self = .fixed(value) }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let n = try? c.decode(Int.self) { self = .fixed(n); return }
    if let s = try? c.decode(String.self), s == "auto" { self = .auto; return }
    let given = (try? c.decode(Double.self)).map { StatNode.number($0) }
      ?? (try? c.decode(String.self)).map { "'\($0)'" }
    throw DecodingError.dataCorruptedError(in: c, debugDescription: "is \(given ?? "not a number"); expected a whole " +
        "number or 'auto'")
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .fixed(let n): try c.encode(n)
    case .auto: try c.encode("auto")
    }
  }

  public var description: String {
    switch self {
    case .fixed(let n): "\(n)"
    case .auto: "auto"
    }
  }

  /// The fixed value, or `derived` for `auto`.
  public func resolved(_ derived: @autoclosure () -> Int) -> Int {
    switch self {
    case .fixed(let n): n
    case .auto: derived()
    }
  }
}

/// One crossbar of the spec's geometry, priced.
public struct ArrayCosts: Sendable, Equatable {
  /// One read [ns].
  public var readLatencyNs: Double
  /// A read with every cell active [pJ].
  public var readEnergyPJ: Double
  /// Programming one row [pJ].
  public var writeEnergyPerRowPJ: Double
  /// Peak power [mW].
  public var powerMW: Double
  /// Leakage power [mW].
  public var leakageMW: Double
  /// Area [mm²].
  public var areaMm2: Double
}

/// The three register files of the hardware.
public enum RegisterRole: String, CaseIterable, Sendable {
  case imaInput = "ima.inputRegister", imaOutput = "ima.outputRegister", tileOutput = "tile.outputRegister"
}

extension ArchSpec {
  /// The crossbar at `rows` x `columns`, from the figures given at the reference geometry:
  /// - area, full-array read energy, power and leakage are per cell, so they scale with
  ///   `rows x columns / (referenceRows x referenceColumns)` (NeuroSim's array area and read energy
  ///   are sums over cells; the periphery is priced per unit: a DAC per row, an S+H per column,
  ///   ADCs per `columnsPerADC` columns);
  /// - a row's programming energy scales with `columns / referenceColumns`;
  /// - the read latency keeps its non-wire part and scales its wire part `wireDelayNs` by the
  ///   Elmore delay of a distributed RC line, which grows with the square of its length: half by
  ///   `(columns / referenceColumns)^2` (the word line) and half by `(rows / referenceRows)^2`
  ///   (the bit line).
  /// Bits per cell change none of these (a multi-level cell has the footprint of a binary one).
  public var array: ArrayCosts {
    let x = ima.crossbar
    let cells = Double(x.rows) * Double(x.columns) / (Double(x.referenceRows) * Double(x.referenceColumns))
    let r = Double(x.rows) / Double(x.referenceRows), c = Double(x.columns) / Double(x.referenceColumns)
    let latency = (x.readLatencyNs - x.wireDelayNs) + x.wireDelayNs * (r * r + c * c) / 2
    return ArrayCosts(readLatencyNs: latency, readEnergyPJ: x.readEnergyPJ * cells,
                      writeEnergyPerRowPJ: x.writeEnergyPerRowPJ * c, powerMW: x.powerMW * cells,
                      leakageMW: x.leakageMW * cells, areaMm2: x.areaMm2 * cells)
  }

  /// ADCs per crossbar: the fixed count, or (auto) one per `columnsPerADC` columns.
  public var adcsPerCrossbar: Int {
    let a = ima.adc
    return a.countPerCrossbar.resolved((ima.crossbar.columns + a.columnsPerADC - 1) / a.columnsPerADC)
  }

  /// ADCs serving `crossbars` crossbars: `adcsPerCrossbar` each, or one per `crossbarsPerADC`.
  public func adcCount(crossbars: Int) -> Int {
    let share = ima.adc.crossbarsPerADC
    return share > 1 ? (crossbars + share - 1) / share : crossbars * adcsPerCrossbar
  }

  /// What a register must hold for one read of every crossbar it serves [bytes]: the IMA's input
  /// register one input vector per crossbar (`crossbars x rows x inputBits / 8`), its output
  /// register one output per weight column per crossbar (`crossbars x floor(columns /
  /// cellsPerWeight) x outputBits / 8`), the tile's output register every IMA's output register.
  /// ISAAC's 2 KB, 256 B and 3 KB at 128 x 128 with 16-bit data.
  public func derivedRegisterBytes(_ role: RegisterRole) -> Int {
    switch role {
    case .imaInput: return (ima.crossbars * ima.crossbar.rows * data.inputBits + 7) / 8
    case .imaOutput: return (ima.crossbars * (ima.crossbar.columns / cellsPerWeight) * data.outputBits + 7) / 8
    case .tileOutput: return tile.imas * registerBytes(.imaOutput)
    }
  }

  /// The register's spec.
  public func register(_ role: RegisterRole) -> RegisterSpec {
    switch role {
    case .imaInput: ima.inputRegister
    case .imaOutput: ima.outputRegister
    case .tileOutput: tile.outputRegister
    }
  }

  /// The register's capacity: fixed, or (auto) derived [bytes].
  public func registerBytes(_ role: RegisterRole) -> Int {
    register(role).sizeBytes.resolved(derivedRegisterBytes(role))
  }

  /// The register's power, leakage and area at its capacity (linear in bytes from the reference).
  public func registerCosts(_ role: RegisterRole) -> (powerMW: Double, leakageMW: Double, areaMm2: Double) {
    let r = register(role), k = Double(registerBytes(role)) / Double(r.referenceBytes)
    return (r.powerMW * k, r.leakageMW * k, r.areaMm2 * k)
  }
}
