// The silhouette crossing between two neighbouring pixels, shared by the antialias ops on the
// CPU (antialias.cl mirrors it): which pixel is in front, which edge of its triangle the
// segment between the centres leaves through, whether that edge is a silhouette, and the
// gradient of the crossing position w.r.t. the edge's two vertices.

/// The rasterized scene the antialias ops look at.
struct SilhouetteScene<T: RefScalar> {
    let screen: [T]
    let triangles, ids, bounds, edgeNeighbours: [Int32]
    let width, height, triangleCount: Int
    /// Per triangle: whether any of its edges is a silhouette. Most neighbouring pixels show two
    /// triangles that meet at an interior edge; a pair whose triangles have no silhouette edge has
    /// no crossing, which this answers before any geometry (antialias.cl computes it in full).
    private var hasSilhouetteEdge: [Bool] = []

    init(screen: RefTensor<T>, triangles: RefTensor<T>, ids: RefTensor<T>, bounds: RefTensor<T>, neighbours: RefTensor<T>) {
        self.screen = screen.values
        (self.triangles, self.ids, self.bounds, edgeNeighbours) = (triangles.indices, ids.indices, bounds.indices, neighbours.indices)
        (width, height, triangleCount) = (ids.shape[1], ids.shape[0], triangles.shape[0])
        hasSilhouetteEdge = (0..<triangleCount).map { f in
            guard let t = ScreenTriangle(self.screen, self.triangles, f) else { return false }
            return (0..<3).contains { isSilhouette(f, edge: $0, area: t.doubleArea) }
        }
    }

    /// The neighbour of pixel p in direction 0…3 (left, right, up, down), or nil off the image.
    func neighbour(of p: Int, _ direction: Int) -> Int? {
        let x = p % width, y = p / width
        switch direction {
        case 0: return x > 0 ? p - 1 : nil
        case 1: return x + 1 < width ? p + 1 : nil
        case 2: return y > 0 ? p - width : nil
        default: return y + 1 < height ? p + width : nil
        }
    }

    /// The triangle drawn at pixel p, if any.
    func triangle(at p: Int) -> (id: Int, geometry: ScreenTriangle<T>)? {
        let f = Int(ids[p])
        guard f >= 0 && f < triangleCount, let t = ScreenTriangle(screen, triangles, f) else { return nil }
        return (f, t)
    }

    /// The crossing between neighbouring pixels p and q (the same for (q, p)), or nil when they
    /// show the same triangle, the segment leaves no edge of the front triangle, or that edge is
    /// not a silhouette.
    func crossing(_ p: Int, _ q: Int) -> SilhouetteCrossing<T>? {
        let (a, b) = (Swift.min(p, q), Swift.max(p, q))
        guard ids[a] != ids[b], mayBeSilhouette(ids[a]) || mayBeSilhouette(ids[b]) else { return nil }
        let ta = triangle(at: a), tb = triangle(at: b)
        let da = ta.flatMap { $0.geometry.depth(atPixel: a % width, a / width) } ?? T.infinity
        let db = tb.flatMap { $0.geometry.depth(atPixel: b % width, b / width) } ?? T.infinity
        let aInFront = da < db || (da == db && ids[a] < ids[b])
        guard let front = aInFront ? ta : tb else { return nil }
        let (inside, outside) = aInFront ? (a, b) : (b, a)
        let t = front.geometry
        let sign: T = t.doubleArea < 0 ? -1 : 1
        let ein = t.edges(T(inside % width) + T(0.5), T(inside / width) + T(0.5))
        let eout = t.edges(T(outside % width) + T(0.5), T(outside / width) + T(0.5))
        var best: SilhouetteCrossing<T>?
        for k in 0..<3 {
            let i = k == 0 ? ein.0 : k == 1 ? ein.1 : ein.2, o = k == 0 ? eout.0 : k == 1 ? eout.1 : eout.2
            guard sign * i >= 0 && sign * o < 0 else { continue }
            let position = i / (i - o)
            if best == nil || position < best!.t {
                best = SilhouetteCrossing(triangle: front.id, edge: k, inside: inside, outside: outside, t: position, eIn: i, eOut: o)
            }
        }
        guard let best, isSilhouette(front.id, edge: best.edge, area: t.doubleArea) else { return nil }
        return best
    }

    /// Whether the pixel's triangle (`id`; none when out of range) has a silhouette edge.
    private func mayBeSilhouette(_ id: Int32) -> Bool {
        let f = Int(id)
        return f >= 0 && f < triangleCount && hasSilhouetteEdge[f]
    }

    /// Whether edge k of triangle f has no drawn neighbour facing the same way on screen.
    private func isSilhouette(_ f: Int, edge k: Int, area: T) -> Bool {
        let n = Int(edgeNeighbours[3 * f + k])
        guard n >= 0 && n < triangleCount, bounds[4 * n] < bounds[4 * n + 2],
              let other = ScreenTriangle(screen, triangles, n) else { return true }
        return !(other.doubleArea * area > 0)
    }
}

/// Where the segment from the inside pixel's centre to the outside one's leaves the front
/// triangle through edge `edge` (between its corners edge + 1 and edge + 2, mod 3), at t ∈ [0, 1).
struct SilhouetteCrossing<T: RefScalar> {
    let triangle, edge, inside, outside: Int
    let t: T
    /// The edge function at the inside and outside centres (unsigned: t = eIn / (eIn − eOut)).
    let eIn, eOut: T

    /// The pixel whose colour is blended: the outside one when the triangle reaches past the
    /// midpoint, else the inside one.
    var receiver: Int { t > T(0.5) ? outside : inside }
    /// The blended share of the other pixel's colour.
    var weight: T { t > T(0.5) ? t - T(0.5) : T(0.5) - t }

    /// Adds g·dweight/d(x, y) of the edge's two vertices to corners [3F, 3] (as 9F values).
    func accumulateGrad(_ g: T, _ scene: SilhouetteScene<T>, into corners: inout [T]) {
        guard let tri = ScreenTriangle(scene.screen, scene.triangles, triangle) else { return }
        let dt = t > T(0.5) ? g : -g
        let denominator = (eIn - eOut) * (eIn - eOut)
        let dIn = -dt * eOut / denominator, dOut = dt * eIn / denominator
        let xs = [tri.x0, tri.x1, tri.x2], ys = [tri.y0, tri.y1, tri.y2]
        let ka = (edge + 1) % 3, kb = (edge + 2) % 3
        for (pixel, de) in [(inside, dIn), (outside, dOut)] {
            let px = T(pixel % scene.width) + T(0.5), py = T(pixel / scene.width) + T(0.5)
            corners[9 * triangle + 3 * ka] += de * (ys[kb] - py)
            corners[9 * triangle + 3 * ka + 1] -= de * (xs[kb] - px)
            corners[9 * triangle + 3 * kb] -= de * (ys[ka] - py)
            corners[9 * triangle + 3 * kb + 1] += de * (xs[ka] - px)
        }
    }
}
