import CBLASShim
import CrossbarSim

// MARK: - The only LAPACK user: thin wrappers that turn `info != 0` into thrown errors

/// A thin singular value decomposition `A = U diag(s) Vt` of an `m x n` row-major matrix.
public struct SVD: Sendable {
  /// Left singular vectors, `m x k` row-major.
  public var u: [Float]
  /// Singular values, descending, `k = min(m, n)`.
  public var s: [Float]
  /// Right singular vectors transposed, `k x n` row-major.
  public var vt: [Float]
  /// Rows of A.
  public var m: Int
  /// Columns of A.
  public var n: Int
  /// `min(m, n)`.
  public var k: Int { s.count }
}

/// LAPACK calls through LAPACKE, single precision, row-major.
///
/// Every entry point first pins OpenBLAS to one thread: multithreaded OpenBLAS sums in a
/// schedule-dependent order, so results (and everything seeded downstream) would differ run to run.
public enum LAPACK {
  private static let singleThreaded: Void = Functional.useSingleThreadedBLAS()

  /// Thin SVD by divide and conquer (`sgesdd`), falling back to `sgesvd` when it does not
  /// converge; `what` names the matrix in errors.
  public static func svd(_ a: [Float], m: Int, n: Int, what: String) throws -> SVD {
    _ = singleThreaded
    precondition(a.count == m * n, "matrix size")
    let k = min(m, n)
    var work = a
    var s = [Float](repeating: 0, count: k), u = [Float](repeating: 0, count: m * k), vt = [Float](repeating: 0,
        count: k * n)
    let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n), &work, Int32(n), &s, &u,
                              Int32(k), &vt, Int32(n))
    if info == 0 { return SVD(u: u, s: s, vt: vt, m: m, n: n) }
    guard info > 0 else { throw InputError("\(what): LAPACK sgesdd rejected argument \(-info) (info \(info))") }
    work = a
    var superb = [Float](repeating: 0, count: max(1, k - 1))
    let info2 = LAPACKE_sgesvd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), CChar(UInt8(ascii: "S")), Int32(m),
                               Int32(n), &work, Int32(n),
                               &s, &u, Int32(k), &vt, Int32(n), &superb)
    guard info2 == 0 else {
      throw InputError("\(what): SVD did not converge (sgesdd info \(info), sgesvd info \(info2))")
    }
    return SVD(u: u, s: s, vt: vt, m: m, n: n)
  }

  /// One bare `LAPACKE_sgesdd` call (thin U, s, Vt) returning LAPACK's `info`: the baseline the
  /// benchmark compares `svd` and the low-rank compressor against. Not for use elsewhere.
  public static func rawSGESDD(_ a: [Float], m: Int, n: Int) -> Int32 {
    _ = singleThreaded
    var work = a
    let k = min(m, n)
    var s = [Float](repeating: 0, count: k), u = [Float](repeating: 0, count: m * k), vt = [Float](repeating: 0,
        count: k * n)
    return LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n), &work, Int32(n), &s, &u,
                          Int32(k), &vt, Int32(n))
  }

  /// Singular values only (`sgesdd` with no vectors).
  public static func singularValues(_ a: [Float], m: Int, n: Int, what: String) throws -> [Float] {
    _ = singleThreaded
    var work = a
    var s = [Float](repeating: 0, count: min(m, n))
    // No vectors are formed, but row-major LAPACKE still checks ldvt >= n.
    var noU: Float = 0, noVt: Float = 0
    let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), &work, Int32(n), &s,
                              &noU, 1, &noVt, Int32(n))
    guard info == 0 else { throw InputError("\(what): singular values did not converge (sgesdd info \(info))") }
    return s
  }

  /// An `m x k` matrix with orthonormal columns spanning those of `a` (`sgeqrf` + `sorgqr`).
  public static func orthonormalColumns(_ a: [Float], m: Int, k: Int, what: String) throws -> [Float] {
    _ = singleThreaded
    precondition(a.count == m * k && k <= m, "QR shape")
    var q = a
    var tau = [Float](repeating: 0, count: k)
    let info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(k), &q, Int32(k), &tau)
    guard info == 0 else { throw InputError("\(what): QR factorization failed (sgeqrf info \(info))") }
    let info2 = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(k), Int32(k), &q, Int32(k), &tau)
    guard info2 == 0 else { throw InputError("\(what): forming Q failed (sorgqr info \(info2))") }
    return q
  }

  /// `C = A (m x k) * B (k x n)`, row-major, single precision.
  public static func gemm(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    _ = singleThreaded
    var c = [Float](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n),
                0, &c, Int32(n))
    return c
  }
}
