import Testing
@testable import CrossbarSim

@Suite("BitSerialModel")
struct BitSerialModelTests {
  /// Every combination of `count` values in `range`.
  static func all(_ range: ClosedRange<Int>, count: Int) -> [[Int]] {
    var out: [[Int]] = [[]]
    for _ in 0..<count { out = out.flatMap { p in range.map { p + [$0] } } }
    return out
  }

  @Test("with lossless ADCs every small input x weight vector gives the integer dot product",
        arguments: [
          (2, 1, 3, 1), (3, 1, 4, 2), (3, 2, 4, 2), (2, 2, 3, 1), (4, 1, 4, 2), (3, 1, 3, 3),
        ], WeightEncoding.allCases)
  func exhaustive(config: (inputBits: Int, dacBits: Int, weightBits: Int, cellBits: Int), encoding: WeightEncoding) {
    let rows = 2
    let m = BitSerialModel(inputBits: config.inputBits, dacBits: config.dacBits, weightBits: config.weightBits,
                           cellBits: config.cellBits,
                           adcBits: BitSerialModel.losslessADCBits(rows: rows, dacBits: config.dacBits, cellBits: config.cellBits),
                           encoding: encoding)
    let xs = Self.all(0...((1 << config.inputBits) - 1), count: rows)
    let ws = Self.all(m.weightRange, count: rows)
    var checked = 0
    for x in xs {
      for w in ws {
        let dot = zip(x, w).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(m.activate(inputs: x, weights: w) == dot)
        checked += 1
      }
    }
    #expect(checked == xs.count * ws.count)
  }

  @Test("two's complement inputs (the sign cycle weighs -2^(b-1)) give the integer dot product for every small case",
        arguments: WeightEncoding.allCases)
  func signedInputs(encoding: WeightEncoding) {
    let m = BitSerialModel(inputBits: 3, dacBits: 1, weightBits: 3, cellBits: 1,
                           adcBits: BitSerialModel.losslessADCBits(rows: 2, dacBits: 1, cellBits: 1), encoding: encoding,
                           isSignedInput: true)
    #expect(m.inputRange == -4...3)
    #expect((0..<3).map(m.cycleWeight) == [1, 2, -4])
    for x in Self.all(m.inputRange, count: 2) {
      for w in Self.all(m.weightRange, count: 2) {
        #expect(m.activate(inputs: x, weights: w) == x[0] * w[0] + x[1] * w[1], "x \(x) w \(w)")
      }
    }
  }

  @Test("the lossless rule gives ISAAC's 9 bits for 128 rows, 1-bit DACs, 2-bit cells")
  func losslessBits() {
    #expect(BitSerialModel.losslessADCBits(rows: 128, dacBits: 1, cellBits: 2) == 9)
    #expect(BitSerialModel.losslessADCBits(rows: 128, dacBits: 2, cellBits: 2) == 11)
    #expect(BitSerialModel.losslessADCBits(rows: 4, dacBits: 1, cellBits: 1) == 3)
  }

  @Test("the ADC saturates at full scale, and the result shows it exactly like the hardware")
  func clipping() {
    // 1-bit inputs, 1-bit cells, 2-bit weights; 4 rows of x = 1, stored 3 (w = 1 + Z 2): slice 0
    // column sum 4 clips to 3 with a 2-bit ADC; slice 1 (bit 1 of 3) sums to 4 and clips to 3.
    let m = BitSerialModel(inputBits: 1, dacBits: 1, weightBits: 2, cellBits: 1, adcBits: 2, encoding: .offset)
    let x = [1, 1, 1, 1], w = [1, 1, 1, 1]
    // Hardware: (3 << 0) + (3 << 1) = 9, minus Z * sum(x) = 2 * 4 = 8 -> 1, where the true dot is 4.
    #expect(m.activate(inputs: x, weights: w) == 1)
    #expect(m.convert(4) == 3)
    #expect(m.convert(2) == 2)
  }

  @Test("clipping never happens when the sum fits: every column sum <= 2^adcBits - 1 is exact",
        arguments: [2, 3])
  func clippingBoundary(adcBits: Int) {
    let m = BitSerialModel(inputBits: 2, dacBits: 1, weightBits: 2, cellBits: 2, adcBits: adcBits, encoding: .differential)
    for x in BitSerialModelTests.all(0...3, count: 2) {
      for w in BitSerialModelTests.all(m.weightRange, count: 2) {
        // Oracle: per cycle and per sign, the column sum saturates independently.
        var expected = 0
        for k in 0..<2 {
          var pos = 0, neg = 0
          for i in 0..<2 {
            let bit = (x[i] >> k) & 1
            pos += bit * max(w[i], 0); neg += bit * max(-w[i], 0)
          }
          expected += (min(pos, (1 << adcBits) - 1) - min(neg, (1 << adcBits) - 1)) << k
        }
        #expect(m.activate(inputs: x, weights: w) == expected)
      }
    }
  }
}
