import CrossbarSim
import Foundation

// MARK: - Seeded synthetic weights with trained-like spectra

/// Seeded weights for networks without weight files, shaped so rank and magnitude decisions are
/// not trivial.
///
/// Model: each layer's weight matrix `W (OC x IC/g K_h K_w)` is `U diag(s) V^T` with `U`, `V`
/// random orthonormal (QR of Gaussian matrices) and a power-law spectrum
/// `s_i = (1 + i)^(-decay)`, the shape reported for trained conv layers (heavy-tailed
/// self-regularisation, Martin & Mahoney 2021), plus a Gaussian noise floor of relative size
/// `noise`, scaled so the weights' RMS equals He initialisation `sqrt(2 / fan_in)`. Per-output
/// channel gains drawn log-normally make output-channel norms unequal, as batch-norm folding does.
public struct SyntheticWeights: Sendable {
  /// Power-law exponent of the singular values.
  public var decay: Double = 0.8
  /// Relative size of the unstructured noise.
  public var noise: Double = 0.02
  /// Spread (standard deviation of the log) of per-output-channel gains.
  public var channelSpread: Double = 0.3
  /// Layers with more singular values than this (VGG's FC layers) keep only the first
  /// `structuredHeadRank` exactly; the rest of the spectrum becomes noise of the same energy.
  public var structuredRankLimit = 1024
  public var structuredHeadRank = 256
  /// Base seed; layer i uses a seed derived from it and i.
  public var seed: UInt64
  /// Creates the generator.
  public init(seed: UInt64 = 1) { self.seed = seed }

  /// Weights for every matrix layer of `network`.
  public func generate(for network: Network) throws -> NetworkWeights {
    var layers: [LayerWeights?] = []
    for (i, l) in network.layers.enumerated() {
      layers.append(l.operation.isMatrix ? try layer(l, index: i) : nil)
    }
    return NetworkWeights(layers: layers)
  }

  /// Weights of one layer.
  public func layer(_ l: Layer, index: Int) throws -> LayerWeights {
    let m = l.weightColumns, n = l.weightRows, full = min(m, n)
    // Above `structuredRankLimit` the spectrum's head (`structuredHeadRank` values) is kept exactly
    // and its tail becomes unstructured Gaussian noise of the same energy: the QR of a 25088 x 4096
    // factor would take a minute and gigabytes for VGG's FC layers.
    let k = full > structuredRankLimit ? structuredHeadRank : full
    let tailEnergy = (k..<full).reduce(0.0) { $0 + pow(1.0 + Double($1), -2 * decay) }
    var rng = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index + 1))
    // U diag(s) (m x k) times V^T (k x n); the Gaussian draws and QR factors die before the product
    // is allocated (VGG's fc6: 411 MB for the product, 100 MB more for the factors).
    var w: [Float]
    do {
      let (us, vt) = try factors(m: m, n: n, k: k, rng: &rng, what: "synthetic weights of layer \(l.name)")
      w = LAPACK.gemm(us, vt, m: m, k: k, n: n)
    }
    // Noise, then a gain per output channel drawn after all the noise. SplitMix64 advances its state
    // by a constant per draw, so the gains' generator is the noise's jumped past its draws, and noise,
    // gain and the energy sum take one pass instead of three.
    let tail = tailEnergy > 0
    var gainRNG = rng
    gainRNG.state &+= UInt64(truncatingIfNeeded: (tail ? 3 : 2) * m * n) &* 0x9E37_79B9_7F4A_7C15
    let gains = (0..<m).map { _ in Float(exp(channelSpread * gainRNG.gaussian())) }
    var energy = 0.0
    if tail {
      // A Gaussian m x n matrix of entry variance e / (m n) has Frobenius energy e; the tail and
      // the noise floor (relative to the whole spectrum's RMS) are one draw per weight.
      let headEnergy = (0..<k).reduce(0.0) { $0 + pow(1.0 + Double($1), -2 * decay) }
      let cells = Double(m * n)
      let sigma = (tailEnergy / cells + noise * noise * (headEnergy + tailEnergy) / cells).squareRoot()
      // Irwin-Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1; a hundred million
      // draws without a logarithm or cosine each.
      w.withUnsafeMutableBufferPointer { w in
        for r in 0..<m {
          let gain = gains[r]
          for i in (r * n)..<(r * n + n) {
            // Twelve 16-bit uniforms summed as integers: exact, as the double sum of them is.
            var sum: UInt64 = 0
            for _ in 0..<3 {
              let x = rng.next()
              sum += (x & 0xFFFF) + ((x >> 16) & 0xFFFF) + ((x >> 32) & 0xFFFF) + (x >> 48)
            }
            let v = (w[i] + Float(sigma * (Double(sum) / 65536 - 6))) * gain
            w[i] = v
            energy += Double(v) * Double(v)
          }
        }
      }
    } else {
      let rms = (w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(m * n)).squareRoot()
      for r in 0..<m {
        let gain = gains[r]
        for i in (r * n)..<(r * n + n) {
          let v = (w[i] + Float(noise * rms * rng.gaussian())) * gain
          w[i] = v
          energy += Double(v) * Double(v)
        }
      }
    }
    let rms2 = (energy / Double(m * n)).squareRoot()
    let target = (2.0 / Double(n)).squareRoot()
    let scale = Float(target / max(rms2, 1e-30))
    w.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= scale } }
    return LayerWeights(values: w, outputs: m, inputs: n)
  }

  /// `U diag(s)` (m x k) and `V^T` (k x n) with `U`, `V` orthonormal from Gaussian draws.
  func factors(m: Int, n: Int, k: Int, rng: inout SeededGenerator, what: String) throws -> (us: [Float], vt: [Float]) {
    let gu = (0..<(m * k)).map { _ in Float(rng.gaussian()) }, gv = (0..<(n * k)).map { _ in Float(rng.gaussian()) }
    var us = try LAPACK.orthonormalColumns(gu, m: m, k: k, what: what)
    let v = try LAPACK.orthonormalColumns(gv, m: n, k: k, what: what)
    let s = (0..<k).map { Float(pow(1.0 + Double($0), -decay)) }
    for r in 0..<m { for c in 0..<k { us[r * k + c] *= s[c] } }
    var vt = [Float](repeating: 0, count: k * n)
    for r in 0..<n { for c in 0..<k { vt[c * n + r] = v[r * k + c] } }
    return (us, vt)
  }
}
