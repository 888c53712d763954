// Analytic antialiasing of silhouette edges (after nvdiffrast): colours of neighbouring pixels
// with different triangles are blended by where the front triangle's silhouette edge crosses
// between their centres, which gives the image gradients w.r.t. vertex positions at occlusion
// boundaries. Forward and both backward passes, all gathers (deterministic, no atomics).

/// out [H, W, C] from colour [H, W, C], screen [V, 3], triangles [F, 3], corners by vertex [V, K],
/// ids [H, W], bounds [F, 4] and edge neighbours [F, 3]. For each pair of 4-neighbouring pixels
/// with different ids, the front one (least depth; an empty pixel is infinitely far) is inside
/// its triangle T; the first edge of T that the segment between the centres leaves T through
/// is found, at distance t ∈ [0, 1) from the inside centre. When it is a silhouette edge (no
/// neighbour across it, or one facing the other way on screen) the pair blends: for t > 1/2 the
/// outside pixel gets (t − 1/2) of the inside colour, else the inside pixel gets (1/2 − t) of
/// the outside colour: out[p] = c[p] + Σ_q w(p, q)·(c[q] − c[p]), continuous in the vertices.
/// `transposed` applies the transpose of this linear map of the colours (the colour gradient):
/// out[p] = c[p]·(1 − Σ_q w(p, q)) + Σ_q w(q, p)·c[q]. Both are gathers over the four neighbours.
public struct Antialias: Op, OpenCLOp {
    public let transposed: Bool

    public init(transposed: Bool = false) { self.transposed = transposed }

    public var name: String { transposed ? "antialias_transposed" : "antialias" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 7)
        try expectAntialiasOperands(name, colour: inputs[0], screen: inputs[1], triangles: inputs[2], ids: inputs[4],
                                    bounds: inputs[5], neighbours: inputs[6])
        return [inputs[0]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let scene = SilhouetteScene(screen: inputs[1], triangles: inputs[2], ids: inputs[4], bounds: inputs[5], neighbours: inputs[6])
        let x = inputs[0].values, c = inputs[0].shape[2]
        var out = x
        forEachPixel(&out, pixels: scene.ids.count) { chunk, out in
            for p in chunk {
                for direction in 0..<4 {
                    guard let q = scene.neighbour(of: p, direction), let crossing = scene.crossing(p, q)
                    else { continue }
                    if crossing.receiver == p {
                        for ch in 0..<c {
                            let neighbour = transposed ? 0 : x[q * c + ch]
                            out[p * c + ch] += crossing.weight * (neighbour - x[p * c + ch])
                        }
                    } else if transposed {
                        for ch in 0..<c { out[p * c + ch] += crossing.weight * x[q * c + ch] }
                    }
                }
            }
        }
        return [RefTensor(inputs[0].shape, out)]
    }

    /// The forward's gradients; the transposed map is only ever a gradient, and has none.
    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        guard !transposed else { throw EngineError.unsupportedOp(op: name + " (gradient)", backend: "autodiff") }
        let dColour = try g.apply(Antialias(transposed: true), [dy] + x[1...6])
        let corners = try g.apply(AntialiasScreenGrad(), [x[0], dy] + x[1...2] + x[4...6])
        return [dColour, try g.apply(CornerSum(), corners, x[2], x[3]), nil, nil, nil, nil, nil]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 100 * Double(inputs[4].count), bytes: Double(2 * inputs[0].bytes + 5 * inputs[4].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try launchAntialias(device, "antialias_blend", output: outputs[0], first: [inputs[0]], geometry: [inputs[1], inputs[2]] + inputs[4...6],
                            work: inputs[4].type.count, channels: inputs[0].shape[2], extra: [.int(transposed ? 1 : 0)])
    }
}

/// Corner gradients [3F, 3] (x, y; depth gets none) of the blend weights' dependence on the
/// silhouette edges, from colour, dy, screen, triangles, ids, bounds and edge neighbours: each
/// pair gives ±Σ_c dy[receiver]·(c[other] − c[receiver])·dt/d(edge vertices). OpenCL: one
/// work-item per triangle scans its bounds grown by one pixel in row-major order, neighbours
/// in the order left, right, up, down (the CPU's order).
public struct AntialiasScreenGrad: Op, OpenCLOp {
    public var name: String { "antialias_screen_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 7)
        try expectAntialiasOperands(name, colour: inputs[0], screen: inputs[2], triangles: inputs[3], ids: inputs[4],
                                    bounds: inputs[5], neighbours: inputs[6])
        guard inputs[1] == inputs[0] else {
            throw EngineError.shapeMismatch(op: name, expected: "dy \(inputs[0].shape.shapeText)", got: inputs[1].description)
        }
        return [TensorType([3 * inputs[3].shape[0], 3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let scene = SilhouetteScene(screen: inputs[2], triangles: inputs[3], ids: inputs[4], bounds: inputs[5], neighbours: inputs[6])
        let colour = inputs[0].values, dy = inputs[1].values, c = inputs[0].shape[2], f = inputs[3].shape[0]
        // The crossings each pixel receives, with their colour-weighted gradient, found in
        // parallel per chunk of pixels; then accumulated in pixel order (deterministic).
        var found = [[(crossing: SilhouetteCrossing<T>, g: T)]](repeating: [], count: scene.ids.count / 2048 + 1)
        forEachPixel(&found, pixels: found.count, chunk: 1) { parts, found in
            for part in parts {
                for p in part * 2048..<Swift.min(scene.ids.count, (part + 1) * 2048) {
                    for direction in 0..<4 {
                        guard let q = scene.neighbour(of: p, direction), let crossing = scene.crossing(p, q),
                              crossing.receiver == p else { continue }
                        var g: T = 0
                        for ch in 0..<c { g += dy[p * c + ch] * (colour[q * c + ch] - colour[p * c + ch]) }
                        found[part].append((crossing, g))
                    }
                }
            }
        }
        var corners = [T](repeating: 0, count: 9 * f)
        for (crossing, g) in found.joined() { crossing.accumulateGrad(g, scene, into: &corners) }
        return [RefTensor([3 * f, 3], corners)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try launchAntialias(device, "antialias_screen_grad", output: outputs[0], first: Array(inputs[0...1]), geometry: Array(inputs[2...6]),
                            work: inputs[3].shape[0], channels: inputs[0].shape[2], extra: [])
    }
}

/// Enqueues an antialias kernel: output, the leading tensors, screen, triangles, ids, bounds,
/// neighbours, then counts (triangles, vertices, width, height, channels) and `extra`, over `work` items.
private func launchAntialias(_ device: OpenCLBackend, _ kernel: String, output: Tensor, first: [Tensor], geometry: [Tensor],
                             work: Int, channels: Int, extra: [KernelArgument]) throws {
    let ids = geometry[2]
    let k = try device.runtime.kernel(kernel, files: ["raster.cl", "antialias.cl"])
    try device.runtime.launch(k, global: [work], [.buffer(OpenCLBackend.buffer(output))]
        + (first + geometry).map { .buffer(OpenCLBackend.buffer($0)) } + [
        .int(Int32(geometry[1].shape[0])), .int(Int32(geometry[0].shape[0])), .int(Int32(ids.shape[1])),
        .int(Int32(ids.shape[0])), .int(Int32(channels)),
    ] + extra)
}

/// Checks the operands of the antialias ops, naming the op.
private func expectAntialiasOperands(_ op: String, colour: TensorType, screen: TensorType, triangles: TensorType,
                                     ids: TensorType, bounds: TensorType, neighbours: TensorType) throws {
    try expectScreenAndTriangles(op, screen, triangles)
    try expectRasterOperands(op, triangles: triangles, ids: ids, bounds: bounds)
    guard colour.shape.count == 3, Array(colour.shape.prefix(2)) == ids.shape, neighbours == triangles else {
        throw EngineError.shapeMismatch(op: op, expected: "colour [H, W, C] over ids \(ids.shape.shapeText) and edge neighbours int32[F, 3]",
                                        got: "\(colour) and \(neighbours)")
    }
}

public extension Graph {
    /// `colour` [H, W, C] with its silhouette edges antialiased (see `Antialias`); differentiable
    /// w.r.t. the colour and the screen vertices the rasterization was made from.
    func antialias(_ colour: Value, _ raster: Rasterization, screen: Value) throws -> Value {
        try apply(Antialias(), colour, screen, raster.mesh.triangles, raster.mesh.cornersByVertex, raster.ids, raster.bounds,
                  raster.mesh.edgeNeighbours)
    }
}
