import CrossbarSim

/// Compressors (SVD and group low-rank, pruning, quantization) arrive with issue 4; the module
/// exists now so the package has its fixed layout and the dependency arrows are enforced.
public let allCompressorKinds: [String] = []
