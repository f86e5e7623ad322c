// MARK: - Which weight a layout cell holds

/// Resolves layout cells to weight indices of a layer (row-major `[OC][IC/g][K_h][K_w]`).
public struct CellResolver: Sendable {
  let isFC: Bool
  let icpg: Int, ocpg: Int, kh: Int, kw: Int, stride: Int
  /// Inputs per output (`IC/g K_h K_w`, or the FC fan-in).
  public let inputs: Int

  /// The resolver of `layer` laid out with `stride`.
  public init(layer: Layer, stride: Int) {
    switch layer.operation {
    case .conv(let c):
      isFC = false; icpg = layer.inputShape.channels / c.groups; ocpg = c.outChannels / c.groups
      kh = c.kernelHeight; kw = c.kernelWidth
    default:
      isFC = true; icpg = layer.inputShape.elements; ocpg = layer.weightColumns; kh = 1; kw = 1
    }
    self.stride = stride
    inputs = isFC ? icpg : icpg * kh * kw
  }

  /// Index of the weight at (row, column), or nil for a structural zero (tap outside the kernel,
  /// channel of another group).
  @inline(__always)
  public func index(_ r: RowSource, _ c: ColumnSink) -> Int? {
    let o = Int(c.outChannel), ch = Int(r.channel)
    if isFC { return o * icpg + ch }
    guard ch / icpg == o / ocpg else { return nil }
    let ky = Int(r.dy) - Int(c.dy) * stride, kx = Int(r.dx) - Int(c.dx) * stride
    guard ky >= 0, ky < kh, kx >= 0, kx < kw else { return nil }
    return ((o * icpg + ch % icpg) * kh + ky) * kw + kx
  }
}
