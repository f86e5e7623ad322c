import Foundation
import Testing
@testable import CrossbarSim

/// The MSE-optimal activation clip (`data.activationClipping: mse`) against errors worked by hand.
@Suite("Activation clipping")
struct ActivationClipTests {
  /// Bins of width 1 on [0, 10): 100 values at 0.5 and one at 9.5; a 2-bit unsigned format (3 codes).
  let outlier = ActivationClip(counts: [100, 0, 0, 0, 0, 0, 0, 0, 0, 1], binWidth: 1)

  @Test("the error of a clip: values rounding to 0, uniform rounding inside, saturation above (by hand)")
  func errors() {
    // C = 10, step 10/3: the 100 values at 0.5 round to 0 (100 x 0.25); 9.5 inside, (10/3)^2 / 12.
    #expect(abs(outlier.error(clip: 10, qmax: 3) - (25 + 100.0 / 9 / 12)) < 1e-9)
    // C = 2, step 2/3: the 100 values round inside, 100 x (2/3)^2 / 12; 9.5 saturates, 7.5^2.
    #expect(abs(outlier.error(clip: 2, qmax: 3) - (100 * 4.0 / 9 / 12 + 56.25)) < 1e-9)
    // C = 9, step 3: the 100 values round to 0; 9.5 saturates by 0.5.
    #expect(abs(outlier.error(clip: 9, qmax: 3) - 25.25) < 1e-9)
  }

  @Test("float scales take the bin edge of least error; power-of-two ones a power of two times qmax")
  func choice() {
    // Edges 1...9 and the limit 10: 9 errs least (25.25; 10 gives 25.93, 8 gives 27.25).
    #expect(outlier.mse(upTo: 10, qmax: 3, powerOfTwo: false) == 9)
    // Powers of two: C = 12 (step 4, the format covering 10: 25 + 16/12) beats 6 (37.25) and 3.
    #expect(outlier.mse(upTo: 10, qmax: 3, powerOfTwo: true) == 10)
    // 100 values at 2.5 and one at 9.5: C = 12 errs 101 x 16/12 = 134.7, C = 6 errs
    // 100 x 4/12 + 3.5^2 = 45.6, C = 3 errs 100/12 + 6.5^2 = 50.6: the scale halves once.
    let body = ActivationClip(counts: [0, 0, 100, 0, 0, 0, 0, 0, 0, 1], binWidth: 1)
    #expect(body.mse(upTo: 10, qmax: 3, powerOfTwo: true) == 6)
  }

  @Test("MSE calibration clips where the expected error is least (a uniform and an exponential tensor, by hand)")
  func ranges() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(1000, 1, 1))
    try b.pool("copy", Pooling(.max, kernel: 1, stride: 1))
    let f = FloatInference(unchecked: b.network, weights: NetworkWeights(layers: [nil]))
    // Uniform magnitudes 1 ... 1000 at 8 bits: the error N C^2 / (12 qmax^2) + (1000 - C)^3 / 3 is least
    // where its slope 2 N C / (12 qmax^2) = 2.56 meets (1000 - C)^2, at C = 998.4.
    let uniform: [Float] = (1...1000).map { Float($0) }
    let u = try f.ranges(uniform, images: 1, batch: 1, mse: (bits: 8, powerOfTwo: false))[0]
    #expect(u.hi > 997.5 && u.hi < 999.5)
    // Exponential magnitudes (100,000 quantiles, b = 1, peak 12.2) in a 4-bit unsigned format: the
    // expected error 2 e^-C + C^2 / (12 x 15^2) is least where C e^C = 2,700, at C = 6.09 (the
    // analysis of Banner et al.'s ACIQ, 2019); with power-of-two scales 7.5 (= 2^-1 x 15) beats 15 and 3.75.
    let n = 100_000
    let exponential: [Float] = (0..<n).map { Float(-log(1 - (Double($0) + 0.5) / Double(n))) }
    var big = NetworkBuilder(name: "t", input: TensorShape(n, 1, 1))
    try big.pool("copy", Pooling(.max, kernel: 1, stride: 1))
    let e = FloatInference(unchecked: big.network, weights: NetworkWeights(layers: [nil]))
    let c = try e.ranges(exponential, images: 1, batch: 1, mse: (bits: 4, powerOfTwo: false))[0].hi
    #expect(c > 5.9 && c < 6.3)
    #expect(try e.ranges(exponential, images: 1, batch: 1, mse: (bits: 4, powerOfTwo: true))[0].hi == 7.5)
  }
}
