// Interpolation of per-vertex attributes through the rasterizer's ids and barycentrics,
// forward and both backward passes (to the attributes, deterministically, and to the barycentrics).

/// out [H, W, C] from attributes [V, C], triangles [F, 3], corners by vertex [V, K], ids [H, W],
/// bounds [F, 4] and bary [H, W, 3]: out[p] = Σ_k bary[p, k]·attr[triangles[id, k]]; zero where
/// the id is −1. With perspective-correct barycentrics this is exact for any attribute that is
/// affine over each triangle in 3-D (uv, colours, normals, positions, camera depth).
public struct Interpolate: Op, OpenCLOp {
    public init() {}

    public var name: String { "interpolate" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 6)
        try expectType(name, inputs[0], operand: "attributes")
        try expectType(name, inputs[1], .int32, operand: "triangles")
        guard inputs[0].shape.count == 2, inputs[1].shape.count == 2, inputs[1].shape[1] == 3,
              inputs[2].dtype == .int32, inputs[2].shape.first == inputs[0].shape[0] else {
            throw EngineError.shapeMismatch(op: name, expected: "attributes [V, C], triangles [F, 3], corners by vertex [V, K]",
                                            got: inputs[0...2].map(\.description).joined(separator: ", "))
        }
        try expectRasterOperands(name, triangles: inputs[1], ids: inputs[3], bounds: inputs[4])
        guard inputs[5] == TensorType(inputs[3].shape + [3]) else {
            throw EngineError.shapeMismatch(op: name, expected: "bary \((inputs[3].shape + [3]).shapeText)", got: inputs[5].description)
        }
        return [TensorType(inputs[3].shape + [inputs[0].shape[1]])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let attr = inputs[0].values, triangles = inputs[1].indices, ids = inputs[3].indices, bary = inputs[5].values
        let v = inputs[0].shape[0], c = inputs[0].shape[1], f = inputs[1].shape[0]
        var out = [T](repeating: 0, count: ids.count * c)
        forEachPixel(&out, pixels: ids.count) { chunk, out in
            for p in chunk {
                let id = Int(ids[p])
                guard id >= 0 && id < f else { continue }
                let i0 = Int(triangles[3 * id]), i1 = Int(triangles[3 * id + 1])
                let i2 = Int(triangles[3 * id + 2])
                guard i0 >= 0, i0 < v, i1 >= 0, i1 < v, i2 >= 0, i2 < v else { continue }
                for ch in 0..<c {
                    out[p * c + ch] = bary[3 * p] * attr[i0 * c + ch] + bary[3 * p + 1] * attr[i1 * c + ch]
                        + bary[3 * p + 2] * attr[i2 * c + ch]
                }
            }
        }
        return [RefTensor(inputs[3].shape + [c], out)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let corners = try g.apply(InterpolateAttributeGrad(), x[1], x[3], x[4], x[5], dy)
        return [try g.apply(CornerSum(), corners, x[1], x[2]), nil, nil, nil, nil,
                try g.apply(InterpolateBaryGrad(), x[0], x[1], x[3], dy)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 6 * Double(outputs[0].count), bytes: Double(inputs[3].bytes + inputs[5].bytes + 4 * outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let pixels = inputs[3].type.count, c = inputs[0].shape[1]
        try device.runtime.launch(try device.kernel("interpolate_fwd", file: "interpolate.cl"), global: [pixels * c], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .buffer(OpenCLBackend.buffer(inputs[3])),
            .buffer(OpenCLBackend.buffer(inputs[5])), .int(Int32(inputs[1].shape[0])), .int(Int32(inputs[0].shape[0])),
            .int(Int32(c)), .int(Int32(pixels)),
        ])
    }
}

/// Corner rows [3F, C] of the attribute gradient: row 3f + k = Σ over the pixels of triangle f of
/// bary[p, k]·dy[p], from triangles, ids, bounds, bary and dy [H, W, C]. OpenCL: one work-item
/// per (triangle, channel) scans the triangle's bounds in row-major order, as the CPU sums.
public struct InterpolateAttributeGrad: Op, OpenCLOp {
    public var name: String { "interpolate_attribute_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 5)
        try expectType(name, inputs[0], .int32, operand: "triangles")
        try expectRasterOperands(name, triangles: inputs[0], ids: inputs[1], bounds: inputs[2])
        guard inputs[3] == TensorType(inputs[1].shape + [3]), inputs[4].shape.count == 3,
              Array(inputs[4].shape.prefix(2)) == inputs[1].shape else {
            throw EngineError.shapeMismatch(op: name, expected: "bary [H, W, 3] and dy [H, W, C]", got: "\(inputs[3]) and \(inputs[4])")
        }
        return [TensorType([3 * inputs[0].shape[0], inputs[4].shape[2]])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let bary = inputs[3].values, dy = inputs[4].values, c = inputs[4].shape[2], f = inputs[0].shape[0]
        let corners = sumOverPixels(ids: inputs[1].indices, triangleCount: f, width: c) { (p: Int, _: Int, out: UnsafeMutablePointer<T>) in
            for k in 0..<3 {
                for ch in 0..<c { out[k * c + ch] = bary[3 * p + k] * dy[p * c + ch] }
            }
        }
        return [RefTensor([3 * f, c], corners)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 3 * Double(inputs[4].count), bytes: Double(inputs[1].bytes + inputs[3].bytes + inputs[4].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let f = inputs[0].shape[0], c = inputs[4].shape[2]
        try device.runtime.launch(try device.kernel("interpolate_attribute_grad", file: "interpolate.cl"), global: [f * c], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[1])),
            .buffer(OpenCLBackend.buffer(inputs[2])), .buffer(OpenCLBackend.buffer(inputs[3])),
            .buffer(OpenCLBackend.buffer(inputs[4])), .int(Int32(f)), .int(Int32(c)), .int(Int32(inputs[1].shape[1])),
        ])
    }
}

/// dbary [H, W, 3] = Σ_c dy[p, c]·attr[triangles[id, k], c], from attributes, triangles, ids, dy.
public struct InterpolateBaryGrad: Op, OpenCLOp {
    public var name: String { "interpolate_bary_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 4)
        guard inputs[0].shape.count == 2, inputs[2].shape.count == 2, inputs[3] == TensorType(inputs[2].shape + [inputs[0].shape[1]]) else {
            throw EngineError.shapeMismatch(op: name, expected: "attributes [V, C], ids [H, W], dy [H, W, C]",
                                            got: "\(inputs[0]), \(inputs[2]), \(inputs[3])")
        }
        return [TensorType(inputs[2].shape + [3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let attr = inputs[0].values, triangles = inputs[1].indices, ids = inputs[2].indices, dy = inputs[3].values
        let v = inputs[0].shape[0], c = inputs[0].shape[1], f = inputs[1].shape[0]
        var db = [T](repeating: 0, count: 3 * ids.count)
        forEachPixel(&db, pixels: ids.count) { chunk, db in
            for p in chunk {
                let id = Int(ids[p])
                guard id >= 0 && id < f else { continue }
                for k in 0..<3 {
                    let vertex = Int(triangles[3 * id + k])
                    guard vertex >= 0 && vertex < v else { continue }
                    var sum: T = 0
                    for ch in 0..<c { sum += dy[p * c + ch] * attr[vertex * c + ch] }
                    db[3 * p + k] = sum
                }
            }
        }
        return [RefTensor(inputs[2].shape + [3], db)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let pixels = inputs[2].type.count
        try device.runtime.launch(try device.kernel("interpolate_bary_grad", file: "interpolate.cl"), global: [3 * pixels], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .buffer(OpenCLBackend.buffer(inputs[2])),
            .buffer(OpenCLBackend.buffer(inputs[3])), .int(Int32(inputs[1].shape[0])), .int(Int32(inputs[0].shape[0])),
            .int(Int32(inputs[0].shape[1])), .int(Int32(pixels)),
        ])
    }
}
