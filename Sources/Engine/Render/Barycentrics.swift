// Perspective-correct barycentrics recomputed from the rasterizer's ids and the screen
// vertices (nvdiffrast's split): the differentiable half of rasterization, forward and backward.

/// bary [H, W, 3] from screen [V, 3], triangles [F, 3], corners by vertex [V, K], ids [H, W]
/// and bounds [F, 4]: with e_k the edge functions at the pixel centre (ScreenTriangle) and w_k
/// the vertex depths, u_k = e_k / w_k and b_k = u_k / Σ u. Zero where the id is −1 (or invalid).
/// Its gradient to the screen vertices is exact for fixed ids (coverage changes have none).
public struct Barycentrics: Op, OpenCLOp {
    public init() {}

    public var name: String { "barycentrics" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 5)
        try expectScreenAndTriangles(name, inputs[0], inputs[1])
        let ids = inputs[3]
        try expectRasterOperands(name, triangles: inputs[1], ids: ids, bounds: inputs[4])
        return [TensorType(ids.shape + [3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let screen = inputs[0].values, triangles = inputs[1].indices, ids = inputs[3].indices
        let width = inputs[3].shape[1], f = inputs[1].shape[0]
        var bary = [T](repeating: 0, count: 3 * ids.count)
        forEachPixel(&bary, pixels: ids.count) { chunk, bary in
            for p in chunk {
                let id = Int(ids[p])
                guard id >= 0 && id < f, let tri = ScreenTriangle(screen, triangles, id) else { continue }
                (bary[3 * p], bary[3 * p + 1], bary[3 * p + 2]) =
                    tri.barycentrics(atPixel: p % width, p / width)
            }
        }
        return [RefTensor(inputs[3].shape + [3], bary)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let corners = try g.apply(BarycentricsGrad(), x[0], x[1], x[3], x[4], dy)
        return [try g.apply(CornerSum(), corners, x[1], x[2]), nil, nil, nil, nil]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 25 * Double(inputs[3].count), bytes: Double(inputs[3].bytes + outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let pixels = inputs[3].type.count
        try device.runtime.launch(try device.kernel("barycentrics_fwd", file: "raster.cl"), global: [pixels], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .buffer(OpenCLBackend.buffer(inputs[3])),
            .int(Int32(inputs[1].shape[0])), .int(Int32(inputs[0].shape[0])),
            .int(Int32(inputs[3].shape[1])), .int(Int32(pixels)),
        ])
    }
}

/// Corner gradients [3F, 3] = per corner (dx_px, dy_px, ddepth) summed over the pixels of its
/// triangle, from screen, triangles, ids, bounds and dbary [H, W, 3]. OpenCL: one work-item per
/// triangle scans its bounds in row-major order (the CPU's order): deterministic, no atomics.
public struct BarycentricsGrad: Op, OpenCLOp {
    public var name: String { "barycentrics_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 5)
        try expectScreenAndTriangles(name, inputs[0], inputs[1])
        try expectRasterOperands(name, triangles: inputs[1], ids: inputs[2], bounds: inputs[3])
        guard inputs[4].shape == inputs[2].shape + [3] else {
            throw EngineError.shapeMismatch(op: name, expected: "dbary \((inputs[2].shape + [3]).shapeText)", got: inputs[4].description)
        }
        return [TensorType([3 * inputs[1].shape[0], 3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let screen = inputs[0].values, triangles = inputs[1].indices, dy = inputs[4].values
        let width = inputs[2].shape[1], f = inputs[1].shape[0]
        let corners = sumOverPixels(ids: inputs[2].indices, triangleCount: f, width: 3) { (p: Int, t: Int, out: UnsafeMutablePointer<T>) in
            guard let tri = ScreenTriangle(screen, triangles, t) else { return }
            tri.barycentricsGrad(atPixel: p % width, p / width, (dy[3 * p], dy[3 * p + 1], dy[3 * p + 2]), into: out)
        }
        return [RefTensor([3 * f, 3], corners)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 60 * Double(inputs[2].count), bytes: Double(inputs[2].bytes + inputs[4].bytes + outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let f = inputs[1].shape[0]
        try device.runtime.launch(try device.kernel("barycentrics_grad", file: "raster.cl"), global: [f], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .buffer(OpenCLBackend.buffer(inputs[2])),
            .buffer(OpenCLBackend.buffer(inputs[3])), .buffer(OpenCLBackend.buffer(inputs[4])),
            .int(Int32(f)), .int(Int32(inputs[0].shape[0])), .int(Int32(inputs[2].shape[1])),
        ])
    }
}

extension ScreenTriangle {
    /// (b0, b1, b2) at pixel (x, y)'s centre.
    func barycentrics(atPixel x: Int, _ y: Int) -> (T, T, T) {
        let (e0, e1, e2) = edges(T(x) + T(0.5), T(y) + T(0.5))
        let u0 = e0 / w0, u1 = e1 / w1, u2 = e2 / w2
        let s = u0 + u1 + u2
        return (u0 / s, u1 / s, u2 / s)
    }

    /// Writes d(x, y, depth) of corners 0, 1, 2 (9 values) for the gradient db at pixel (x, y).
    func barycentricsGrad(atPixel x: Int, _ y: Int, _ db: (T, T, T), into out: UnsafeMutablePointer<T>) {
        let px = T(x) + T(0.5), py = T(y) + T(0.5)
        let (e0, e1, e2) = edges(px, py)
        let u0 = e0 / w0, u1 = e1 / w1, u2 = e2 / w2
        let s = u0 + u1 + u2
        let dot = (db.0 * u0 + db.1 * u1 + db.2 * u2) / s
        let de0 = (db.0 - dot) / s / w0, de1 = (db.1 - dot) / s / w1, de2 = (db.2 - dot) / s / w2
        (out[0], out[1], out[2]) = (de2 * (y1 - py) - de1 * (y2 - py), de1 * (x2 - px) - de2 * (x1 - px), -de0 * u0)
        (out[3], out[4], out[5]) = (de0 * (y2 - py) - de2 * (y0 - py), de2 * (x0 - px) - de0 * (x2 - px), -de1 * u1)
        (out[6], out[7], out[8]) = (de1 * (y0 - py) - de0 * (y1 - py), de0 * (x1 - px) - de1 * (x0 - px), -de2 * u2)
    }
}

/// Checks ids [H, W] and bounds [F, 4] (Int32) against triangles [F, 3], naming the op.
func expectRasterOperands(_ op: String, triangles: TensorType, ids: TensorType, bounds: TensorType) throws {
    try expectType(op, ids, .int32, operand: "triangle ids")
    guard ids.shape.count == 2, bounds == TensorType([triangles.shape[0], 4], .int32) else {
        throw EngineError.shapeMismatch(op: op, expected: "ids int32[H, W] and bounds int32[\(triangles.shape[0]), 4]",
                                        got: "\(ids) and \(bounds)")
    }
}
