// Each triangle's area-weighted normal written to its three corners, forward and backward in one
// pass each, CPU and OpenCL: the part of `vertexNormals` between gathering the corners and summing
// them per vertex (built from slices, concatenations and maps it took some forty launches).

/// Corner rows [3F, 3] (corners 3f, 3f + 1, 3f + 2 of triangle f) → [3F, 3]: at each of triangle
/// f's corners n_f = (v1 − v0) × (v2 − v0).
public struct TriangleNormals: Op, OpenCLOp {
    public init() {}

    public var name: String { "triangle_normals" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "corners")
        let shape = inputs[0].shape
        guard shape.count == 2, shape[1] == 3, shape[0] % 3 == 0 else {
            throw EngineError.shapeMismatch(
                op: name, expected: "corner rows [3F, 3]", got: inputs[0].description)
        }
        return [inputs[0]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0].values
        var y = [T](repeating: 0, count: x.count)
        for f in 0..<x.count / 9 {
            let (e1, e2) = TriangleEdges(x, f).edges
            let n = TriangleEdges.cross(e1, e2)
            for corner in 0..<3 { TriangleEdges.store(n, in: &y, at: 9 * f + 3 * corner) }
        }
        return [RefTensor(inputs[0].shape, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        [try g.apply(TriangleNormalsGrad(), x[0], dy)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.launchTriangles("triangle_normals", [outputs[0], inputs[0]])
    }
}

/// d corners [3F, 3] from corners and dy [3F, 3]: with g the sum of triangle f's three corner
/// gradients, dv1 = e2 × g, dv2 = g × e1, dv0 = −(dv1 + dv2).
public struct TriangleNormalsGrad: Op, OpenCLOp {
    public var name: String { "triangle_normals_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        guard inputs[1] == inputs[0] else {
            throw EngineError.shapeMismatch(op: name, expected: "dy \(inputs[0])", got: inputs[1].description)
        }
        return try TriangleNormals().outputTypes([inputs[0]])
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0].values, dy = inputs[1].values
        var dx = [T](repeating: 0, count: x.count)
        for f in 0..<x.count / 9 {
            let (e1, e2) = TriangleEdges(x, f).edges
            let b = 9 * f
            let g = (dy[b] + dy[b + 3] + dy[b + 6], dy[b + 1] + dy[b + 4] + dy[b + 7],
                     dy[b + 2] + dy[b + 5] + dy[b + 8])
            let d1 = TriangleEdges.cross(e2, g), d2 = TriangleEdges.cross(g, e1)
            TriangleEdges.store((-(d1.0 + d2.0), -(d1.1 + d2.1), -(d1.2 + d2.2)), in: &dx, at: b)
            TriangleEdges.store(d1, in: &dx, at: b + 3)
            TriangleEdges.store(d2, in: &dx, at: b + 6)
        }
        return [RefTensor(inputs[0].shape, dx)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.launchTriangles("triangle_normals_grad", [outputs[0], inputs[0], inputs[1]])
    }
}

/// Triangle f's edges v1 − v0 and v2 − v0 in corner rows (3-vectors as tuples: no allocation
/// per triangle).
private struct TriangleEdges<T: RefScalar> {
    typealias Vector = (T, T, T)
    let edges: (Vector, Vector)

    init(_ x: [T], _ f: Int) {
        let b = 9 * f
        edges = ((x[b + 3] - x[b], x[b + 4] - x[b + 1], x[b + 5] - x[b + 2]),
                 (x[b + 6] - x[b], x[b + 7] - x[b + 1], x[b + 8] - x[b + 2]))
    }

    static func cross(_ a: Vector, _ b: Vector) -> Vector {
        (a.1 * b.2 - a.2 * b.1, a.2 * b.0 - a.0 * b.2, a.0 * b.1 - a.1 * b.0)
    }

    /// Writes `v` to values[i], values[i + 1], values[i + 2].
    static func store(_ v: Vector, in values: inout [T], at i: Int) {
        (values[i], values[i + 1], values[i + 2]) = v
    }
}

extension OpenCLBackend {
    /// Enqueues `name` from mesh.cl, one work-item per triangle: (buffers…, triangles).
    fileprivate func launchTriangles(_ name: String, _ buffers: [Tensor]) throws {
        let triangles = buffers[0].type.count / 9
        try launchPerItem(name, file: "mesh.cl", items: triangles, buffers: buffers, [.int(Int32(triangles))])
    }
}
