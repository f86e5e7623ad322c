import ArgumentParser
import CrossbarSim
import Foundation

struct WorkloadsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "workloads", abstract: "List the built-in workloads (or describe a NeuroSim CSV) with layers, " +
        "parameters and MACs.")

  @Option(name: [.customLong("workload"), .customLong("model")],
          help: "Describe this workload's layers instead of listing all (a name, a NeuroSim CSV or an ONNX model).")
  var workload: String?

  @Option(help: "table, json or csv.")
  var format: OutputFormat = .table

  func run() throws {
    if let workload {
      let n = try BuiltinWorkloads.load(workload)
      print(Self.layers(n, format: format), terminator: "")
      return
    }
    let nets = BuiltinWorkloads.all.map { $0.make() }
    print(Self.summary(nets, format: format), terminator: "")
  }

  static func summary(_ nets: [Network], format: OutputFormat) -> String {
    switch format {
    case .csv:
      var t = CSVTable(header: ["workload", "input", "layers", "matrixLayers", "parameters", "macs"])
      for n in nets {
        t.append([n.name, "\(n.inputShape)", "\(n.layers.count)", "\(n.matrixLayerCount)", "\(n.parameters)",
                  "\(n.macs)"])
      }
      return t.text
    case .json:
      return JSONValue.array(nets.map { n in
        .object([.init("workload", .string(n.name)), .init("input", .string("\(n.inputShape)")),
                 .init("layers", .integer(n.layers.count)),
                 .init("matrixLayers", .integer(n.matrixLayerCount)), .init("parameters", .integer(n.parameters)),
                 .init("macs", .integer(n.macs))], inline: true)
      }).document
    case .table:
      var t = TextTable(header: ["workload", "input", "layers", "matrix", "parameters", "MACs"], leftColumns: 2)
      t.rows = nets.map { ["\($0.name)", "\($0.inputShape)", "\($0.layers.count)", "\($0.matrixLayerCount)",
                           "\($0.parameters)", "\($0.macs)"] }
      return t.render()
    }
  }

  /// One row per layer in `format`: name, kind, producers, shapes, parameters and MACs.
  static func layers(_ n: Network, format: OutputFormat) -> String {
    let header = ["layer", "kind", "inputs", "inputShape", "outputShape", "parameters", "macs"]
    let rows = n.layers.map { l in
      (l, kind(l), l.inputs.map { n.layers[$0].name })
    }
    switch format {
    case .csv:
      var t = CSVTable(header: header)
      for (l, kind, inputs) in rows {
        t.append([l.name, kind, inputs.isEmpty ? "input" : inputs.joined(separator: ";"), "\(l.inputShape)",
                  "\(l.outputShape)", "\(l.parameters)", "\(l.macs)"])
      }
      return t.text
    case .json:
      return JSONValue.object([
        .init("workload", .string(n.name)), .init("input", .string("\(n.inputShape)")),
        .init("layers", .array(rows.map { l, kind, inputs in
          .object([.init("layer", .string(l.name)), .init("kind", .string(kind)),
                   .init("inputs", .array(inputs.map { .string($0) }, inline: true)),
                   .init("inputShape", .string("\(l.inputShape)")), .init("outputShape", .string("\(l.outputShape)")),
                   .init("parameters", .integer(l.parameters)), .init("macs", .integer(l.macs))], inline: true)
        })),
      ]).document
    case .table:
      var t = TextTable(header: ["layer", "kind", "inputs", "input", "output", "parameters", "MACs"], leftColumns: 5)
      t.rows = rows.map { l, kind, inputs in
        [l.name, kind, inputs.isEmpty ? "input" : inputs.joined(separator: ";"), "\(l.inputShape)", "\(l.outputShape)",
         "\(l.parameters)", "\(l.macs)"]
      }
      return t.render()
    }
  }

  /// A layer's kind as one word with its geometry (`conv3x3/s1/p1`, `maxpool2/s2`, `fc relu`).
  static func kind(_ l: Layer) -> String {
    var kind: String
    switch l.operation {
    case .conv(let c):
      let groups = c.groups > 1 ? "/g\(c.groups)" : ""
      kind = "conv\(c.kernelHeight)x\(c.kernelWidth)/s\(c.stride)/p\(c.padding)" + groups
    case .fullyConnected: kind = "fc"
    case .pool(let p): kind = "\(p.kind.rawValue)pool\(p.kernel)/s\(p.stride)" + (p.ceilMode ? " ceil" : "")
    case .channelSlice(let start, let count): kind = "slice\(start)+\(count)"
    case .channelPad(let before, let after): kind = "pad\(before)+\(after)"
    case .channelShuffle(let g): kind = "shuffle/g\(g)"
    default: kind = l.operation.kind
    }
    if l.activation != .identity { kind += " \(l.activation)" }
    return kind
  }
}
