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

  /// Whether the layer holds weights on crossbars.
  public var isMatrix: Bool {
    switch self { case .conv, .fullyConnected: true; case .pool, .add, .concat: false }
  }
}

/// The element-wise function after a layer (imported from ONNX `Relu` nodes; built-in networks
/// other than `digits-cnn` leave it implicit, as the cost model needs no activations).
public enum Activation: String, Hashable, Codable, Sendable {
  /// The layer's output as computed.
  case identity
  /// `max(0, x)`.
  case relu
  /// `min(max(0, x), 6)`: ReLU6 (MobileNet-V2), ONNX `Clip(0, 6)`. A clamp in the layer's output
  /// stage, like the ReLU, so it costs nothing the ReLU does not.
  case relu6

  /// Applies the function to `y` in place; `six` is 6 in `y`'s units (6 for floats, 6 / scale for codes).
  func apply<T: Comparable & Numeric>(_ y: inout [T], six: T) {
    switch self {
    case .identity: break
    case .relu: for j in y.indices where y[j] < 0 { y[j] = 0 }
    case .relu6: for j in y.indices { y[j] = min(max(y[j], 0), six) }
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
