// MARK: - Device non-idealities of the ReRAM cells (functional inference only; off by default)

/// How programmed conductances scatter around their targets.
public enum ProgrammingDistribution: String, Codable, Sendable, CaseIterable {
  /// `g = g0 (1 + sigma n)`, `n ~ N(0, 1)`, clamped at 0.
  case gaussian
  /// `g = g0 exp(sigma n)`, `n ~ N(0, 1)` (always positive; the median stays at `g0`).
  case lognormal
}

/// Non-idealities of the cells, applied only by functional inference (`simrun eval`); the cost
/// model is unaffected. All zero by default: ideal cells.
///
/// Conductances are in units of one level step, so an ideal cell at level `q` conducts `q`. With
/// an off/on ratio `r = g_off / g_on` a level-`q` cell conducts `g_min + q`, `g_min = L r / (1 - r)`
/// for `L = 2^bitsPerCell - 1` levels (so that `g_min / (g_min + L) = r`); the ADC does not subtract
/// it. Stuck-at-low cells conduct `g_min`, stuck-at-high cells `g_min + L`, whatever was programmed.
/// Programming variation (per cell, once per chip) follows `programmingDistribution`; read noise
/// adds `N(0, (readNoiseSigma g)^2)` per cell and activation, which sums over the active rows of a
/// column to `N(0, readNoiseSigma^2 sum_i x_i^2 g_i^2)` on its column current.
public struct DeviceSpec: Codable, Sendable, Equatable {
  /// Relative sigma of programmed conductances (0: exact).
  public var programmingSigma: Double
  /// Distribution of programming variation.
  public var programmingDistribution: ProgrammingDistribution
  /// Relative sigma of the read noise of each cell per activation (0: none).
  public var readNoiseSigma: Double
  /// Fraction of cells stuck at the lowest conductance.
  public var stuckAtLowRate: Double
  /// Fraction of cells stuck at the highest conductance.
  public var stuckAtHighRate: Double
  /// `g_off / g_on` (0: an infinite on/off ratio; 0.01: 100:1).
  public var offOnRatio: Double
  /// Seed of every random draw (same seed, same chip, same noise, same bytes).
  public var seed: Int

  /// Creates a device model.
  public init(programmingSigma: Double = 0, programmingDistribution: ProgrammingDistribution = .gaussian,
              readNoiseSigma: Double = 0, stuckAtLowRate: Double = 0, stuckAtHighRate: Double = 0,
              offOnRatio: Double = 0, seed: Int = 1) {
    self.programmingSigma = programmingSigma; self.programmingDistribution = programmingDistribution
    self.readNoiseSigma = readNoiseSigma; self.stuckAtLowRate = stuckAtLowRate; self.stuckAtHighRate = stuckAtHighRate
    self.offOnRatio = offOnRatio; self.seed = seed
  }

  /// Ideal cells.
  public static let ideal = DeviceSpec()
  /// Whether any non-ideality is on.
  public var isIdeal: Bool {
    programmingSigma == 0 && readNoiseSigma == 0 && stuckAtLowRate == 0 && stuckAtHighRate == 0 && offOnRatio == 0
  }

  /// Problems, each naming its key under `device.` and the valid range.
  func validate() -> [String] {
    var p: [String] = []
    func check(_ v: Double, _ r: ClosedRange<Double>, _ key: String) {
      if !(v.isFinite && r.contains(v)) { p.append("'device.\(key)' is \(v); must be " +
          "in \(r.lowerBound)...\(r.upperBound)") }
    }
    check(programmingSigma, 0...10, "programmingSigma"); check(readNoiseSigma, 0...10, "readNoiseSigma")
    check(stuckAtLowRate, 0...1, "stuckAtLowRate"); check(stuckAtHighRate, 0...1, "stuckAtHighRate")
    check(offOnRatio, 0...0.999, "offOnRatio")
    if stuckAtLowRate + stuckAtHighRate > 1 { p.append("'device.stuckAtLowRate' + 'device.stuckAtHighRate' " +
        "is \(stuckAtLowRate + stuckAtHighRate); must be <= 1") }
    if seed < 0 { p.append("'device.seed' is \(seed); must be >= 0") }
    return p
  }
}
