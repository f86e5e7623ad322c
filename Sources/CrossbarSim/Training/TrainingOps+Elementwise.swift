// MARK: - Element-wise and data-movement layers in training

extension TrainingOps {
  /// Forward pass of an element-wise or data-movement layer (its activation is applied by the caller).
  static func elementwiseForward<T: TrainScalar>(_ l: Layer, _ inputs: [[T]], input: [T], images: Int) -> [T] {
    switch l.operation {
    case .activation: return input
    case .multiply: return ChannelOps.multiply(inputs[0], inputs[1], images: images, layer: l)
    case .affine(let a):
      var y = input
      let px = l.inputShape.pixels, c = l.inputShape.channels
      for n in 0..<images {
        for ch in 0..<c {
          let s = T(a.scale[ch]), t = T(a.shift[ch])
          for k in 0..<px { y[(n * c + ch) * px + k] = y[(n * c + ch) * px + k] * s + t }
        }
      }
      return y
    default: return ChannelOps.move(input, images: images, layer: l, zero: 0)
    }
  }

  /// Input gradients of an element-wise or data-movement layer, one per input, from its output
  /// gradient `d` (after its activation's derivative) and its inputs' values.
  static func elementwiseBackward<T: TrainScalar>(_ l: Layer, _ d: [T], _ inputs: [[T]], images: Int) -> [[T]] {
    guard !inputs.isEmpty else { return [] }
    let s = l.inputShape, px = s.pixels
    switch l.operation {
    case .activation: return [d]
    case .multiply:
      let a = inputs[0], b = inputs[1]
      if b.count == a.count { return [zip(d, b).map { $0 * $1 }, zip(d, a).map { $0 * $1 }] }
      // b scales channels: da = d * b (broadcast), db[n, c] = sum over pixels of d * a.
      var db = [T](repeating: 0, count: images * s.channels)
      for n in 0..<images {
        for c in 0..<s.channels {
          let base = (n * s.channels + c) * px
          var sum = T(0)
          for k in 0..<px { sum += d[base + k] * a[base + k] }
          db[n * s.channels + c] = sum
        }
      }
      return [ChannelOps.multiply(d, b, images: images, layer: l), db]
    case .affine(let p):
      var dx = d
      for n in 0..<images {
        for c in 0..<s.channels { for k in 0..<px { dx[(n * s.channels + c) * px + k] *= T(p.scale[c]) } }
      }
      return [dx]
    case .channelSlice(let start, let count):
      var dx = [T](repeating: 0, count: images * s.elements)
      for n in 0..<images {
        for k in 0..<(count * px) { dx[n * s.elements + start * px + k] = d[n * count * px + k] }
      }
      return [dx]
    case .channelPad(let before, _):
      let outE = l.outputShape.elements
      var dx = [T](repeating: 0, count: images * s.elements)
      for n in 0..<images { for k in 0..<s.elements { dx[n * s.elements + k] = d[n * outE + before * px + k] } }
      return [dx]
    case .channelShuffle(let g):
      let per = s.channels / g
      var dx = [T](repeating: 0, count: images * s.elements)
      for n in 0..<images {
        for c in 0..<s.channels {
          let to = (c % per) * g + c / per
          for k in 0..<px { dx[(n * s.channels + c) * px + k] = d[(n * s.channels + to) * px + k] }
        }
      }
      return [dx]
    default: preconditionFailure("not an element-wise layer")
    }
  }

  /// Multiplies the gradient by the activation's derivative at its pre-activation values `z`.
  static func activationBackward<T: TrainScalar>(_ d: inout [T], _ z: [T], _ f: Activation) {
    for j in d.indices {
      let x = Double(z[j])
      let slope: Double
      switch f {
      case .identity: slope = 1
      case .relu: slope = x > 0 ? 1 : 0
      case .relu6: slope = x > 0 && x < 6 ? 1 : 0
      case .leakyRelu(let a): slope = x >= 0 ? 1 : Double(a)
      case .sigmoid:
        let y = f(x)
        slope = y * (1 - y)
      case .hardSigmoid(let a, let b):
        let v = Double(a) * x + Double(b)
        slope = v > 0 && v < 1 ? Double(a) : 0
      case .hardSwish: slope = x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5
      }
      d[j] *= T(slope)
    }
  }
}
