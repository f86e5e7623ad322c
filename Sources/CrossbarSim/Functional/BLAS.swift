import CBLASShim

// MARK: - The functional path's only BLAS user

/// Bit-accurate functional execution helpers that use OpenBLAS.
public enum Functional {
  /// Pins OpenBLAS to one thread: one simulation is single-threaded, parallelism is across runs.
  public static func useSingleThreadedBLAS() { openblas_set_num_threads(1) }
}
