// Rigid ICP at a fixed scale between a reconstruction and a scan: closest points on the
// surfaces in both directions, pairs rejected at open boundaries and beyond max(10 mm,
// 3 × median), each step the small rigid motion that minimises the pairs' point-to-plane
// residuals (Gauss-Newton: a few steps where point-to-point ICP slides for many) plus 1% of their
// point-to-point residuals, which pins the motions a surface leaves free (a sphere's rotations).
import Foundation

public struct ICPSettings: Sendable {
    /// Pairs farther apart than max(`rejectFloor`, `rejectMedians` × the median distance) are dropped.
    public var rejectFloor = 10.0
    public var rejectMedians = 3.0
    public var maxIterations = 50
    /// Converged when a step moves the pairs along their normals by less than this, RMS, or the
    /// pairs' RMS point-to-plane residual changes by less than this (a surface that slides on
    /// itself, such as a sphere turning) (the scan's unit: mm).
    public var tolerance = 1e-5

    public init() {}
}

/// What ICP ended with.
public struct ICPResult: Sendable {
    /// Reconstruction → scan.
    public var transform: Similarity
    public var iterations: Int
    /// Pairs kept in the last iteration, of all pairs (both directions).
    public var kept: Int
    public var pairs: Int
}

/// Moves the reconstruction (`points` on `reconstruction`'s surface, in its own frame) onto the
/// scan from `initial` (reconstruction → scan), keeping `initial`'s scale.
public func rigidICP(
    _ points: [SIMD3<Double>], on reconstruction: SurfaceIndex, scanPoints: [SIMD3<Double>],
    on scan: SurfaceIndex, from initial: Similarity, settings: ICPSettings = ICPSettings()
) throws -> ICPResult {
    guard settings.maxIterations >= 1 else {
        throw EngineError.invalidValue("ICP needs at least one iteration")
    }
    var result = ICPResult(transform: initial, iterations: 0, kept: 0, pairs: 0), residual = Double.infinity
    while result.iterations < settings.maxIterations {
        // Pairs in the scan's frame: a moved reconstruction point, its partner, the partner's normal.
        let transform = result.transform, inverse = transform.inverse
        let forward = scan.closest(to: points.map(transform.apply))
        let backward = reconstruction.closest(to: scanPoints.map(inverse.apply))
        var pairs: [(source: SIMD3<Double>, target: SIMD3<Double>, normal: SIMD3<Double>)] = [],
            distances: [Double] = []
        for (p, hit) in zip(points, forward) where !hit.onBoundary {
            pairs.append((transform.apply(p), hit.point, hit.normal)); distances.append(hit.distance)
        }
        for (q, hit) in zip(scanPoints, backward) where !hit.onBoundary {
            pairs.append((transform.apply(hit.point), q, transform.rotation * hit.normal))
            distances.append(hit.distance * transform.scale)
        }
        let limit = Swift.max(
            settings.rejectFloor, settings.rejectMedians * (distances.isEmpty ? 0 : median(distances)))
        let kept = pairs.indices.filter { distances[$0] <= limit }.map { pairs[$0] }
        guard kept.count >= 6 else {
            throw EngineError.invalidValue(
                "ICP found \(kept.count) pairs away from the surfaces' "
                    + "boundaries; it needs at least 6")
        }
        let step = try pointToPlaneStep(kept)
        let previous = residual
        residual = rootMeanSquare(kept.map { dot($0.source - $0.target, $0.normal) })
        result = ICPResult(
            transform: transform.then(step.motion), iterations: result.iterations + 1, kept: kept.count,
            pairs: forward.count + backward.count)
        if step.change < settings.tolerance || abs(previous - residual) < settings.tolerance { break }
    }
    return result
}

/// The rigid motion (rotation ω about the sources' centroid c, then τ) minimising, linearised in ω,
/// Σ ((x + ω × (x − c) + τ − y)·n)² + `pointWeight`² Σ |x + ω × (x − c) + τ − y|², and the RMS
/// of the motion along the normals (how much it changes the point-to-plane residuals).
func pointToPlaneStep(
    _ pairs: [(source: SIMD3<Double>, target: SIMD3<Double>, normal: SIMD3<Double>)],
    pointWeight: Double = 0.1
) throws -> (motion: Similarity, change: Double) {
    let centre = pairs.reduce(SIMD3<Double>.zero) { $0 + $1.source } / Double(pairs.count)
    var normal = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 6),
        rhs = [Double](repeating: 0, count: 6)
    func add(_ arm: SIMD3<Double>, _ direction: SIMD3<Double>, _ residual: Double, _ weight: Double) {
        let row = [arm.x, arm.y, arm.z, direction.x, direction.y, direction.z]
        for i in 0..<6 {
            rhs[i] -= weight * row[i] * residual
            for j in 0..<6 { normal[i][j] += weight * row[i] * row[j] }
        }
    }
    let axes: [SIMD3<Double>] = [SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)]
    for (x, y, n) in pairs {
        // d(ω × d·u)/dω = d × u for any direction u.
        add(cross(x - centre, n), n, dot(x - y, n), 1)
        for u in axes { add(cross(x - centre, u), u, dot(x - y, u), pointWeight * pointWeight) }
    }
    let delta = try choleskySolve(normal, rhs)
    let omega = SIMD3(delta[0], delta[1], delta[2]), tau = SIMD3(delta[3], delta[4], delta[5])
    let angle = length(omega), rotation = angle > 0 ? Matrix3(axis: omega, angle: angle) : .identity
    let change = rootMeanSquare(pairs.map { dot(cross(omega, $0.source - centre) + tau, $0.normal) })
    return (Similarity(rotation: rotation, translation: centre - rotation * centre + tau), change)
}

/// x with a·x = b for a symmetric positive-definite `a`.
func choleskySolve(_ a: [[Double]], _ b: [Double]) throws -> [Double] {
    let n = b.count
    var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
        for j in 0...i {
            let s = a[i][j] - (0..<j).map { l[i][$0] * l[j][$0] }.reduce(0, +)
            if i == j {
                guard s > 0, s.isFinite else {
                    throw EngineError.invalidValue("ICP's normal equations are singular")
                }
                l[i][i] = s.squareRoot()
            } else {
                l[i][j] = s / l[j][j]
            }
        }
    }
    var y = [Double](repeating: 0, count: n), x = y
    for i in 0..<n { y[i] = (b[i] - (0..<i).map { l[i][$0] * y[$0] }.reduce(0, +)) / l[i][i] }
    for i in (0..<n).reversed() {
        x[i] = (y[i] - (i + 1..<n).map { l[$0][i] * x[$0] }.reduce(0, +)) / l[i][i]
    }
    return x
}

/// The median of a non-empty array.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}
