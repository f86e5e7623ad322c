import CBLASShim
import Foundation

// MARK: - The number types training runs in: Float for training, Double for gradient checks

/// A floating-point type with a BLAS matrix product: `Float` trains, `Double` checks gradients
/// against central differences.
public protocol TrainScalar: BinaryFloatingPoint, Sendable {
  /// `C = alpha op(A) op(B) + beta C`, row-major; `op(A)` is `m x k`, `op(B)` is `k x n`.
  static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                   b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// The exponential (softmax).
  static func exp(_ x: Self) -> Self
  /// The natural logarithm (cross-entropy).
  static func log(_ x: Self) -> Self
}

extension Float: TrainScalar {
  public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                          lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>,
                          ldc: Int) {
    Functional.pinThreads()
    guard m > 0, n > 0, k > 0 else { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m),
                Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
  public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
  public static func log(_ x: Float) -> Float { Foundation.log(x) }
}

extension Double: TrainScalar {
  public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>,
                          lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>,
                          ldc: Int) {
    Functional.pinThreads()
    guard m > 0, n > 0, k > 0 else { return }
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m),
                Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
  public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  public static func log(_ x: Double) -> Double { Foundation.log(x) }
}
