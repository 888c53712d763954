// Closest points on a surface: a bounding-volume hierarchy over its triangles (median splits
// along the widest axis, up to 4 triangles a leaf), searched nearest child first and pruned by
// box distance; queries run on the CPU backend's worker threads.

/// The point of a surface nearest a query point.
public struct SurfacePoint: Sendable {
    public var point: SIMD3<Double>
    /// The unit normal there, interpolated from the vertex normals.
    public var normal: SIMD3<Double>
    /// |query − point|.
    public var distance: Double
    /// Whether the point lies on an open-boundary edge or vertex.
    public var onBoundary: Bool
}

public struct SurfaceIndex: Sendable {
    public let surface: SurfaceMesh
    /// Per node: box corners; leaves hold triangles first..<first + count of `order`, inner nodes
    /// have their left child next and the right child at `first` (count 0).
    private var lower: [SIMD3<Double>] = [], upper: [SIMD3<Double>] = []
    private var first: [Int32] = [], count: [Int32] = []
    /// Triangle indices in leaf order, and their corners in that order.
    private var order: [Int32] = []
    private var corners: [(SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)] = []

    public init(_ surface: SurfaceMesh) {
        self.surface = surface
        let p = surface.positions
        let triangleCorners = surface.triangles.map { (p[Int($0.x)], p[Int($0.y)], p[Int($0.z)]) }
        let centroids = triangleCorners.map { ($0.0 + $0.1 + $0.2) / 3 }
        var indices = Array(Int32(0)..<Int32(surface.triangles.count))
        build(&indices, 0..<indices.count, triangleCorners, centroids)
        order = indices
        corners = indices.map { triangleCorners[Int($0)] }
    }

    /// Appends the node over `indices[range]` (reordered in place) and its subtree.
    private mutating func build(
        _ indices: inout [Int32], _ range: Range<Int>,
        _ triangles: [(SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)], _ centroids: [SIMD3<Double>]
    ) {
        var low = SIMD3<Double>(repeating: .infinity), high = SIMD3<Double>(repeating: -.infinity)
        for i in range {
            let t = triangles[Int(indices[i])]
            low = pointwiseMin(low, pointwiseMin(t.0, pointwiseMin(t.1, t.2)))
            high = pointwiseMax(high, pointwiseMax(t.0, pointwiseMax(t.1, t.2)))
        }
        let node = lower.count
        lower.append(low); upper.append(high); first.append(Int32(range.lowerBound));
        count.append(Int32(range.count))
        guard range.count > 4 else { return }
        let extent = high - low
        let axis = extent.x >= extent.y && extent.x >= extent.z ? 0 : extent.y >= extent.z ? 1 : 2
        indices[range].sort { centroids[Int($0)][axis] < centroids[Int($1)][axis] }
        let middle = (range.lowerBound + range.upperBound) / 2
        count[node] = 0
        build(&indices, range.lowerBound..<middle, triangles, centroids)
        first[node] = Int32(lower.count)
        build(&indices, middle..<range.upperBound, triangles, centroids)
    }

    /// The surface point nearest `query`.
    public func closest(to query: SIMD3<Double>) -> SurfacePoint {
        var best = (
            distanceSquared: Double.infinity, slot: 0, weights: SIMD3<Double>.zero,
            feature: TriangleFeature.face
        )
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 128) { stack in
            var top = 1
            stack[0] = 0
            while top > 0 {
                top -= 1
                let node = Int(stack[top])
                if boxDistanceSquared(query, node) >= best.distanceSquared { continue }
                if count[node] > 0 {
                    for slot in Int(first[node])..<Int(first[node] + count[node]) {
                        let (a, b, c) = corners[slot]
                        let (w, feature) = closestPointOnTriangle(query, a, b, c)
                        let d = query - (w.x * a + w.y * b + w.z * c)
                        if dot(d, d) < best.distanceSquared { best = (dot(d, d), slot, w, feature) }
                    }
                    continue
                }
                let left = node + 1, right = Int(first[node])
                let nearFirst = boxDistanceSquared(query, left) <= boxDistanceSquared(query, right)
                stack[top] = Int32(nearFirst ? right : left)
                stack[top + 1] = Int32(nearFirst ? left : right)
                top += 2
            }
        }
        let triangle = Int(order[best.slot]), t = surface.triangles[triangle], (a, b, c) = corners[best.slot]
        let w = best.weights, n = surface.normals
        let normal = w.x * n[Int(t.x)] + w.y * n[Int(t.y)] + w.z * n[Int(t.z)]
        let onBoundary: Bool
        switch best.feature {
        case .face: onBoundary = false
        case .edge(let k): onBoundary = surface.boundaryEdges[triangle] & (1 << k) != 0
        case .vertex(let k): onBoundary = surface.boundaryVertices[Int(t[k])]
        }
        return SurfacePoint(
            point: w.x * a + w.y * b + w.z * c, normal: normal.normalized,
            distance: best.distanceSquared.squareRoot(), onBoundary: onBoundary)
    }

    /// The nearest surface point of every query, computed in parallel.
    public func closest(to queries: [SIMD3<Double>]) -> [SurfacePoint] {
        let chunk = 256, parts = (queries.count + chunk - 1) / chunk
        let empty = SurfacePoint(point: .zero, normal: .zero, distance: 0, onBoundary: false)
        var result = [SurfacePoint](repeating: empty, count: queries.count)
        result.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            CPUParallel.forEach(parts) { part in
                for i in part * chunk..<Swift.min(queries.count, (part + 1) * chunk) {
                    out[i] = closest(to: queries[i])
                }
            }
        }
        return result
    }

    private func boxDistanceSquared(_ p: SIMD3<Double>, _ node: Int) -> Double {
        let d = pointwiseMax(pointwiseMax(lower[node] - p, p - upper[node]), .zero)
        return dot(d, d)
    }
}
