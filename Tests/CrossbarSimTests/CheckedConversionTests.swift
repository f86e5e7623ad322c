import Foundation
import Testing
@testable import CrossbarSim

/// The one float-to-integer conversion and the quantizer's ranges at the ends of `Double` and of
/// `Int`: each value either converts exactly, saturates by the documented rule, or is an error
/// naming it (Swift's own `Int(_:)` traps on all of these).
@Suite("Checked conversions")
struct CheckedConversionTests {
  @Test("Int(checked:): exact within 2^53, an error naming the value and its source beyond, NaN and inf")
  func checked() throws {
    #expect(try Int(checked: 2.5, "x") == 3)                      // away from zero, as documented
    #expect(try Int(checked: -2.5, "x") == -3)
    #expect(try Int(checked: 2.9, "x", rounding: .down) == 2)
    #expect(try Int(checked: 9_007_199_254_740_992, "x") == 1 << 53)
    for bad in [Double.nan, .infinity, -.infinity, 1e19, -1e300, 9_007_199_254_740_994] {
      #expect { _ = try Int(checked: bad, "grid 'images': max") } throws: { e in
        "\(e)".contains("grid 'images': max is") && "\(e)".contains("2^53")
      }
    }
    #expect { _ = try Int(checked: 11, "--match crossbars", limit: 10) } throws: { "\($0)".contains("at most 10") }
  }

  @Test("saturating and code conversions clamp at their range's ends and map NaN to the given value")
  func saturating() {
    #expect(Int(saturating: 1e300, to: -128...127) == 127)
    #expect(Int(saturating: -3e38, to: -128...127) == -128)
    #expect(Int(saturating: .nan, to: -128...127, nan: 5) == 5)
    #expect(Int(saturating: 126.5, to: -128...127) == 127)
    #expect(Int(saturating: 9.99, to: 0...Int.max, rounding: .down) == 9)
    #expect(Int(clampedCode: .infinity) == 1 << 53 && Int(clampedCode: -.infinity) == -(1 << 53))
    #expect(Int(clampedCode: .nan) == 0 && Int(clampedCode: -7.5) == -8)
  }

  @Test("roundShift: rounding right shifts (ties up), left shifts saturating at 2^53, never wrapping")
  func shifts() {
    #expect(roundShift(5, 1) == 3 && roundShift(-5, 1) == -2 && roundShift(7, 2) == 2)
    #expect(roundShift(1 << 53, 70) == 0 && roundShift(-(1 << 53), 62) == 0)
    #expect(roundShift(3, -2) == 12 && roundShift(-3, -2) == -12)
    #expect(roundShift(1 << 40, -20) == 1 << 53 && roundShift(-(1 << 40), -20) == -(1 << 53))
    #expect(roundShift(1, -100) == 1 << 53 && roundShift(0, -100) == 0)
  }

  @Test("a format needs a finite range, and a signed one at least 2 bits; both errors name the tensor")
  func formats() throws {
    #expect { _ = try TensorFormat.covering(lo: -1, hi: .infinity, bits: 8, powerOfTwo: true, tensor: "layer c1's output") }
      throws: { "\($0)".contains("layer c1's output") && "\($0)".contains("finite") }
    #expect { _ = try TensorFormat.covering(lo: -1, hi: 1, bits: 1, powerOfTwo: false, tensor: "the network input") }
      throws: { "\($0)".contains("data.inputBits is 1") && "\($0)".contains("the network input") }
    // Unsigned 1-bit data is a format: codes 0 and 1, the scale covering the peak.
    let binary = try TensorFormat.covering(lo: 0, hi: 3, bits: 1, powerOfTwo: true, tensor: "t")
    #expect(binary.range == 0...1 && binary.scale == 4)
    // A denormal peak still gives a positive, finite power-of-two scale: 1e-40 / 255 rounded up.
    let tiny = try TensorFormat.covering(lo: 0, hi: 1e-40, bits: 8, powerOfTwo: true, tensor: "t")
    #expect(tiny.scale > 0 && tiny.scale >= 1e-40 / 255 && tiny.scale < 2e-40 / 255)
  }

  @Test("calibration that overflows the float model is an error naming the image and the layer")
  func calibrationOverflow() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(2, 1, 1))
    try b.fc("fc", 1)
    let w = NetworkWeights(layers: [LayerWeights(values: [3e38, 3e38], outputs: 1, inputs: 2)])
    let f = FloatInference(unchecked: b.network, weights: w)
    // Image 0 gives 6e38 * 0 = 0; image 1 gives 3e38 + 3e38 = inf in float.
    #expect { _ = try f.ranges([0, 0, 1, 1], images: 2, batch: 1) } throws: { e in
      "\(e)".contains("calibration image 1") && "\(e)".contains("layer fc") && "\(e)".contains("inf")
    }
    #expect(try f.ranges([0, 0, 1, 0], images: 2, batch: 2)[0].hi == 3e38)
  }
}

/// Layer names key `layers.csv` and `stats.json`: a network never holds one twice.
@Suite("Unique layer names")
struct UniqueLayerNameTests {
  @Test("a second layer of a name is an error naming it; a low-rank factor may not take another layer's name")
  func unique() throws {
    var b = NetworkBuilder(name: "t", input: TensorShape(4, 8, 8))
    try b.conv("a", Convolution(outChannels: 8, kernel: 3))
    #expect { try b.conv("a", Convolution(outChannels: 8, kernel: 3)) } throws: {
      "\($0)".contains("layer a: a second layer of that name (t)")
    }
    try b.conv("a.L", Convolution(outChannels: 8, kernel: 3))
    #expect { _ = try b.network.factorizing([0: (rank: 2, groups: 1)]) } throws: {
      "\($0)".contains("layer a: its low-rank factor would be named a.L, which another layer of t already is")
    }
    // Factoring a.L itself is fine: a.L.R and a.L.L are free.
    #expect(try b.network.factorizing([1: (rank: 2, groups: 1)]).network.layers.map(\.name) == ["a", "a.L.R", "a.L.L"])
  }
}
