import Foundation
import Testing
import ZIPFoundation
import CrossbarSim
import Mappers
@testable import Compressors

@Suite("Quantization")
struct QuantizationTests {
  @Test("power-of-two scales are powers of two, stored values fit the bits, zero stays zero", arguments: [8, 6, 4])
  func pow2(bits: Int) throws {
    let model = try resnet20Model()
    let (m, records) = try compressor("quant-pow2:bits=\(bits)").compress(model, context: isaacContext)
    #expect(records.count == 22)
    for (i, s) in m.layers.enumerated() {
      guard let q = s.quantized else { continue }
      #expect(q.scale == pow(2.0, Double(q.scaleExponent!)))
      let w = m.weights.layers[i]!
      let stored = q.stored(w.values)
      #expect(stored.allSatisfy { (0...((1 << bits) - 1)).contains($0) })
      #expect(s.rescale == .shift)
      #expect(zip(stored, w.values).allSatisfy { Float(q.scale * Double($0.0 - q.zeroPoint)) == $0.1 })
    }
  }

  @Test("floating-point scales are at least as accurate as power-of-two scales overall, and cost a multiply per output")
  func fpBaseline() throws {
    let model = try resnet20Model()
    let (pow2, rp) = try compressor("quant-pow2:bits=6").compress(model, context: isaacContext)
    let (fp, rf) = try compressor("quant-fp:bits=6").compress(model, context: isaacContext)
    #expect(rf.reduce(0) { $0 + $1.relativeError } <= rp.reduce(0) { $0 + $1.relativeError })
    let a = try Simulation.run(network: pow2.network, spec: .isaac8bit, mapper: Im2colMapper())
    let shift = try Engine(spec: .isaac8bit, layout: pow2.layout(mapper: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))).simulate()
    let mult = try Engine(spec: .isaac8bit, layout: fp.layout(mapper: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))).simulate()
    #expect(a.counts[.rescaleShift] == 0)   // a layout without the model's state carries no rescale
    #expect(shift.counts[.rescaleShift] > 0 && shift.counts[.rescaleMultiply] == 0)
    #expect(mult.counts[.rescaleMultiply] == shift.counts[.rescaleShift])
    #expect(mult.energyPJ > shift.energyPJ)
  }

  @Test("streamed a layer at a time, quantizers give the whole-model pipeline's records, layouts and kept weights")
  func streamed() throws {
    let model = try resnet20Model()
    let steps = [try compressor("quant-fp:bits=6,layers=conv1|layer2.0.conv1"), try compressor("quant-pow2:bits=4")]
    let (m, records, layout) = try CompressionPipeline.runWithLayout(model, steps: steps, context: isaacContext)
    var made: [Int] = []
    let s = try CompressionPipeline.stream(model.network, weights: { made.append($0); return model.weights.layers[$0]! },
                                           steps: steps.map { $0 as! any LayerCompressor }, context: isaacContext)
    #expect(made == model.network.layers.indices.filter { model.network.layers[$0].operation.isMatrix })   // each once, in order
    #expect(s.records == records && records.count == 2 + 22)
    #expect(s.keptParameters == m.network.layers.indices.map { m.keptParameters(layer: $0) })
    for (a, b) in zip(s.layout.layouts, layout.layouts) {
      #expect(a?.crossbars.map(\.usefulCells) == b?.crossbars.map(\.usefulCells))
      #expect(a?.zeroPoint == b?.zeroPoint && a?.rescale == b?.rescale && a?.windows == b?.windows)
    }
    #expect(layout.layouts.compactMap { $0?.zeroPoint }.count == 22)
  }

  @Test("hand-worked: [-2.5, 4.5, 0] at 3 bits has S = 1, Z = round(2.5) = 3, and 4.5 + 3 rounds past 7 to the top level")
  func handWorked() {
    var v: [Float] = [-2.5, 4.5, 0]
    let (q, error) = QuantizedWeights.quantize(&v, bits: 3, powerOfTwo: true)
    #expect(q.scale == 1 && q.scaleExponent == 0 && q.zeroPoint == 3)
    #expect(q.stored(v) == [0, 7, 3] && v == [-3, 4, 0])
    #expect(abs(error - (0.5 / (2.5 * 2.5 + 4.5 * 4.5)).squareRoot()) < 1e-15)   // sqrt(0.25 + 0.25) / ||w||
  }

  @Test("more bits than the chip stores is an error")
  func tooManyBits() throws {
    do { _ = try compressor("quant-pow2:bits=12").compress(try resnet20Model(), context: isaacContext); Issue.record("accepted") } catch {
      #expect("\(error)".contains("bits=12 exceeds the chip's data.weightBits 8"))
    }
  }
}

@Suite("Weight files")
struct WeightFileTests {
  let tiny = try! NeuroSimImporter.load(path: "\(packageRoot)/traces/NetWork_tiny.csv")

  @Test("a .npz written by NumPy loads by name, with float32, float64 and int8 arrays")
  func numpy() throws {
    let w = try WeightFile.load("\(packageRoot)/Tests/CompressorsTests/Fixtures/tiny.npz", for: tiny)
    let conv1 = w.layers[0]!
    #expect(conv1.outputs == 16 && conv1.inputs == 72)
    let fc = w.layers[tiny.layers.firstIndex { $0.name == "fc1" }!]!
    #expect(fc.values.allSatisfy { $0 == $0.rounded() })   // int8 values
    _ = try CompressedModel(network: tiny, weights: w)
  }

  @Test("Fortran-order, big-endian arrays come out in C order")
  func fortran() throws {
    let a = try WeightFile.arrays(at: "\(packageRoot)/Tests/CompressorsTests/Fixtures/fortran.npy")[0].array
    #expect(a.shape == [2, 3] && a.values == [0, 1, 2, 3, 4, 5])
  }

  /// A hand-made version-1 `.npy` of `body` bytes.
  func npy(descr: String, shape: String, _ body: [UInt8]) -> Data {
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + body)
  }

  @Test("signed and unsigned integers of either byte order read as their values")
  func integerDtypes() throws {
    let i8 = try NumPyArray(npy: npy(descr: "|i1", shape: "(4,)", [0xFD, 0x05, 0x80, 0x7F]), source: "i8")
    #expect(i8.values == [-3, 5, -128, 127])
    let i2 = try NumPyArray(npy: npy(descr: ">i2", shape: "(2,)", [0xFF, 0xFE, 0x01, 0x00]), source: "i2")
    #expect(i2.values == [-2, 256])
    let u2 = try NumPyArray(npy: npy(descr: "<u2", shape: "(1,)", [0xFE, 0xFF]), source: "u2")
    #expect(u2.values == [65534])
  }

  @Test("a Fortran-order 3 x 2 array (first index fastest) comes out in C order")
  func fortranTall() throws {
    // Column-major bytes a00 a10 a20 a01 a11 a21 = 1 2 3 4 5 6: C order reads 1 4 2 5 3 6.
    var header = "{'descr': '|u1', 'fortran_order': True, 'shape': (3, 2), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [1, 2, 3, 4, 5, 6])
    let a = try NumPyArray(npy: data, source: "f")
    #expect(a.shape == [3, 2] && a.values == [1, 4, 2, 5, 3, 6])
  }

  @Test("arrays round-trip through .npy and .npz, and unnamed arrays match layers in order")
  func roundTrip() throws {
    let w = try SyntheticWeights(seed: 7).generate(for: tiny)
    let arrays = tiny.layers.indices.compactMap { i in w.layers[i].map { (name: "array\(i)", array: NumPyArray(shape: [$0.outputs, $0.inputs], values: $0.values)) } }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).npz").path
    try WeightFile.writeNPZ(arrays, to: path)
    #expect(try WeightFile.load(path, for: tiny) == w)
  }

  @Test("shape mismatches, non-finite weights and malformed files name the file and layer")
  func badFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try WeightFile.writeNPZ([("conv1.weight", NumPyArray(shape: [16, 8, 5, 5], values: Array(repeating: 0, count: 3200)))], to: "\(dir)/shape.npz")
    var nan = [Float](repeating: 0.1, count: 16 * 72); nan[5] = .nan
    try WeightFile.writeNPZ([("conv1.weight", NumPyArray(shape: [16, 8, 3, 3], values: nan))], to: "\(dir)/nan.npz")
    try Data("not numpy".utf8).write(to: URL(fileURLWithPath: "\(dir)/junk.npy"))
    for (file, message) in [("shape.npz", "array 'conv1.weight' has shape [16, 8, 5, 5], layer conv1 needs [16, 8, 3, 3]"),
                            ("nan.npz", "layer conv1 (array 'conv1.weight') weight 5 is nan"),
                            ("junk.npy", "junk.npy: not a NumPy .npy array"), ("missing.npz", "missing.npz: no such file")] {
      do { _ = try WeightFile.load("\(dir)/\(file)", for: tiny); Issue.record("accepted \(file)") } catch {
        #expect("\(error)".contains(message), "\(error)")
      }
    }
  }

  @Test("only the members asked for are read: a corrupt member nobody needs is never unpacked")
  func lazyMembers() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lazy-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let w = try SyntheticWeights(seed: 3).generate(for: tiny)
    let named = tiny.layers.indices.compactMap { i in
      w.layers[i].map { (name: tiny.layers[i].name, array: NumPyArray(shape: [$0.outputs, $0.inputs], values: $0.values)) }
    }
    let path = "\(dir)/w.npz"
    try WeightFile.writeNPZ(named + [("x", NumPyArray(shape: [1, 8, 10, 10], values: Array(repeating: 0.5, count: 800))),
                                     ("y", NumPyArray(shape: [1], values: [3]))], to: path)
    // A member no reader needs, which cannot be read (an oversized one is the corpus's d-x-bomb.npz).
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .update)
    let junk = Data("not numpy at all".utf8)
    try archive.addEntry(with: "junk.npy", type: .file, uncompressedSize: Int64(junk.count), provider: { pos, size in
      junk.subdata(in: Int(pos)..<Int(pos) + size)
    })
    let file = try ArrayFile(path)
    #expect(file.names.suffix(3) == ["x", "y", "junk"])
    // Weights matched by name and a dataset's x and y load without touching junk.
    #expect(try WeightFile.load(path, for: tiny) == w)
    let data = try Dataset.load(path, shape: TensorShape(8, 10, 10), classes: 10)
    #expect(data.y == [3] && data.x.count == 800)
    // Asked for, each is the error it always was.
    #expect { _ = try file.array(named: "junk") } throws: { "\($0)".contains("junk.npy") }
    #expect { _ = try WeightFile.arrays(at: path) } throws: { "\($0)".contains("junk.npy") }
  }

  @Test("NaN or infinite weights given directly are errors naming the layer")
  func nanModel() throws {
    var w = try SyntheticWeights(seed: 1).generate(for: tiny)
    w.layers[0]!.values[3] = .infinity
    do { _ = try CompressedModel(network: tiny, weights: w, source: "mine"); Issue.record("accepted") } catch {
      #expect("\(error)".contains("mine: layer conv1 weight 3 is inf"))
    }
  }
}

@Suite("Compression pipeline")
struct PipelineTests {
  @Test("on resnet20 / isaac-8bit, crossbar-aligned pruning and low-rank reduce crossbars; fine-grained baselines pay table lookups")
  func paperClaims() throws {
    let model = try resnet20Model()
    func run(_ specs: [String]) throws -> (Int, SimulationResult) {
      let (m, _) = try CompressionPipeline.run(model, steps: specs.map(compressor), context: isaacContext)
      let layout = try m.layout(mapper: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))
      return (layout.crossbars, try Engine(spec: .isaac8bit, layout: layout).simulate())
    }
    let (dense, _) = try run([])
    let (xa, xaRun) = try run(["prune-crossbar:ratio=0.5", "quant-pow2"])
    let (lr, _) = try run(["lowrank:rank=8"])
    #expect(xa < dense && lr < dense)
    #expect(xaRun.counts[.tableLookup] == 0)
    for fine in ["prune-rows:ratio=0.5", "prune-columns:ratio=0.5", "prune-pattern:taps=4"] {
      let (_, r) = try run([fine])
      #expect(r.energyByClass.first { $0.0 == .sparsityTables }!.1 > 0, "\(fine)")
      #expect(r.counts[.tableLookup] > 0)
      // Entries index resnet20's weight rows (27 to 576: 5 to 10 bits) or output channels (16 to 64: 4 to 6).
      #expect(r.sparsityTables > 0 && r.tableAreaMm2 > 0 && r.tableBits >= 4 * r.tableEntries && r.tableBits <= 10 * r.tableEntries)
    }
  }

  @Test("records carry crossbars before and after each step, and the same input gives the same records")
  func records() throws {
    let model = try resnet20Model()
    let steps = try ["lowrank:rank=8", "prune-columns:ratio=0.25", "quant-fp"].map(compressor)
    let (_, a) = try CompressionPipeline.run(model, steps: steps, context: isaacContext)
    let (_, b) = try CompressionPipeline.run(model, steps: steps, context: isaacContext)
    #expect(a == b)
    #expect(a.filter { $0.step.hasPrefix("lowrank") }.allSatisfy { $0.crossbarsBefore > 0 && $0.rank == 8 })
    #expect(a.contains { $0.step.hasPrefix("prune-columns") && $0.tableEntries > 0 })
  }

  @Test("every registered compressor builds and runs", arguments: allCompressors.map(\.kind))
  func registry(kind: String) throws {
    let options: [String: String] = kind == "lowrank" ? ["rank": "4"] : kind == "prune-pattern" ? ["taps": "5"]
      : kind.hasPrefix("quant") ? [:] : ["ratio": "0.5"]
    let c = try CompressorRegistry.compressor(kind: kind, options: options)
    let (m, records) = try c.compress(try resnet20Model(), context: isaacContext)
    #expect(!records.isEmpty)
    _ = try m.layout(mapper: Im2colMapper(), geometry: ArrayGeometry(.isaac8bit))
  }
}
