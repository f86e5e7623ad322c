import CBLASShim

// MARK: - The functional path's only BLAS user

/// Bit-accurate functional execution helpers that use OpenBLAS.
public enum Functional {
  /// Pins OpenBLAS to one thread: one simulation is single-threaded, parallelism is across runs,
  /// and multithreaded OpenBLAS would make results depend on thread scheduling.
  public static func useSingleThreadedBLAS() { openblas_set_num_threads(1) }

  private static let singleThreaded: Void = useSingleThreadedBLAS()

  /// `C = A (m x k) * B (k x n)`, row-major, single precision. Exact for integers while every
  /// partial sum stays below 2^24, which holds for bit-plane x cell-slice products on one array.
  static func gemm(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    _ = singleThreaded
    var c = [Float](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                      pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
        }
      }
    }
    return c
  }
}
