// A triangle surface in Double as `evaluate` measures it: corners welded where positions
// coincide (UV seams, repeated pole vertices), degenerate triangles dropped, its open-boundary
// edges and vertices found, and area-weighted vertex normals.

public struct SurfaceMesh: Sendable {
    /// [V] positions, as given (indices match the source mesh).
    public let positions: [SIMD3<Double>]
    /// [T] welded corners (each the first vertex at its position), no degenerate triangle.
    public let triangles: [SIMD3<Int32>]
    /// [V] unit normals (area-weighted over the welded triangles; zero for unused vertices).
    public let normals: [SIMD3<Double>]
    /// [T] bit k set when edge k (corner k to corner k + 1 mod 3) is on an open boundary (used by
    /// one triangle only).
    public let boundaryEdges: [UInt8]
    /// [V] whether the vertex (welded) lies on an open boundary.
    public let boundaryVertices: [Bool]

    /// The surface of `positions` and `triangles` (0-based indices, checked). Positions closer
    /// than 1e-6 of the bounding box's diagonal are one vertex.
    public init(positions: [SIMD3<Double>], triangles: [SIMD3<Int32>]) throws {
        guard positions.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }) else {
            throw EngineError.invalidValue("a surface's vertices must be finite numbers")
        }
        let v = positions.count
        for t in triangles
        where !(0..<Int32(v)).contains(t.x) || !(0..<Int32(v)).contains(t.y) || !(0..<Int32(v)).contains(t.z)
        {
            throw EngineError.invalidValue("a triangle \(t) refers to a vertex outside 0..<\(v)")
        }
        let weld = Self.weld(positions)
        let welded = triangles.map { SIMD3(weld[Int($0.x)], weld[Int($0.y)], weld[Int($0.z)]) }
        var kept: [SIMD3<Int32>] = [], areaNormals = [SIMD3<Double>](repeating: .zero, count: v)
        let tiny = 1e-24 * Self.diagonalSquared(positions)
        for t in welded where t.x != t.y && t.y != t.z && t.z != t.x {
            let a = positions[Int(t.x)], b = positions[Int(t.y)], c = positions[Int(t.z)]
            let n = cross(b - a, c - a)
            if dot(n, n) <= tiny { continue }
            kept.append(t)
            for k in 0..<3 { areaNormals[Int(t[k])] += n }
        }
        guard !kept.isEmpty else {
            throw EngineError.invalidValue("a surface needs at least one triangle with an area")
        }
        var uses: [UInt64: Int] = [:]
        func key(_ t: SIMD3<Int32>, _ k: Int) -> UInt64 {
            let p = UInt64(UInt32(t[k])), q = UInt64(UInt32(t[(k + 1) % 3]))
            return Swift.min(p, q) << 32 | Swift.max(p, q)
        }
        for t in kept { for k in 0..<3 { uses[key(t, k), default: 0] += 1 } }
        var edges = [UInt8](repeating: 0, count: kept.count), onBoundary = [Bool](repeating: false, count: v)
        for (i, t) in kept.enumerated() {
            for k in 0..<3 where uses[key(t, k)] == 1 {
                edges[i] |= 1 << k
                (onBoundary[Int(t[k])], onBoundary[Int(t[(k + 1) % 3])]) = (true, true)
            }
        }
        // Duplicates share their representative's normal and boundary flag.
        self.positions = positions
        self.triangles = kept
        self.boundaryEdges = edges
        self.boundaryVertices = weld.map { onBoundary[Int($0)] }
        self.normals = weld.map { areaNormals[Int($0)].normalized }
    }

    /// The surface of a mesh file's positions, each scaled by `scale`.
    public init(_ mesh: Mesh, scale: Double = 1) throws {
        try self.init(positions: mesh.positions.map { scale * SIMD3<Double>($0) }, triangles: mesh.triangles)
    }

    /// Per vertex, the first vertex within the weld distance of it (a hash of cells that size;
    /// the 27 cells around a vertex hold every candidate).
    private static func weld(_ positions: [SIMD3<Double>]) -> [Int32] {
        let size = 1e-6 * diagonalSquared(positions).squareRoot()
        guard size > 0 else { return positions.indices.map { _ in 0 } }
        var cells: [SIMD3<Int>: [Int32]] = [:], representative = [Int32](repeating: 0, count: positions.count)
        for (i, p) in positions.enumerated() {
            let cell = SIMD3<Int>((p / size).rounded(.down))
            var found: Int32?
            search: for dx in -1...1 {
                for dy in -1...1 {
                    for dz in -1...1 {
                        for j in cells[cell &+ SIMD3(dx, dy, dz)] ?? []
                        where length(positions[Int(j)] - p) <= size {
                            found = j
                            break search
                        }
                    }
                }
            }
            if let found {
                representative[i] = found
            } else {
                representative[i] = Int32(i)
                cells[cell, default: []].append(Int32(i))
            }
        }
        return representative
    }

    private static func diagonalSquared(_ positions: [SIMD3<Double>]) -> Double {
        guard let first = positions.first else { return 0 }
        let low = positions.reduce(first) { pointwiseMin($0, $1) },
            high = positions.reduce(first) { pointwiseMax($0, $1) }
        return dot(high - low, high - low)
    }
}
