// MARK: - Building element-wise and data-movement layers

extension NetworkBuilder {
  /// Appends a standalone activation reading `src` (nil: the network input).
  @discardableResult
  public mutating func activation(_ name: String, _ f: Activation, reading src: Int?) throws -> Int {
    let s = shape(of: src)
    var l = Layer(name: name, operation: .activation, inputs: src.map { [$0] } ?? [], inputShape: s, outputShape: s)
    l.activation = f
    return try append(l)
  }

  /// Appends the element-wise product of `a` and `b`: equal shapes, or `b` of C x 1 x 1 scaling `a`'s channels.
  @discardableResult
  public mutating func multiply(_ name: String, _ a: Int, _ b: Int) throws -> Int {
    let sa = network.layers[a].outputShape, sb = network.layers[b].outputShape
    guard sa == sb || sb == TensorShape(sa.channels, 1, 1) else {
      throw InputError("layer \(name): cannot multiply shapes \(sa) and \(sb) (equal shapes, or a second input of " +
          "\(sa.channels)x1x1 scaling each channel, are supported)")
    }
    return try append(Layer(name: name, operation: .multiply, inputs: [a, b], inputShape: sa, outputShape: sa))
  }

  /// Appends a per-channel `scale * x + shift` reading `src`.
  @discardableResult
  public mutating func affine(_ name: String, _ p: PerChannelAffine, reading src: Int?) throws -> Int {
    let s = shape(of: src)
    guard p.scale.count == s.channels, p.shift.count == s.channels else {
      throw InputError("layer \(name): \(p.scale.count) scales and \(p.shift.count) shifts for \(s.channels) channels")
    }
    guard (p.scale + p.shift).allSatisfy(\.isFinite) else {
      throw InputError("layer \(name): a scale or shift is not finite")
    }
    return try append(Layer(name: name, operation: .affine(p), inputs: src.map { [$0] } ?? [], inputShape: s,
                            outputShape: s))
  }

  /// Appends channels `start ..< start + count` of `src`.
  @discardableResult
  public mutating func channelSlice(_ name: String, start: Int, count: Int, reading src: Int?) throws -> Int {
    let s = shape(of: src)
    guard start >= 0, count >= 1, start <= s.channels - count else {
      throw InputError("layer \(name): channels \(start) ..< \(start + count) are not within the \(s.channels) of " +
          "its input \(s)")
    }
    return try append(Layer(name: name, operation: .channelSlice(start: start, count: count),
                            inputs: src.map { [$0] } ?? [], inputShape: s,
                            outputShape: TensorShape(count, s.height, s.width)))
  }

  /// Appends `src` with `before` and `after` zero channels.
  @discardableResult
  public mutating func channelPad(_ name: String, before: Int, after: Int, reading src: Int?) throws -> Int {
    let s = shape(of: src)
    guard before >= 0, after >= 0, before <= WorkloadLimits.dimension, after <= WorkloadLimits.dimension else {
      throw InputError("layer \(name): channel padding \(before), \(after) must be in 0...\(WorkloadLimits.dimension)")
    }
    return try append(Layer(name: name, operation: .channelPad(before: before, after: after),
                            inputs: src.map { [$0] } ?? [], inputShape: s,
                            outputShape: TensorShape(s.channels + before + after, s.height, s.width)))
  }

  /// Appends a channel shuffle of `src` with `groups` groups (which must divide its channels).
  @discardableResult
  public mutating func channelShuffle(_ name: String, groups: Int, reading src: Int?) throws -> Int {
    let s = shape(of: src)
    guard groups >= 1, s.channels % groups == 0 else {
      throw InputError("layer \(name): \(groups) shuffle groups do not divide the \(s.channels) channels of \(s)")
    }
    return try append(Layer(name: name, operation: .channelShuffle(groups: groups), inputs: src.map { [$0] } ?? [],
                            inputShape: s, outputShape: s))
  }
}

// MARK: - The same operations on values (float and integer paths)

enum ChannelOps {
  /// Applies a data-movement layer to `images` NCHW inputs; padded channels get `zero`.
  static func move<T>(_ x: [T], images: Int, layer l: Layer, zero: T) -> [T] {
    let inS = l.inputShape, outS = l.outputShape, px = inS.pixels
    var out = [T](repeating: zero, count: images * outS.elements)
    for n in 0..<images {
      let ib = n * inS.elements, ob = n * outS.elements
      switch l.operation {
      case .channelSlice(let start, let count):
        for k in 0..<(count * px) { out[ob + k] = x[ib + start * px + k] }
      case .channelPad(let before, _):
        for k in 0..<inS.elements { out[ob + before * px + k] = x[ib + k] }
      case .channelShuffle(let g):
        let per = inS.channels / g
        for c in 0..<inS.channels {
          let to = (c % per) * g + c / per
          for k in 0..<px { out[ob + to * px + k] = x[ib + c * px + k] }
        }
      default: preconditionFailure("not a data-movement layer")
      }
    }
    return out
  }

  /// `a * b` element-wise, `b` broadcast over each channel's pixels when it has one value a channel.
  static func multiply<T: Numeric>(_ a: [T], _ b: [T], images: Int, layer l: Layer) -> [T] {
    let s = l.inputShape
    guard b.count != a.count else { return zip(a, b).map { $0 * $1 } }
    var out = a
    for n in 0..<images {
      for c in 0..<s.channels {
        let v = b[n * s.channels + c], base = (n * s.channels + c) * s.pixels
        for k in 0..<s.pixels { out[base + k] *= v }
      }
    }
    return out
  }
}
