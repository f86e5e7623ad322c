import CrossbarSim
import Foundation
import Mappers

/// `simrun bench --functional MODEL.onnx --functional-data FILE.npz`: functional inference speed.
enum InferenceBench {
  static func run(model path: String, data: String, arch: ArchSpec, mapper: any WeightMapper, repeats: Int) throws {
    let (net, w) = try ONNXImporter.load(path: path)
    let model = try CompressedModel(network: net, weights: w)
    let set = try Dataset.load(data, shape: net.inputShape, classes: net.classes)
    let layout = try NetworkLayout.map(net, with: mapper, geometry: ArrayGeometry(arch))
    let watch = Stopwatch(repeats: repeats)
    func best(_ body: () throws -> Void) rethrows -> Double { try watch.best(body) }
    // Whole split through the crossbar path (calibration on the split's first 128 images).
    let n = min(128, set.images)
    let calX = Array(set.x[0..<(n * net.inputShape.elements)])
    func prepare() throws -> IntegerInference {
      let calib = FloatInference(unchecked: net, weights: w).run(calX, images: n)
      return try IntegerInference(model: model, spec: arch, calibrationInput: calX, calibration: calib,
                                  products: .crossbar(layout, arch))
    }
    let setup = try best { _ = try prepare() }
    let path = try prepare()
    let whole = best {
      var b = 0
      for start in stride(from: 0, to: set.images, by: Evaluation.batchSize) {
        let end = min(set.images, start + Evaluation.batchSize)
        _ = path.run(Array(set.x[(start * net.inputShape.elements)..<(end * net.inputShape.elements)]),
                     images: end - start, batch: b)
        b += 1
      }
    }
    print(String(format: "functional: %@, %d images through the crossbar path in %.3f s (%.3g images/s; calibration " +
        "and programming %.3f s)",
                 net.name, set.images, whole, Double(set.images) / whole, setup))
    // Per layer: the bit-sliced path against the GEMMs it needs, on one batch.
    let batch = min(Evaluation.batchSize, set.images)
    print("layer      crossbars  bit-sliced [ms]  GEMMs only [ms]  ratio")
    var total = (full: 0.0, gemm: 0.0, crossbars: 0)
    for (i, l) in net.layers.enumerated() where l.operation.isMatrix {
      let (q, values) = QuantizedWeights.quantized(w.layers[i]!.values, bits: arch.data.weightBits, powerOfTwo: true)
      var m = BitSerialModel(arch)
      m.customZeroPoint = q.zeroPoint
      let x = CrossbarExecutor(layout: layout.layouts[i]!, network: net, weights: IntegerWeights(q.signed(values)),
                               model: m)
      var input = [Int](repeating: 0, count: batch * l.inputShape.elements)
      for k in input.indices { input[k] = (k * 2_654_435_761) % (1 << arch.data.inputBits) }
      let full = best { _ = x.run(input, images: batch) }
      let gemm = best { x.runGEMMsOnly(images: batch) }
      print(String(format: "%-10@ %9d  %15.2f  %15.2f  %5.2f", l.name as NSString, layout.layouts[i]!.crossbars.count,
                   full * 1e3, gemm * 1e3, full / gemm))
      total = (total.full + full, total.gemm + gemm, total.crossbars + layout.layouts[i]!.crossbars.count)
    }
    // The target's figure: the whole network's bit-sliced path against all the GEMMs it needs.
    print(String(format: "%-10@ %9d  %15.2f  %15.2f  %5.2f", "total" as NSString, total.crossbars, total.full * 1e3,
                 total.gemm * 1e3, total.gemm > 0 ? total.full / total.gemm : 0))
  }
}
