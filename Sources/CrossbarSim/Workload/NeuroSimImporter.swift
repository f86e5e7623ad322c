import Foundation

// MARK: - NeuroSim NetWork_*.csv import

/// Reads NeuroSim network files: one conv or FC layer per row, no header,
/// `IFM_H, IFM_W, IFM_C, K_H, K_W, OC, pooledAfter(0/1)[, stride]`.
///
/// NeuroSim ignores padding, so each row's IFM is taken as already padded: convs get padding 0.
/// A row with a 1x1 IFM and a 1x1 kernel is an FC layer. `pooledAfter = 1` appends a 2x2/2 max
/// pool. A row reads the previous row's output when the channel counts match; as in NeuroSim, its
/// IFM need not equal that output in height and width (the difference is NeuroSim's implicit
/// padding). A row whose channels differ reads an earlier tensor, NeuroSim's convention for
/// shortcuts (a ResNet's 1x1 projection lists the block input's channels): the most recent layer
/// output, or the network input, with its channel count. The residual additions themselves are not
/// in NeuroSim's files, so none is added. With `independent` (for `simrun map`), a row that matches
/// no tensor reads the network input instead of being an error.
public enum NeuroSimImporter {
  /// Loads and parses a file.
  public static func load(path: String, independent: Bool = false) throws -> Network {
    let text = try ConfigTree.readText(path)
    let base = path.split(separator: "/").last.map(String.init) ?? path
    return try parse(text, source: path, name: String(base.dropLast(base.hasSuffix(".csv") ? 4 : 0)),
                     independent: independent)
  }

  /// Parses file text; `source` names the file in errors.
  public static func parse(_ text: String, source: String, name: String, independent: Bool = false) throws -> Network {
    var rows: [(line: Int, v: [Int])] = []
    for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: ",",
                              omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard fields.count == 7 || fields.count == 8 else {
        throw InputError("\(source):\(i + 1): expected 7 or 8 comma-separated integers (IFM_H, IFM_W, IFM_C, K_H, " +
            "K_W, OC, pooled[, stride]), found \(fields.count) fields")
      }
      var v: [Int] = []
      for (j, f) in fields.enumerated() {
        guard let n = Int(f) else {
          throw InputError("\(source):\(i + 1): field \(j + 1) '\(f)' is not an integer")
        }
        v.append(n)
      }
      if v.count == 7 { v.append(1) }
      let names = ["IFM height", "IFM width", "IFM channels", "kernel height", "kernel width", "output channels"]
      for j in 0..<6 where v[j] <= 0 || v[j] > WorkloadLimits.dimension {
        throw InputError("\(source):\(i + 1): \(names[j]) is \(v[j]); must be in 1...\(WorkloadLimits.dimension)")
      }
      guard v[6] == 0 || v[6] == 1 else { throw InputError("\(source):\(i + 1): pooled flag is \(v[6]); must be 0 or " +
          "1") }
      guard (1...WorkloadLimits.dimension).contains(v[7]) else {
        throw InputError("\(source):\(i + 1): stride is \(v[7]); must be in 1...\(WorkloadLimits.dimension)")
      }
      guard v[3] <= v[0], v[4] <= v[1] else {
        throw InputError("\(source):\(i + 1): kernel \(v[3])x\(v[4]) larger than the (already padded) " +
            "IFM \(v[0])x\(v[1])")
      }
      rows.append((i + 1, v))
    }
    guard !rows.isEmpty else { throw InputError("\(source): no layers") }
    let first = rows[0].v
    var b = NetworkBuilder(name: name, input: TensorShape(first[2], first[0], first[1]))
    var convIndex = 0, fcIndex = 0
    var previousRow: [Int]?
    for (line, v) in rows {
      let ifm = TensorShape(v[2], v[0], v[1])
      let isFC = v[0] == 1 && v[1] == 1 && v[3] == 1 && v[4] == 1
      var inputs = b.last.map { [$0] } ?? []
      if let prev = b.last, !isFC, b.network.layers[prev].outputShape.channels != ifm.channels {
        let layers = b.network.layers
        if let j = layers.indices.reversed().first(where: { layers[$0].outputShape.channels == ifm.channels }) {
          inputs = [j]
        } else if b.network.inputShape.channels == ifm.channels || independent {
          inputs = []
        } else {
          throw InputError("\(source):\(line): IFM channels \(ifm.channels) match no earlier tensor (previous " +
              "layer: \(layers[prev].outputShape.channels) channels; network input: \(b.network.inputShape.channels))")
        }
      }
      // An FC row reads the previous layer flattened: its own output, or (NeuroSim's files size FC
      // inputs as if every conv kept its map, "same" padding) the previous row's map / stride / pool,
      // or its channels after a global average pool the file does not list (NeuroSim's DenseNet-40).
      var fcNote: String?
      if isFC, let prev = b.last, !independent, let p = previousRow {
        let o = b.network.layers[prev].outputShape
        let shrink = p[7] * (p[6] == 1 ? 2 : 1)
        let same = p[0] == 1 && p[1] == 1 ? p[5] : p[5] * (p[0] / shrink) * (p[1] / shrink)
        if v[2] != o.elements, v[2] != same, v[2] == o.channels, o.height == o.width {
          let name = b.network.layers[prev].name
          inputs = [try b.pool("gap\(fcIndex + 1)", Pooling(.average, kernel: o.height, stride: o.height))]
          fcNote = "reads the \(o.channels) channels of a global average pool over \(name)'s \(o.height)x\(o.width) " +
              "map, which the file does not list"
        } else if v[2] != o.elements, v[2] != same {
          throw InputError("\(source):\(line): FC row reads \(v[2]) inputs but the previous layer " +
              "gives \(o.elements) (\(o.channels)x\(o.height)x\(o.width)), or \(same) as NeuroSim sizes it, or " +
              "\(o.channels) after a global average pool; IFM_C of an FC row is the flattened input size")
        }
      }
      previousRow = v
      do {
      if isFC {
        fcIndex += 1
        var fc = Layer(name: "fc\(fcIndex)", operation: .fullyConnected(outFeatures: v[5]), inputs: inputs,
                       inputShape: ifm, outputShape: TensorShape(v[5], 1, 1))
        fc.note = fcNote
        try b.append(fc)
      } else {
        convIndex += 1
        let c = Convolution(outChannels: v[5], kernel: v[3], stride: v[7], padding: 0)
        var layer = Layer(name: "conv\(convIndex)", operation: .conv(c), inputs: inputs, inputShape: ifm,
                          outputShape: TensorShape(v[5], (v[0] - v[3]) / v[7] + 1, (v[1] - v[4]) / v[7] + 1))
        if v[3] != v[4] {
          layer.operation = .conv(Convolution(outChannels: v[5], kernel: v[3], stride: v[7]))
          layer.setKernel(v[3], v[4])
        }
        try b.append(layer)
      }
      } catch let e as InputError { throw InputError("\(source):\(line): \(e.description)") }
      if v[6] == 1 {
        do { try b.pool("pool\(convIndex + fcIndex)", Pooling(.max, kernel: 2, stride: 2)) } catch {
          throw InputError("\(source):\(line): cannot pool 2x2 after this layer: \(error)")
        }
      }
    }
    return b.network
  }
}

extension Layer {
  /// Sets a rectangular kernel on a conv layer (importers).
  mutating func setKernel(_ h: Int, _ w: Int) {
    guard case .conv(var c) = operation else { return }
    c.kernelHeight = h; c.kernelWidth = w
    operation = .conv(c)
  }
}
