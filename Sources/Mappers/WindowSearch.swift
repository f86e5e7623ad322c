import CrossbarSim

// MARK: - Parallel-window searches (SDK and VW-SDK), as in the public VW-SDK calculator

/// The dimensions of one (per-group) convolution as a mapper sees them: the input already padded.
public struct ConvDims: Sendable, Equatable {
  /// Padded input height and width [pixels].
  public var inputHeight: Int, inputWidth: Int
  /// Kernel height and width.
  public var kernelHeight: Int, kernelWidth: Int
  /// Stride.
  public var stride: Int
  /// Input and output channels (of one group).
  public var inChannels: Int, outChannels: Int
  /// Creates dims.
  public init(inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1,
              inChannels: Int, outChannels: Int) {
    self.inputHeight = inputHeight; self.inputWidth = inputWidth; self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth; self.stride = stride; self.inChannels = inChannels; self.outChannels = outChannels
  }
  /// Output positions per dimension.
  public var outputHeight: Int { (inputHeight - kernelHeight) / stride + 1 }
  /// Output positions per dimension.
  public var outputWidth: Int { (inputWidth - kernelWidth) / stride + 1 }
}

/// A window shape and its tiling: what one activation computes and how many activations a layer needs.
public struct WindowChoice: Sendable, Equatable {
  /// How the rows are tiled.
  public enum Style: String, Sendable { case im2col, sdk, vwsdk = "vw-sdk" }
  /// Tiling style.
  public var style: Style
  /// Parallel window height and width [input pixels].
  public var windowHeight: Int, windowWidth: Int
  /// Output pixels per window, vertically and horizontally.
  public var outputsHigh: Int, outputsWide: Int
  /// Input channels per row tile (all for im2col and SDK, whose rows split at array boundaries).
  public var channelsPerTile: Int
  /// Output channels per column tile.
  public var outChannelsPerTile: Int
  /// Row tiles (arrays sharing outputs) and column tiles (arrays sharing inputs).
  public var rowTiles: Int, colTiles: Int
  /// Windows vertically and horizontally.
  public var windowsY: Int, windowsX: Int
  /// Computing cycles: activations if one array were reused for every tile.
  public var computingCycles: Int { windowsY * windowsX * rowTiles * colTiles }
  /// Arrays (tiles) one window needs.
  public var arrays: Int { rowTiles * colTiles }
  /// `PW_h x PW_w x ICt x OCt`, as the calculator prints it.
  public var description: String { "\(windowHeight)x\(windowWidth)x\(channelsPerTile)x\(outChannelsPerTile)" }
}

/// Window searches. `arrayRows` is AR; `weightsPerRow` the usable columns
/// `floor(AC / columns per weight)` (the multi-bit column rule).
public enum WindowSearch {
  static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

  /// Windows along one dimension: `ceil((I' - PW) / (n S)) + 1`, where `I' = K + (O - 1) S` is the
  /// part of the padded input the kernel reaches (`O` outputs). With stride 1, `I' = I` and this is
  /// the calculator's formula; with a stride that does not divide `I - K`, using `I` itself would
  /// count one more window, starting past the last output, whose outputs are all discarded.
  static func windows(_ input: Int, _ window: Int, _ n: Int, _ stride: Int) -> Int {
    let kernel = window - (n - 1) * stride
    let reached = input - (input - kernel) % stride
    let span = reached - window
    return (span <= 0 ? 0 : ceilDiv(span, n * stride)) + 1
  }

  /// im2col: one output pixel per activation.
  public static func im2col(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int) -> WindowChoice {
    WindowChoice(style: .im2col, windowHeight: d.kernelHeight, windowWidth: d.kernelWidth, outputsHigh: 1,
                 outputsWide: 1,
                 channelsPerTile: d.inChannels, outChannelsPerTile: min(d.outChannels, weightsPerRow),
                 rowTiles: ceilDiv(d.kernelHeight * d.kernelWidth * d.inChannels, arrayRows),
                 colTiles: ceilDiv(d.outChannels, weightsPerRow), windowsY: d.outputHeight, windowsX: d.outputWidth)
  }

  /// SDK [Zhang et al. TCAD 2021] as the calculator implements it: keep the im2col tile counts,
  /// grow n = 2, 3, ... while `PW^2 IC <= AR * rowTiles` and `n^2 OC <= usable columns * colTiles`,
  /// keep the last n whose `N_h^2 * tiles` does not exceed the best (the calculator compares the
  /// row count squared), and stop at the first infeasible n. Windows never exceed the map.
  public static func sdk(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int) -> WindowChoice {
    let base = im2col(d, arrayRows: arrayRows, weightsPerRow: weightsPerRow)
    var best = base
    var bestScore = base.computingCycles
    var n = 1
    while true {
      n += 1
      let ph = d.kernelHeight + (n - 1) * d.stride, pw = d.kernelWidth + (n - 1) * d.stride
      guard ph * pw * d.inChannels <= arrayRows * base.rowTiles,
            n * n * d.outChannels <= weightsPerRow * base.colTiles,
            ph <= d.inputHeight, pw <= d.inputWidth else { break }
      let wy = windows(d.inputHeight, ph, n, d.stride), wx = windows(d.inputWidth, pw, n, d.stride)
      let score = wy * wy * base.arrays
      if score <= bestScore {
        bestScore = score
        best = WindowChoice(style: .sdk, windowHeight: ph, windowWidth: pw, outputsHigh: n, outputsWide: n,
                            channelsPerTile: d.inChannels, outChannelsPerTile: d.outChannels,
                            rowTiles: base.rowTiles, colTiles: base.colTiles, windowsY: wy, windowsX: wx)
      }
    }
    return best
  }

  /// SDK with free tile counts (the SDK of [LR]'s Theorem 2 for a factor with few output
  /// channels): every square window `PW = K + (n-1) S` that fits the map, all input channels per
  /// window split over `ceil(PW^2 IC / AR)` row tiles and `ceil(n^2 OC / usable columns)` column
  /// tiles, the fewest computing cycles (ties: fewer arrays, then the smaller window). Unlike
  /// `sdk`, the tile counts may grow past im2col's, so a factor whose im2col rows fill the array
  /// can still duplicate its kernel.
  public static func sdkFreeTiles(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int) -> WindowChoice {
    var best = im2col(d, arrayRows: arrayRows, weightsPerRow: weightsPerRow)
    var n = 1
    while true {
      n += 1
      let ph = d.kernelHeight + (n - 1) * d.stride, pw = d.kernelWidth + (n - 1) * d.stride
      guard ph <= d.inputHeight, pw <= d.inputWidth else { break }
      let c = WindowChoice(style: .sdk, windowHeight: ph, windowWidth: pw, outputsHigh: n, outputsWide: n,
                           channelsPerTile: d.inChannels, outChannelsPerTile: d.outChannels,
                           rowTiles: ceilDiv(ph * pw * d.inChannels, arrayRows),
                           colTiles: ceilDiv(n * n * d.outChannels, weightsPerRow),
                           windowsY: windows(d.inputHeight, ph, n, d.stride),
                           windowsX: windows(d.inputWidth, pw, n, d.stride))
      if (c.computingCycles, c.arrays) < (best.computingCycles, best.arrays) { best = c }
    }
    return best
  }

  /// How the VW-SDK search keeps its best candidate.
  public enum Search: String, Sendable, CaseIterable {
    /// Exactly as the public calculator (`function.py`): its candidate list gains an entry at the
    /// start of every window-width row, so the kept candidate is not always the minimum.
    case calculator
    /// The true minimum over all windows (ties: the first in search order).
    case exhaustive
  }

  /// VW-SDK [Rhe et al. DATE 2022]: every rectangular window `PW_h = K_h + (i-1)S`,
  /// `PW_w = K_w + (j-1)S` with `K + iS <= I` per dimension; `ICt = floor(AR / (PW_h PW_w))`,
  /// `OCt = floor(usable columns / (i j))`, `CC = N_PW ceil(IC/ICt) ceil(OC/OCt)`. Nil when no
  /// window fits (the calculator then has no answer); callers fall back to im2col.
  public static func vwsdk(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int,
                           search: Search = .calculator) -> WindowChoice? {
    var kept: [WindowChoice] = []
    var best: WindowChoice?
    forEachVWSDKWindow(d, arrayRows: arrayRows, weightsPerRow: weightsPerRow) { c, i in
      switch search {
      case .calculator:
        if i == 1 || kept.isEmpty { kept.append(c) }
        if kept[0].computingCycles > c.computingCycles { kept.removeFirst(); kept.append(c) }
      case .exhaustive:
        if best == nil || c.computingCycles < best!.computingCycles { best = c }
      }
    }
    return search == .calculator ? kept.first : best
  }

  /// The VW-SDK window with the fewest windows, then the fewest arrays, then the fewest computing
  /// cycles: the shortest layer when every tile of a window sits on its own array. Nil when no
  /// window fits.
  public static func vwsdkFewestWindows(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int) -> WindowChoice? {
    var best: WindowChoice?
    forEachVWSDKWindow(d, arrayRows: arrayRows, weightsPerRow: weightsPerRow) { c, _ in
      guard let b = best else { best = c; return }
      if (c.windowsY * c.windowsX, c.arrays, c.computingCycles) < (b.windowsY * b.windowsX, b.arrays,
                                                                   b.computingCycles) { best = c }
    }
    return best
  }

  /// Calls `visit` with every VW-SDK window that fits, in the calculator's order (window width
  /// outer, height inner), and the window's output rows `i`.
  static func forEachVWSDKWindow(_ d: ConvDims, arrayRows: Int, weightsPerRow: Int,
                                 _ visit: (WindowChoice, Int) -> Void) {
    var j = 1
    while d.kernelWidth + j * d.stride <= d.inputWidth {
      var i = 1
      while d.kernelHeight + i * d.stride <= d.inputHeight {
        defer { i += 1 }
        let ph = d.kernelHeight + (i - 1) * d.stride, pw = d.kernelWidth + (j - 1) * d.stride
        let ict = arrayRows / (ph * pw), oct = weightsPerRow / (i * j)
        guard ict > 0, oct > 0 else { continue }
        visit(WindowChoice(style: .vwsdk, windowHeight: ph, windowWidth: pw, outputsHigh: i, outputsWide: j,
                           channelsPerTile: min(ict, d.inChannels), outChannelsPerTile: min(oct, d.outChannels),
                           rowTiles: ceilDiv(d.inChannels, ict), colTiles: ceilDiv(d.outChannels, oct),
                           windowsY: windows(d.inputHeight, ph, i, d.stride), windowsX: windows(d.inputWidth, pw, j,
                               d.stride)), i)
      }
      j += 1
    }
  }
}
