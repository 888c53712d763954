// The closest point of a triangle to a point, and which part of the triangle it lies on (a
// vertex, an edge or the inside), by the Voronoi regions of the triangle (Ericson, Real-Time
// Collision Detection, 5.1.5).

/// Where on a triangle (corners 0, 1, 2) a closest point lies. Edge k joins corner k to corner
/// (k + 1) mod 3.
public enum TriangleFeature: Equatable, Sendable {
    case vertex(Int)
    case edge(Int)
    case face
}

/// The point of triangle (a, b, c) nearest `p`: its barycentric weights (of a, b, c) and feature.
public func closestPointOnTriangle(
    _ p: SIMD3<Double>, _ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>
)
    -> (weights: SIMD3<Double>, feature: TriangleFeature)
{
    let ab = b - a, ac = c - a, ap = p - a
    let d1 = dot(ab, ap), d2 = dot(ac, ap)
    if d1 <= 0 && d2 <= 0 { return (SIMD3(1, 0, 0), .vertex(0)) }
    let bp = p - b
    let d3 = dot(ab, bp), d4 = dot(ac, bp)
    if d3 >= 0 && d4 <= d3 { return (SIMD3(0, 1, 0), .vertex(1)) }
    let vc = d1 * d4 - d3 * d2
    if vc <= 0 && d1 >= 0 && d3 <= 0 {
        let v = d1 / (d1 - d3)
        return (SIMD3(1 - v, v, 0), .edge(0))
    }
    let cp = p - c
    let d5 = dot(ab, cp), d6 = dot(ac, cp)
    if d6 >= 0 && d5 <= d6 { return (SIMD3(0, 0, 1), .vertex(2)) }
    let vb = d5 * d2 - d1 * d6
    if vb <= 0 && d2 >= 0 && d6 <= 0 {
        let w = d2 / (d2 - d6)
        return (SIMD3(1 - w, 0, w), .edge(2))
    }
    let va = d3 * d6 - d5 * d4
    if va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0 {
        let w = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        return (SIMD3(0, 1 - w, w), .edge(1))
    }
    let denominator = 1 / (va + vb + vc)
    let v = vb * denominator, w = vc * denominator
    return (SIMD3(1 - v - w, v, w), .face)
}
