// A mesh's fixed connectivity as graph constants, and the two mutually adjoint ops between
// per-vertex rows and per-corner rows (corner 3f + k is corner k of triangle f), both gathers:
// deterministic, no atomics. Also area-weighted vertex normals, composed of these.

/// Triangles [F, 3], per vertex the corners that use it [V, K] (ascending, padded with −1), and
/// per edge the triangle across it [F, 3], as Int32 graph constants. Every op of the renderer
/// that sums over corners uses the corner adjacency; antialiasing uses the edge neighbours.
public struct RenderMesh {
    public let vertexCount: Int
    public let triangleCount: Int
    /// Int32 [F, 3], vertex indices, counter-clockwise seen from the front.
    public let triangles: Value
    /// Int32 [V, K]: the corners 3f + k whose vertex is v, ascending; −1 pads to K = max valence.
    public let cornersByVertex: Value
    /// Int32 [F, 3]: across edge k of triangle f (from vertex k + 1 to k + 2, mod 3, the edge
    /// opposite corner k), the lowest-numbered other triangle sharing it, or −1 on a boundary.
    public let edgeNeighbours: Value

    /// Checks every index against `vertexCount` (a clear error naming the first bad triangle).
    public init(_ g: Graph, triangles: [SIMD3<Int32>], vertexCount: Int) throws {
        var corners = [[Int32]](repeating: [], count: vertexCount)
        var edges: [SIMD2<Int32>: [Int32]] = [:]
        for (f, t) in triangles.enumerated() {
            for k in 0..<3 {
                let a = t[(k + 1) % 3], b = t[(k + 2) % 3]
                edges[SIMD2(Swift.min(a, b), Swift.max(a, b)), default: []].append(Int32(f))
            }
            for k in 0..<3 {
                guard t[k] >= 0 && Int(t[k]) < vertexCount else {
                    throw EngineError.shapeMismatch(op: "RenderMesh", expected: "vertex indices in 0..<\(vertexCount)",
                                                    got: "triangle \(f) = (\(t[0]), \(t[1]), \(t[2]))")
                }
                corners[Int(t[k])].append(Int32(3 * f + k))
            }
        }
        let valence = Swift.max(1, corners.map(\.count).max() ?? 1)
        self.vertexCount = vertexCount
        triangleCount = triangles.count
        self.triangles = g.constant(HostTensor([triangles.count, 3], indices: triangles.flatMap { [$0.x, $0.y, $0.z] }))
        cornersByVertex = g.constant(HostTensor([vertexCount, valence], indices: corners.flatMap {
            $0 + [Int32](repeating: -1, count: valence - $0.count)
        }))
        edgeNeighbours = g.constant(HostTensor([triangles.count, 3], indices: triangles.enumerated().flatMap { f, t in
            (0..<3).map { k -> Int32 in
                let a = t[(k + 1) % 3], b = t[(k + 2) % 3]
                return edges[SIMD2(Swift.min(a, b), Swift.max(a, b))]?.first { $0 != Int32(f) } ?? -1
            }
        }))
    }

    private init(vertexCount: Int, triangleCount: Int, triangles: Value, cornersByVertex: Value, edgeNeighbours: Value) {
        (self.vertexCount, self.triangleCount, self.triangles) = (vertexCount, triangleCount, triangles)
        (self.cornersByVertex, self.edgeNeighbours) = (cornersByVertex, edgeNeighbours)
    }

    /// The same triangles with a vertex of their own per corner (vertex 3f + k is corner k of
    /// triangle f: per-corner attributes such as UVs with seams), keeping this mesh's edge
    /// neighbours, so antialiasing still finds only the true silhouettes.
    public func unwelded(_ g: Graph) -> RenderMesh {
        let corners = (0..<Int32(3 * triangleCount)).map { $0 }
        return RenderMesh(vertexCount: 3 * triangleCount, triangleCount: triangleCount,
                          triangles: g.constant(HostTensor([triangleCount, 3], indices: corners)),
                          cornersByVertex: g.constant(HostTensor([3 * triangleCount, 1], indices: corners)),
                          edgeNeighbours: edgeNeighbours)
    }

    /// The operands every corner op takes after its data: triangles and corner adjacency.
    var connectivity: [Value] { [triangles, cornersByVertex] }
}

/// Checks the operands (data, triangles [F, 3], corners by vertex [V, K]) of a corner op and
/// returns the data's width C; `rows` is the data's expected row count given F and V.
private func expectCornerOperands(_ op: String, _ inputs: [TensorType], rows: (Int, Int) -> Int) throws -> Int {
    try expectArity(op, inputs, 3)
    try expectType(op, inputs[0], operand: "data")
    try expectType(op, inputs[1], .int32, operand: "triangles")
    try expectType(op, inputs[2], .int32, operand: "corners by vertex")
    let f = inputs[1].shape.first ?? 0, v = inputs[2].shape.first ?? 0
    guard inputs[0].shape.count == 2, inputs[1].shape == [f, 3], inputs[2].shape.count == 2,
          inputs[0].shape[0] == rows(f, v) else {
        throw EngineError.shapeMismatch(op: op, expected: "data [\(rows(f, v)), C], triangles [F, 3], corners by vertex [V, K]",
                                        got: inputs.map(\.description).joined(separator: ", "))
    }
    return inputs[0].shape[1]
}

/// corners [3F, C] from per-vertex rows x [V, C]: corners[3f + k] = x[triangles[f, k]].
/// Its adjoint is `CornerSum`. An out-of-range index reads as zero.
public struct CornerGather: Op, OpenCLOp {
    public init() {}

    public var name: String { "corner_gather" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let c = try expectCornerOperands(name, inputs) { _, v in v }
        return [TensorType([3 * inputs[1].shape[0], c])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let flat = RefTensor<T>([inputs[1].indices.count], indices: inputs[1].indices)
        return try Gather().reference([inputs[0], flat])
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(CornerSum(), dy, x[1], x[2]), nil, nil]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let rows = inputs[1].type.count, width = inputs[0].shape[1]
        try device.runtime.launch(try device.kernel("gather_rows", file: "layout.cl"), global: [rows * width], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .int(Int32(rows)), .int(Int32(width)),
            .int(Int32(inputs[0].shape[0])),
        ])
    }
}

/// Per-vertex sums x [V, C] of corner rows [3F, C]: x[v] = Σ_k corners[cornersByVertex[v, k]],
/// summed in ascending corner order (the same order on every backend). Adjoint of `CornerGather`.
public struct CornerSum: Op, OpenCLOp {
    public init() {}

    public var name: String { "corner_sum" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let c = try expectCornerOperands(name, inputs) { f, _ in 3 * f }
        return [TensorType([inputs[2].shape[0], c])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0].values, adjacency = inputs[2].indices
        let rows = inputs[0].shape[0], c = inputs[0].shape[1]
        let v = inputs[2].shape[0], k = inputs[2].shape[1]
        var y = [T](repeating: 0, count: v * c)
        for vertex in 0..<v {
            for slot in 0..<k {
                let corner = Int(adjacency[vertex * k + slot])
                guard corner >= 0 && corner < rows else { continue }
                for ch in 0..<c { y[vertex * c + ch] += x[corner * c + ch] }
            }
        }
        return [RefTensor([v, c], y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(CornerGather(), dy, x[1], x[2]), nil, nil]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let c = inputs[0].shape[1], v = inputs[2].shape[0]
        try device.runtime.launch(try device.kernel("corner_sum", file: "mesh.cl"), global: [v * c], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[2])), .int(Int32(v)), .int(Int32(inputs[2].shape[1])),
            .int(Int32(c)), .int(Int32(inputs[0].shape[0])),
        ])
    }
}

public extension Graph {
    /// Corner rows [3F, C] of per-vertex rows [V, C].
    func cornerGather(_ x: Value, _ mesh: RenderMesh) throws -> Value { try apply(CornerGather(), [x] + mesh.connectivity) }

    /// Per-vertex sums [V, C] of corner rows [3F, C].
    func cornerSum(_ corners: Value, _ mesh: RenderMesh) throws -> Value { try apply(CornerSum(), [corners] + mesh.connectivity) }

    /// Unit vertex normals [V, 3] of vertices [V, 3]: the sum of the adjacent triangles'
    /// (v1 − v0) × (v2 − v0) (area-weighted face normals, counter-clockwise = outwards),
    /// normalised. A vertex of no triangle gets the zero vector.
    func vertexNormals(_ vertices: Value, _ mesh: RenderMesh) throws -> Value {
        let perCorner = try apply(TriangleNormals(), cornerGather(vertices, mesh))
        return try l2Normalize(cornerSum(perCorner, mesh), axis: 1)
    }

    /// Unit vertex normals [V, 3] of vertices [V, 3] turned by the axis-angle `rotation` [3] into the
    /// camera's frame (see `project`).
    func cameraNormals(_ vertices: Value, rotation: Value, _ mesh: RenderMesh) throws -> Value {
        try matmul(vertexNormals(vertices, mesh), rotationMatrix(axisAngle: rotation), transB: true)
    }
}
