import Foundation

// MARK: - Workload IR

/// A feature-map shape: channels x height x width.
public struct TensorShape: Hashable, Codable, Sendable, CustomStringConvertible {
  /// Channels.
  public var channels: Int
  /// Height [pixels].
  public var height: Int
  /// Width [pixels].
  public var width: Int
  /// Creates a C x H x W shape.
  public init(_ channels: Int, _ height: Int, _ width: Int) {
    self.channels = channels; self.height = height; self.width = width
  }
  /// Values in the map.
  public var elements: Int { channels * height * width }
  /// Pixels (H x W).
  public var pixels: Int { height * width }
  public var description: String { "\(channels)x\(height)x\(width)" }
}

/// A convolution: K_h x K_w kernel, stride, zero padding, channel groups.
public struct Convolution: Hashable, Codable, Sendable {
  /// Output channels.
  public var outChannels: Int
  /// Kernel height.
  public var kernelHeight: Int
  /// Kernel width.
  public var kernelWidth: Int
  /// Stride (same in both directions).
  public var stride: Int
  /// Zero padding on each side.
  public var padding: Int
  /// Channel groups (1 = dense, IC = depthwise).
  public var groups: Int
  /// Creates a convolution.
  public init(outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1) {
    self.outChannels = outChannels; kernelHeight = kernel; kernelWidth = kernel
    self.stride = stride; self.padding = padding; self.groups = groups
  }
}

/// Pooling flavour.
public enum PoolKind: String, Codable, Sendable { case max, average }

/// A pooling window.
public struct Pooling: Hashable, Codable, Sendable {
  /// Max or average.
  public var kind: PoolKind
  /// Window size.
  public var kernel: Int
  /// Stride.
  public var stride: Int
  /// Padding on each side.
  public var padding: Int
  /// Whether the output size rounds up (ONNX and PyTorch `ceil_mode`): a last window that starts
  /// inside the input (or its left padding) but overruns its end still counts, over the pixels it has.
  public var ceilMode: Bool
  /// Creates a pooling window.
  public init(_ kind: PoolKind, kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false) {
    self.kind = kind; self.kernel = kernel; self.stride = stride; self.padding = padding; self.ceilMode = ceilMode
  }

  /// Output size along a side of `n` input pixels: `floor` or `ceil((n + 2p - k) / s) + 1`; in ceil
  /// mode, a last window starting past the input and its left padding is dropped (PyTorch's rule).
  public func outputSize(_ n: Int) -> Int {
    let span = n + 2 * padding - kernel
    guard ceilMode else { return span / stride + 1 }
    var out = (span + stride - 1) / stride + 1
    if (out - 1) * stride >= n + padding { out -= 1 }
    return out
  }
}

/// What a layer computes.
public enum Operation: Hashable, Codable, Sendable {
  /// Convolution (mapped onto crossbars).
  case conv(Convolution)
  /// Fully connected layer with this many outputs (mapped onto crossbars as a 1x1 conv on a 1x1 map).
  case fullyConnected(outFeatures: Int)
  /// Pooling (tile max-pool unit).
  case pool(Pooling)
  /// Element-wise residual addition of its inputs (tile shift-and-add unit).
  case add
  /// Channel concatenation of its inputs, in input order (values move through the tile's
  /// shift-and-add unit, nothing is computed).
  case concat
  /// The layer's `activation` alone, applied to its input where it cannot be fused into the layer
  /// that produces it (that output is read elsewhere, as in SiLU's `x * sigmoid(x)`): the tile's
  /// sigmoid unit.
  case activation
  /// Element-wise product of two inputs; a second input of C x 1 x 1 scales each channel of the
  /// first (squeeze-excite). The tile's multipliers.
  case multiply
  /// `scale[c] * x + shift[c]` per channel: a BatchNormalization no linear layer precedes, or a
  /// Mul/Add/Sub/Div by a constant. The tile's multipliers.
  case affine(PerChannelAffine)
  /// Channels `start ..< start + count` of the input (Split, Slice over channels): data movement.
  case channelSlice(start: Int, count: Int)
  /// The input with `before` and `after` zero channels around it (Pad over channels, option-A
  /// shortcuts): data movement.
  case channelPad(before: Int, after: Int)
  /// Channel shuffle: channel `g * (C / groups) + k` moves to `k * groups + g` (ShuffleNet's
  /// Reshape-Transpose-Reshape): data movement.
  case channelShuffle(groups: Int)

  /// Whether the layer holds weights on crossbars.
  public var isMatrix: Bool {
    switch self {
    case .conv, .fullyConnected: true
    case .pool, .add, .concat, .activation, .multiply, .affine, .channelSlice, .channelPad, .channelShuffle: false
    }
  }

  /// Short name for tables (`conv`, `fc`, `maxpool`, `add`, `affine`, ...).
  public var kind: String {
    switch self {
    case .conv: "conv"
    case .fullyConnected: "fc"
    case .pool(let p): p.kind == .max ? "maxpool" : "avgpool"
    case .add: "add"
    case .concat: "concat"
    case .activation: "activation"
    case .multiply: "multiply"
    case .affine: "affine"
    case .channelSlice: "slice"
    case .channelPad: "pad"
    case .channelShuffle: "shuffle"
    }
  }

  /// Whether the layer only moves values (channel slices, pads and shuffles): outputs in the input's format.
  public var isDataMovement: Bool {
    switch self { case .channelSlice, .channelPad, .channelShuffle: true; default: false }
  }
}

/// Per-channel scale and shift of an `affine` layer.
public struct PerChannelAffine: Hashable, Codable, Sendable {
  /// Multiplier per channel.
  public var scale: [Float]
  /// Offset per channel.
  public var shift: [Float]
  /// Creates the parameters (equal counts).
  public init(scale: [Float], shift: [Float]) { self.scale = scale; self.shift = shift }
}

/// The element-wise function after a layer (imported from ONNX activation nodes; built-in networks
/// other than `digits-cnn` leave it implicit, as the cost model needs no activations).
///
/// ReLU and ReLU6 are clamps in a matrix layer's output stage; the others are the tile's sigmoid
/// unit (ISAAC's look-up-table activation unit), which a standalone `activation` layer also uses.
public enum Activation: Hashable, Codable, Sendable, CustomStringConvertible {
  /// The layer's output as computed.
  case identity
  /// `max(0, x)`.
  case relu
  /// `min(max(0, x), 6)`: ReLU6 (MobileNet-V2), ONNX `Clip(0, 6)`. A clamp in the layer's output
  /// stage, like the ReLU, so it costs nothing the ReLU does not.
  case relu6
  /// `x` for `x >= 0`, else `alpha * x` (ONNX LeakyRelu).
  case leakyRelu(alpha: Float)
  /// `1 / (1 + e^-x)`.
  case sigmoid
  /// `max(0, min(1, alpha * x + beta))` (ONNX HardSigmoid; PyTorch's has alpha 1/6, beta 1/2).
  case hardSigmoid(alpha: Float, beta: Float)
  /// `x * max(0, min(1, x / 6 + 1/2))` (ONNX HardSwish).
  case hardSwish

  public var description: String {
    switch self {
    case .identity: "identity"
    case .relu: "relu"
    case .relu6: "relu6"
    case .leakyRelu(let a): "leakyRelu(\(a))"
    case .sigmoid: "sigmoid"
    case .hardSigmoid(let a, let b): "hardSigmoid(\(a), \(b))"
    case .hardSwish: "hardSwish"
    }
  }

  /// Whether it is a clamp (ReLU, ReLU6) rather than a function the sigmoid unit computes.
  public var isClamp: Bool { self == .relu || self == .relu6 }

  /// The function at `x`.
  public func callAsFunction(_ x: Double) -> Double {
    switch self {
    case .identity: x
    case .relu: max(0, x)
    case .relu6: min(max(0, x), 6)
    case .leakyRelu(let a): x >= 0 ? x : Double(a) * x
    case .sigmoid: 1 / (1 + exp(-x))
    case .hardSigmoid(let a, let b): max(0, min(1, Double(a) * x + Double(b)))
    case .hardSwish: x * max(0, min(1, x / 6 + 0.5))
    }
  }

  /// Applies the function to floats in place.
  func apply(_ y: inout [Float]) {
    switch self {
    case .identity: break
    case .relu: for j in y.indices where y[j] < 0 { y[j] = 0 }
    case .relu6: for j in y.indices { y[j] = min(max(y[j], 0), 6) }
    default: for j in y.indices { y[j] = Float(self(Double(y[j]))) }
    }
  }

  /// Applies the function to codes of scale `scale` in place, the result in the same scale:
  /// clamps on the codes, other functions on the values they stand for, rounded to the nearest code.
  func apply(codes y: inout [Int], scale: Double) {
    switch self {
    case .identity: break
    case .relu: for j in y.indices where y[j] < 0 { y[j] = 0 }
    case .relu6:
      let six = Int(min((6 / scale).rounded(.down), 1e15))   // a tiny scale: no clamp
      for j in y.indices { y[j] = min(max(y[j], 0), six) }
    default:
      for j in y.indices { y[j] = Int(clampedCode: self(Double(y[j]) * scale) / scale) }
    }
  }
}

/// One layer of a network: an operation, its producers, and its input and output shapes.
public struct Layer: Hashable, Codable, Sendable {
  /// Unique name within the network.
  public var name: String
  /// The operation.
  public var operation: Operation
  /// Indices of producer layers; empty means the network input.
  public var inputs: [Int]
  /// Shape the layer reads (before its own padding).
  public var inputShape: TensorShape
  /// Shape the layer produces.
  public var outputShape: TensorShape
  /// Set when the layer is one factor of a low-rank pair replacing an original layer.
  public var factor: LowRankFactor? = nil
  /// Function applied to the layer's output (functional inference only; costs are the same).
  public var activation: Activation = .identity
  /// What an importer inferred that its file does not say (shown in the layer's note).
  public var note: String? = nil

  /// Input channels per group x K_h x K_w: the rows of the weight matrix (im2col order).
  public var weightRows: Int {
    switch operation {
    case .conv(let c): inputShape.channels / c.groups * c.kernelHeight * c.kernelWidth
    case .fullyConnected: inputShape.elements
    default: 0
    }
  }
  /// Output channels (columns of the weight matrix, before bit slicing).
  public var weightColumns: Int {
    switch operation {
    case .conv(let c): c.outChannels
    case .fullyConnected(let n): n
    default: 0
    }
  }
  /// Weights held by the layer.
  public var parameters: Int { weightRows * weightColumns }
  /// Multiply-accumulates per inference.
  public var macs: Int {
    switch operation {
    case .conv: parameters * outputShape.pixels
    case .fullyConnected: parameters
    default: 0
    }
  }
}

/// The role of a layer in a low-rank pair `W ~ L R` ([LR], Jeon et al. DATE 2025).
public struct LowRankFactor: Hashable, Codable, Sendable {
  /// Which factor.
  public enum Part: String, Hashable, Codable, Sendable {
    /// R: the K x K conv from the input channels to the rank channels (grouped for group low-rank).
    case r = "R"
    /// L: the 1x1 conv from the rank channels to the output channels.
    case l = "L"
  }
  /// Name of the layer the pair replaces.
  public var original: String
  /// Which factor this layer is.
  public var part: Part
  /// Rank per input-channel group.
  public var rank: Int
  /// Input-channel groups (1 = plain SVD low-rank).
  public var groups: Int
  /// Creates a factor annotation.
  public init(original: String, part: Part, rank: Int, groups: Int) {
    self.original = original; self.part = part; self.rank = rank; self.groups = groups
  }
}
