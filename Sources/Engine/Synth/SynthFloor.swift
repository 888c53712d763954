// The model's floor: the best the morphable model can do for a mesh of its own topology, the
// least-squares shape and expression coefficients (no prior) after a similarity alignment,
// alternated a few times. What no fit can beat on a synthetic face (the true mesh projected onto
// the model).

/// Projects meshes with the model's vertices onto the model (shape and expression together).
struct ModelProjection {
    private let mean: [Double]
    /// Row-major [D, K]: the rescaled shape basis, then the expression basis.
    private let basis: [Double]
    private let k: Int
    /// BᵀB [K, K] with a tiny ridge (the blendshapes are nearly dependent on the shape basis).
    private let normal: [[Double]]

    init(_ model: MorphableModel) {
        let (ks, ke, d) = (model.shapeComponentCount, model.expressionCount, model.shape.dimension)
        k = ks + ke
        var mean = model.shape.mean.map(Double.init)
        var basis = [Double](repeating: 0, count: d * k)
        let shape = model.shape.rescaledBasis
        let expression = model.expression?.basis ?? []
        let offset = model.expression?.offset ?? []
        for row in 0..<d {
            for j in 0..<ks { basis[row * k + j] = Double(shape[row * ks + j]) }
            for j in 0..<ke { basis[row * k + ks + j] = Double(expression[row * ke + j]) }
            if !offset.isEmpty { mean[row] += Double(offset[row]) }
        }
        var normal = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for row in 0..<d {
            for i in 0..<k where basis[row * k + i] != 0 {
                for j in 0...i { normal[i][j] += basis[row * k + i] * basis[row * k + j] }
            }
        }
        for i in 0..<k {
            for j in 0..<i { normal[j][i] = normal[i][j] }
            normal[i][i] += 1e-9 * Swift.max(1, normal[i][i])
        }
        (self.mean, self.basis, self.normal) = (mean, basis, normal)
    }

    /// The model mesh nearest `target` [V] (least squares over all vertices, up to a similarity),
    /// in `target`'s frame, and its coefficients (shape then expression). The target should be near
    /// the model's frame (as a synthetic truth is): the solve starts there and alternates `rounds`
    /// times, which converges slowly where the coefficients must absorb a large pose.
    func project(_ target: [SIMD3<Double>], rounds: Int = 8) throws -> (
        vertices: [SIMD3<Double>], coefficients: [Double]
    ) {
        var toTarget = Similarity.identity
        var fitted = target
        var coefficients = [Double](repeating: 0, count: k)
        for _ in 0..<rounds {
            let inverse = toTarget.inverse
            var rhs = [Double](repeating: 0, count: k)
            for (v, p) in target.enumerated() {
                let q = inverse.apply(p)
                for c in 0..<3 {
                    let row = 3 * v + c
                    let r = q[c] - mean[row]
                    for j in 0..<k { rhs[j] += basis[row * k + j] * r }
                }
            }
            coefficients = try choleskySolve(normal, rhs)
            let model = (0..<target.count).map { v in
                SIMD3<Double>(
                    (0..<3).map { c -> Double in
                        let row = 3 * v + c
                        return mean[row] + (0..<k).reduce(0) { $0 + basis[row * k + $1] * coefficients[$1] }
                    })
            }
            toTarget = try Similarity.aligning(model, to: target)
            fitted = model.map { toTarget.apply($0) }
        }
        return (fitted, coefficients)
    }

    /// The model's mean face (with a PCA expression model's mean), [V·3].
    static func meanWithExpressionOffset(_ model: MorphableModel) -> [Float] {
        let offset = model.expression?.offset ?? []
        return offset.isEmpty ? model.shape.mean : zip(model.shape.mean, offset).map { $0 + $1 }
    }
}
