// The expression part of a morphable model: named blendshapes (the Surrey model's) or a PCA
// model (BFM conversions), seen uniformly as an offset plus a linear basis.

/// One blendshape: a named per-vertex displacement added to the shape with a weight.
public struct Blendshape: Sendable {
    public let name: String
    /// Displacement, [D] = [3·V] (x, y, z per vertex).
    public let deformation: [Float]

    public init(name: String, deformation: [Float]) {
        self.name = name
        self.deformation = deformation
    }
}

/// Expression model: S_e = offset + basis·p_e.
public enum ExpressionModel: Sendable {
    case blendshapes([Blendshape])
    case pca(PCAModel)

    /// Ke, the number of expression coefficients.
    public var count: Int {
        switch self {
        case .blendshapes(let shapes): return shapes.count
        case .pca(let model): return model.componentCount
        }
    }

    /// D, the data dimension each component displaces.
    public var dimension: Int {
        switch self {
        case .blendshapes(let shapes): return shapes.first?.deformation.count ?? 0
        case .pca(let model): return model.dimension
        }
    }

    /// Blendshape names, or "pc0", "pc1", … for a PCA model.
    public var names: [String] {
        switch self {
        case .blendshapes(let shapes): return shapes.map(\.name)
        case .pca(let model): return (0..<model.componentCount).map { "pc\($0)" }
        }
    }

    /// Row-major [D, Ke]: blendshape j in column j, or the PCA basis rescaled to standard deviations.
    public var basis: [Float] {
        switch self {
        case .blendshapes(let shapes):
            let d = dimension, k = shapes.count
            var basis = [Float](repeating: 0, count: d * k)
            for (j, shape) in shapes.enumerated() {
                for row in 0..<d { basis[row * k + j] = shape.deformation[row] }
            }
            return basis
        case .pca(let model): return model.rescaledBasis
        }
    }

    /// Added whatever the coefficients, [D]: zero for blendshapes, the mean for a PCA model.
    public var offset: [Float] {
        switch self {
        case .blendshapes: return [Float](repeating: 0, count: dimension)
        case .pca(let model): return model.mean
        }
    }
}
