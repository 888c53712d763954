// Rasterization: per-triangle pixel bounds with culling (the setup pass), then per-pixel
// visible triangle ids by a z-buffer over screen tiles. No gradient flows through ids; the
// differentiable barycentrics are recomputed from them (Barycentrics.swift).

/// Triangle setup: bounds [F, 4] Int32 = (x0, y0, x1, y1), the half-open range of pixels whose
/// centres lie in the triangle's screen bounding box, clipped to the image; (0, 0, 0, 0) for a
/// culled triangle. Culled: an index outside 0..<V, a non-finite coordinate, a vertex with depth
/// below `near` (whole triangles are culled, not clipped), or zero area. Back faces are kept
/// (a closed mesh hides them by depth; an open one such as a face mask shows its inside).
public struct TriangleBounds: Op, OpenCLOp {
    public let width: Int
    public let height: Int
    public let near: Float

    public init(width: Int, height: Int, near: Float) {
        (self.width, self.height, self.near) = (width, height, near)
    }

    public var name: String { "triangle_bounds(\(width)x\(height),near:\(near))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        try expectScreenAndTriangles(name, inputs[0], inputs[1])
        guard width > 0, height > 0, near > 0 else {
            throw EngineError.shapeMismatch(op: name, expected: "a positive image size and near plane", got: "\(width)×\(height), near \(near)")
        }
        return [TensorType([inputs[1].shape[0], 4], .int32)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let screen = inputs[0].values, triangles = inputs[1].indices
        let f = inputs[1].shape[0]
        var bounds = [Int32](repeating: 0, count: 4 * f)
        for t in 0..<f {
            guard let tri = ScreenTriangle(screen, triangles, t) else { continue }
            let nearT = T(Double(near))
            guard tri.isFinite, tri.w0 >= nearT, tri.w1 >= nearT, tri.w2 >= nearT,
                  tri.doubleArea != 0 else { continue }
            let x = pixelRange(Swift.min(tri.x0, tri.x1, tri.x2), Swift.max(tri.x0, tri.x1, tri.x2), width)
            let y = pixelRange(Swift.min(tri.y0, tri.y1, tri.y2), Swift.max(tri.y0, tri.y1, tri.y2), height)
            guard x.0 < x.1, y.0 < y.1 else { continue }
            (bounds[4 * t], bounds[4 * t + 1], bounds[4 * t + 2], bounds[4 * t + 3]) = (x.0, y.0, x.1, y.1)
        }
        return [RefTensor([f, 4], indices: bounds)]
    }

    /// The pixels whose centres i + 0.5 lie in [low, high], clipped to 0..<size.
    private func pixelRange<T: RefScalar>(_ low: T, _ high: T, _ size: Int) -> (Int32, Int32) {
        let first = Swift.max(0, Swift.min(T(size), (low - T(0.5)).rounded(.up)))
        let end = Swift.max(0, Swift.min(T(size), (high - T(0.5)).rounded(.down) + 1))
        return (Int32(first), Int32(end))
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 30 * Double(inputs[1].shape[0]), bytes: Double(inputs[1].bytes * 3 + outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let f = inputs[1].shape[0]
        try device.runtime.launch(try device.kernel("triangle_bounds", file: "raster.cl"), global: [f], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .int(Int32(f)), .int(Int32(inputs[0].shape[0])),
            .int(Int32(width)), .int(Int32(height)), .float(near),
        ])
    }
}

/// Visible triangle ids [H, W] Int32 (−1 where none) from screen [V, 3], triangles [F, 3] and
/// bounds [F, 4]: the covering triangle of least perspective-correct depth at each pixel centre,
/// ties to the lower id, so the result never depends on the order of work. Coverage is inclusive
/// of edges. The CPU bins triangles into 16×16-pixel tiles (in id order) and z-tests each tile in
/// parallel; OpenCL runs one 16×16 work-group per tile that compacts, 256 triangles at a time,
/// those whose bounds meet the tile into local memory, then tests each pixel against them.
public struct Rasterize: Op, OpenCLOp {
    public let width: Int
    public let height: Int
    static let tile = 16

    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }

    public var name: String { "rasterize(\(width)x\(height))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 3)
        try expectScreenAndTriangles(name, inputs[0], inputs[1])
        guard inputs[2] == TensorType([inputs[1].shape[0], 4], .int32) else {
            throw EngineError.shapeMismatch(op: name, expected: "bounds int32[\(inputs[1].shape[0]), 4]", got: inputs[2].description)
        }
        return [TensorType([height, width], .int32)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let screen = inputs[0].values, triangles = inputs[1].indices, bounds = inputs[2].indices
        let tile = Self.tile, tilesX = (width + tile - 1) / tile, tilesY = (height + tile - 1) / tile
        var bins = [[Int32]](repeating: [], count: tilesX * tilesY)
        for f in 0..<inputs[1].shape[0] where bounds[4 * f] < bounds[4 * f + 2] {
            for ty in Int(bounds[4 * f + 1]) / tile...Int(bounds[4 * f + 3] - 1) / tile {
                for tx in Int(bounds[4 * f]) / tile...Int(bounds[4 * f + 2] - 1) / tile { bins[ty * tilesX + tx].append(Int32(f)) }
            }
        }
        var ids = [Int32](repeating: -1, count: width * height)
        ids.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer.baseAddress!)
            CPUParallel.forEach(bins.count) { bin in
                let tx0 = (bin % tilesX) * tile, ty0 = (bin / tilesX) * tile
                var best = [T](repeating: T.infinity, count: tile * tile)
                for f32 in bins[bin] {
                    let f = Int(f32)
                    guard let tri = ScreenTriangle(screen, triangles, f) else { continue }
                    for y in Swift.max(ty0, Int(bounds[4 * f + 1]))..<Swift.min(ty0 + tile, Int(bounds[4 * f + 3])) {
                        for x in Swift.max(tx0, Int(bounds[4 * f]))..<Swift.min(tx0 + tile, Int(bounds[4 * f + 2])) {
                            guard let depth = tri.depth(atPixel: x, y) else { continue }
                            let slot = (y - ty0) * tile + x - tx0, pixel = y * width + x
                            if depth < best[slot] || (depth == best[slot] && f32 < out.pointer[pixel]) {
                                best[slot] = depth
                                out.pointer[pixel] = f32
                            }
                        }
                    }
                }
            }
        }
        return [RefTensor([height, width], indices: ids)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 20 * Double(width * height), bytes: Double(inputs.map(\.bytes).reduce(0, +) + outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let tile = Self.tile
        try device.runtime.launch(try device.kernel("rasterize", file: "raster.cl"),
                                  global: [(width + tile - 1) / tile * tile, (height + tile - 1) / tile * tile],
                                  local: [tile, tile], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .buffer(OpenCLBackend.buffer(inputs[2])),
            .int(Int32(inputs[1].shape[0])), .int(Int32(inputs[0].shape[0])), .int(Int32(width)), .int(Int32(height)),
        ])
    }
}

/// Checks screen [V, 3] Float32 and triangles [F, 3] Int32, naming the op.
func expectScreenAndTriangles(_ op: String, _ screen: TensorType, _ triangles: TensorType) throws {
    try expectType(op, screen, operand: "screen vertices")
    try expectType(op, triangles, .int32, operand: "triangles")
    guard screen.shape.count == 2, screen.shape[1] == 3, triangles.shape.count == 2, triangles.shape[1] == 3 else {
        throw EngineError.shapeMismatch(op: op, expected: "screen [V, 3] and triangles [F, 3]", got: "\(screen) and \(triangles)")
    }
}
