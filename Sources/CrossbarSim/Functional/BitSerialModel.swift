// MARK: - Bit-accurate model of one crossbar activation

/// Number formats of one activation: bit-serial inputs, bit-sliced weights, a clipping ADC.
///
/// Inputs are unsigned `inputBits`-bit integers (activations after ReLU) applied `dacBits` per
/// cycle; cycle k has significance `2^(k * dacBits)`. Signed `weightBits`-bit weights are stored
/// either with an offset (`Q_W = w + Z_W`, `Z_W = 2^(weightBits-1)`, unsigned on the cells, and
/// `Z_W * sum(x)` subtracted digitally, as in [XA]) or as a differential pair of magnitude
/// columns. Slice s holds bits `[s*cellBits, (s+1)*cellBits)` with significance `2^(s * cellBits)`.
/// Each (cycle, slice) column sum is converted by an ADC that saturates at `2^adcBits - 1`.
public struct BitSerialModel: Sendable, Equatable {
  /// Input precision [bits].
  public var inputBits: Int
  /// Input bits applied per cycle [bits].
  public var dacBits: Int
  /// Weight precision [bits].
  public var weightBits: Int
  /// Bits per cell [bits].
  public var cellBits: Int
  /// ADC resolution [bits].
  public var adcBits: Int
  /// Signed-weight encoding.
  public var encoding: WeightEncoding
  /// Whether inputs are two's complement: the last (1-bit) cycle then has significance
  /// `-2^(inputBits-1)`, subtracted in the shift-and-add (needed for signed factor outputs).
  public var isSignedInput: Bool
  /// An asymmetric zero point `Z_W` (quantized layers); nil uses the symmetric `2^(weightBits-1)`.
  public var customZeroPoint: Int?
  /// ISAAC's flip encoding: a column slice whose cells sum to more than half of full scale
  /// (`rows * (2^cellBits - 1) / 2`) stores `2^cellBits - 1 - q` instead; the ADC converts the
  /// flipped sum and the shift-and-add recovers `(2^cellBits - 1) * sum(x) - flipped`.
  public var flipEncoding: Bool
  /// Whether `adcBits` follows the active rows (`ima.adc.bits: auto`): see `forRows(_:)`.
  public var isAutoADC = false

  /// Creates a model.
  public init(inputBits: Int, dacBits: Int, weightBits: Int, cellBits: Int, adcBits: Int, encoding: WeightEncoding,
              isSignedInput: Bool = false, zeroPoint: Int? = nil, flipEncoding: Bool = false) {
    precondition(!isSignedInput || dacBits == 1, "two's complement inputs need 1-bit DACs")
    self.inputBits = inputBits; self.dacBits = dacBits; self.weightBits = weightBits
    self.cellBits = cellBits; self.adcBits = adcBits; self.encoding = encoding; self.isSignedInput = isSignedInput
    customZeroPoint = zeroPoint; self.flipEncoding = flipEncoding
  }

  /// The model of a hardware spec, for a crossbar with `activeRows` rows in use (which sets the
  /// resolution under `ima.adc.bits: auto`; the full array by default).
  public init(_ spec: ArchSpec, activeRows: Int? = nil) {
    self.init(inputBits: spec.data.inputBits, dacBits: spec.ima.dac.bits, weightBits: spec.data.weightBits,
              cellBits: spec.ima.crossbar.bitsPerCell,
              adcBits: spec.adcBits(activeRows: activeRows ?? spec.ima.crossbar.rows),
              encoding: spec.data.weightEncoding, flipEncoding: spec.ima.adc.flipEncoding)
    isAutoADC = spec.ima.adc.bits == .auto
  }

  /// The model of a crossbar with `rows` active rows: under an auto ADC, the lossless resolution
  /// of those rows (one bit less with flip encoding); otherwise unchanged.
  public func forRows(_ rows: Int) -> BitSerialModel {
    guard isAutoADC else { return self }
    var m = self
    m.adcBits = max(1, Self.losslessADCBits(rows: max(1, rows), dacBits: dacBits,
                                            cellBits: cellBits) - (flipEncoding ? 1 : 0))
    return m
  }

  /// Integer zero point of offset-encoded weights.
  public var zeroPoint: Int { customZeroPoint ?? 1 << (weightBits - 1) }
  /// Input cycles per activation.
  public var cycles: Int { (inputBits + dacBits - 1) / dacBits }
  /// Weight slices per stored value.
  public var slices: Int { (weightBits + cellBits - 1) / cellBits }
  /// Largest ADC output.
  public var adcMax: Int { (1 << adcBits) - 1 }
  /// Valid input range.
  public var inputRange: ClosedRange<Int> {
    isSignedInput ? -(1 << (inputBits - 1))...((1 << (inputBits - 1)) - 1) : 0...((1 << inputBits) - 1)
  }
  /// Significance of input cycle `k` (negative for the sign cycle of two's complement inputs).
  @inline(__always)
  public func cycleWeight(_ k: Int) -> Int {
    isSignedInput && k == cycles - 1 ? -(1 << (k * dacBits)) : 1 << (k * dacBits)
  }
  /// Valid weight range.
  public var weightRange: ClosedRange<Int> {
    encoding == .offset ? -zeroPoint...((1 << weightBits) - 1 - zeroPoint)
      : -(1 << (weightBits - 1))...((1 << (weightBits - 1)) - 1)
  }

  /// What the ADC reports for a column sum: the sum, saturated at full scale.
  @inline(__always)
  public func convert(_ columnSum: Int) -> Int { min(columnSum, adcMax) }

  /// Value of slice `s` of a non-negative stored value.
  @inline(__always)
  public func slice(_ stored: Int, _ s: Int) -> Int { (stored >> (s * cellBits)) & ((1 << cellBits) - 1) }

  /// Bits of input `x` applied in cycle `k`.
  @inline(__always)
  public func inputSlice(_ x: Int, _ k: Int) -> Int { (x >> (k * dacBits)) & ((1 << dacBits) - 1) }
  // (An arithmetic shift keeps two's complement bits, so slices of negative inputs are their bits.)

  /// The column's result as the hardware computes it: DAC cycles x slices through the ADC,
  /// shift-and-add, then zero-point correction (offset) or the negative column (differential).
  public func activate(inputs x: [Int], weights w: [Int]) -> Int {
    precondition(x.count == w.count, "one weight per input row")
    let model = forRows(x.count)
    guard !isAutoADC else { var m = model; m.isAutoADC = false; return m.activate(inputs: x, weights: w) }
    var result = 0
    switch encoding {
    case .offset:
      let q = w.map { $0 + zeroPoint }
      result = shiftAdd(x, q)
      result -= zeroPoint * x.reduce(0, +)
    case .differential:
      result = shiftAdd(x, w.map { max($0, 0) }) - shiftAdd(x, w.map { max(-$0, 0) })
    }
    return result
  }

  func shiftAdd(_ x: [Int], _ stored: [Int]) -> Int {
    var acc = 0
    let full = (1 << cellBits) - 1
    for s in 0..<slices {
      let flipped = flipEncoding && 2 * stored.reduce(0) { $0 + slice($1, s) } > x.count * full
      for k in 0..<cycles {
        var sum = 0, inputs = 0
        for i in x.indices {
          let xi = inputSlice(x[i], k), q = slice(stored[i], s)
          sum += xi * (flipped ? full - q : q)
          inputs += xi
        }
        let value = flipped ? full * inputs - convert(sum) : convert(sum)
        acc += value * cycleWeight(k) << (s * cellBits)
      }
    }
    return acc
  }

  /// ADC bits for a lossless conversion of `rows` active rows (ISAAC's rule, without flip encoding).
  public static func losslessADCBits(rows: Int, dacBits: Int, cellBits: Int) -> Int {
    let log2R = rows.ceilLog2
    return dacBits > 1 && cellBits > 1 ? log2R + dacBits + cellBits : log2R + dacBits + cellBits - 1
  }
}
