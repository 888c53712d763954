// A linear PCA model over stacked vertex data (x, y, z per vertex): mean, orthonormal basis,
// eigenvalues, and the basis rescaled to standard deviations.

/// One PCA model of an eos morphable model (shape, colour or expression).
///
/// Dimension letters: D = 3·V data dimension (x, y, z of each vertex in turn), K = components.
public struct PCAModel: Sendable {
    /// Mean, [D].
    public let mean: [Float]
    /// Orthonormal eigenvectors as columns, row-major [D, K].
    public let orthonormalBasis: [Float]
    /// Variances along each component, [K], all ≥ 0.
    public let eigenvalues: [Float]
    /// Vertex indices of each triangle, 0-based; may be empty (colour and expression models).
    public let triangles: [SIMD3<Int32>]
    /// The basis with column k multiplied by √eigenvalue[k], row-major [D, K]: coefficients in
    /// standard deviations, as eos draws samples (mean + B′·α).
    public let rescaledBasis: [Float]

    public init(mean: [Float], orthonormalBasis: [Float], eigenvalues: [Float], triangles: [SIMD3<Int32>]) {
        precondition(orthonormalBasis.count == mean.count * eigenvalues.count, "PCAModel: basis is not [D, K]")
        self.mean = mean
        self.orthonormalBasis = orthonormalBasis
        self.eigenvalues = eigenvalues
        self.triangles = triangles
        let k = eigenvalues.count
        let scales = eigenvalues.map { $0.squareRoot() }
        rescaledBasis = orthonormalBasis.enumerated().map { index, value in value * scales[index % k] }
    }

    /// D, the data dimension (3 per vertex).
    public var dimension: Int { mean.count }
    /// K, the number of components.
    public var componentCount: Int { eigenvalues.count }
    public var isEmpty: Bool { mean.isEmpty }
}
