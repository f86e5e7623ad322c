import CBLASShim

// MARK: - The functional path's only BLAS user

/// Bit-accurate functional execution helpers that use OpenBLAS.
public enum Functional {
  /// Pins OpenBLAS to one thread: one simulation is single-threaded, parallelism is across runs,
  /// and multithreaded OpenBLAS would make results depend on thread scheduling.
  public static func useSingleThreadedBLAS() { openblas_set_num_threads(1) }

  private static let singleThreaded: Void = useSingleThreadedBLAS()
  /// Makes sure OpenBLAS runs on one thread before a product (training's products).
  @inline(__always) static func pinThreads() { _ = singleThreaded }

  /// `C = A (m x k) * B (k x n)`, row-major, single precision. Exact for integers while every
  /// partial sum stays below 2^24, which holds for bit-plane x cell-slice products on one array.
  static func gemm(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    gemm(a, b, into: &c, m: m, k: k, n: n)
    return c
  }

  /// `C = A (m x k) * B (k x n)` into an existing buffer of `m * n` values, or `C += A B` when
  /// `accumulate`.
  static func gemm(_ a: [Float], _ b: [Float], into c: inout [Float], m: Int, k: Int, n: Int,
                   accumulate: Bool = false) {
    _ = singleThreaded
    guard m > 0, n > 0, k > 0 else { return }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                      pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), accumulate ? 1 : 0, pc.baseAddress, Int32(n))
        }
      }
    }
  }

  /// `C = A (m x k) * B (k x n)` in double precision: exact for integers below 2^53.
  static func dgemm(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    _ = singleThreaded
    var c = [Double](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                      pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
        }
      }
    }
    return c
  }

  /// `C = A (m x k) * B^T` with `B` stored `n x k`, single precision (float inference: B is a
  /// weight matrix `[outputs][inputs]`).
  static func gemmTransB(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                         m: Int, k: Int, n: Int,
                         ldb: Int, ldc: Int) {
    _ = singleThreaded
    guard m > 0, n > 0, k > 0 else { return }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(ldb),
                0, c, Int32(ldc))
  }

  /// Double-precision `C = A B^T` (exact integer products of the quantized path).
  static func dgemmTransB(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                          m: Int, k: Int, n: Int,
                          ldb: Int, ldc: Int) {
    _ = singleThreaded
    guard m > 0, n > 0, k > 0 else { return }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(ldb),
                0, c, Int32(ldc))
  }
}
