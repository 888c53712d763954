// Least-squares similarity (or rigid) alignment of corresponding point sets (Umeyama 1991). The
// rotation comes from Horn's quaternion matrix, whose top eigenvector is Umeyama's SVD rotation
// with the reflection excluded, so one symmetric 4×4 eigensolver (Jacobi) is all it needs.

public extension Similarity {
    /// The similarity T minimising Σ|T(source_i) − target_i|². Needs ≥ 3 pairs not all on a line
    /// for a unique rotation.
    static func aligning(_ source: [SIMD3<Double>], to target: [SIMD3<Double>]) throws -> Similarity {
        guard source.count == target.count, source.count >= 3 else {
            throw EngineError.invalidValue(
                "alignment needs at least 3 pairs of points, got \(source.count) and \(target.count)")
        }
        let n = Double(source.count)
        let sourceMean = source.reduce(.zero, +) / n, targetMean = target.reduce(.zero, +) / n
        var s = [[Double]](repeating: [0, 0, 0], count: 3), sourceVariance = 0.0
        for (a, b) in zip(source, target) {
            let p = a - sourceMean, q = b - targetMean
            for i in 0..<3 { for j in 0..<3 { s[i][j] += p[i] * q[j] } }
            sourceVariance += dot(p, p)
        }
        guard sourceVariance > 0, sourceVariance.isFinite else {
            throw EngineError.invalidValue("alignment needs points that are finite and not all the same")
        }
        let (xx, xy, xz, yx, yy, yz, zx, zy, zz) = (
            s[0][0], s[0][1], s[0][2], s[1][0], s[1][1], s[1][2], s[2][0], s[2][1], s[2][2]
        )
        let horn = [
            [xx + yy + zz, yz - zy, zx - xz, xy - yx],
            [yz - zy, xx - yy - zz, xy + yx, zx + xz],
            [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
            [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
        ]
        let (values, vectors) = symmetricEigen(horn)
        let top = values.indices.max { values[$0] < values[$1] }!
        let rotation = Matrix3(
            quaternion: SIMD4(vectors[0][top], vectors[1][top], vectors[2][top], vectors[3][top]))
        // Σ q·R p = the top eigenvalue = trace(D·S) in Umeyama's terms; his scale is that over Σ|p|².
        let scale = values[top] / sourceVariance
        return Similarity(
            rotation: rotation, scale: scale, translation: targetMean - scale * (rotation * sourceMean))
    }
}

/// Eigenvalues and eigenvectors (the columns of `vectors`) of a small symmetric matrix by cyclic
/// Jacobi rotations, to full Double precision.
func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
    var a = matrix
    let n = a.count
    var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    let scale = a.joined().map { $0 * $0 }.reduce(0, +)
    for _ in 0..<64 {
        var off = 0.0
        for p in 0..<n { for q in p + 1..<n { off += a[p][q] * a[p][q] } }
        if off <= 1e-32 * scale { break }
        for p in 0..<n {
            for q in p + 1..<n where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {  // A ← A·J
                    let (akp, akq) = (a[k][p], a[k][q])
                    (a[k][p], a[k][q]) = (c * akp - s * akq, s * akp + c * akq)
                }
                for k in 0..<n {  // A ← Jᵀ·A
                    let (apk, aqk) = (a[p][k], a[q][k])
                    (a[p][k], a[q][k]) = (c * apk - s * aqk, s * apk + c * aqk)
                }
                for k in 0..<n {
                    let (vkp, vkq) = (v[k][p], v[k][q])
                    (v[k][p], v[k][q]) = (c * vkp - s * vkq, s * vkp + c * vkq)
                }
            }
        }
    }
    return ((0..<n).map { a[$0][$0] }, v)
}
