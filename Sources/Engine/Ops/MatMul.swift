// Matrix product op(A)·op(B), optionally batched ([B, M, K]); a rank-2 operand broadcasts over
// the batch. Linear layers (x·Wᵀ + b) are built from it.

public struct MatMul: Op, OpenCLOp {
    public let transA: Bool
    public let transB: Bool

    public init(transA: Bool = false, transB: Bool = false) {
        self.transA = transA
        self.transB = transB
    }

    public var name: String { "matmul(\(transA ? "T" : "N")\(transB ? "T" : "N"))" }

    struct Dims { let batch: Int, m: Int, n: Int, k: Int, strideA: Int, strideB: Int }

    func dims(_ a: Shape, _ b: Shape) throws -> Dims {
        guard (2...3).contains(a.count), (2...3).contains(b.count) else {
            throw EngineError.shapeMismatch(op: name, expected: "rank-2 or rank-3 operands", got: "\(a.shapeText) and \(b.shapeText)")
        }
        let batchA = a.count == 3 ? a[0] : 1, batchB = b.count == 3 ? b[0] : 1
        let ra = a.suffix(2), rb = b.suffix(2)
        let m = transA ? ra.last! : ra.first!, ka = transA ? ra.first! : ra.last!
        let kb = transB ? rb.last! : rb.first!, n = transB ? rb.first! : rb.last!
        guard ka == kb, batchA == batchB || batchA == 1 || batchB == 1 else {
            throw EngineError.shapeMismatch(op: name, expected: "inner dimensions equal and batches equal or 1",
                                            got: "\(a.shapeText) and \(b.shapeText)")
        }
        return Dims(batch: Swift.max(batchA, batchB), m: m, n: n, k: ka,
                    strideA: batchA == 1 ? 0 : m * ka, strideB: batchB == 1 ? 0 : ka * n)
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        for (k, t) in inputs.enumerated() { try expectType(name, t, operand: "operand \(k)") }
        let d = try dims(inputs[0].shape, inputs[1].shape)
        let batched = inputs[0].shape.count == 3 || inputs[1].shape.count == 3
        return [TensorType(batched ? [d.batch, d.m, d.n] : [d.m, d.n])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes(inputs.map(\.type))[0].shape
        let d = try dims(inputs[0].shape, inputs[1].shape)
        var c = [T](repeating: 0, count: out.elementCount)
        inputs[0].values.withUnsafeBufferPointer { a in
            inputs[1].values.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for batch in 0..<d.batch where d.m * d.n > 0 {
                        if d.k == 0 { continue }
                        T.parallelGemm(GemmOperands(transA: transA, transB: transB, m: d.m, n: d.n, k: d.k,
                                                    a: a.baseAddress! + batch * d.strideA, b: b.baseAddress! + batch * d.strideB,
                                                    c: c.baseAddress! + batch * d.m * d.n))
                    }
                }
            }
        }
        return [RefTensor(out, c)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let a = x[0], b = x[1]
        let da = transA ? try g.apply(MatMul(transA: transB, transB: true), b, dy)
                        : try g.apply(MatMul(transA: false, transB: !transB), dy, b)
        let db = transB ? try g.apply(MatMul(transA: true, transB: transA), dy, a)
                        : try g.apply(MatMul(transA: !transA, transB: false), a, dy)
        // An operand broadcast over the batch collects its gradient from every batch.
        return [try g.sumTo(da, a.shape), try g.sumTo(db, b.shape)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        guard let d = try? dims(inputs[0].shape, inputs[1].shape) else { return OpCost(flops: 0, bytes: 0) }
        return OpCost(flops: 2 * Double(d.batch * d.m * d.n * d.k),
                      bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    /// The OpenCL kernel for a product's shape: `matmul_dot` for few outputs (≤ 256 per batch) with long
    /// reductions (≥ 512 terms), `matmul_rows` when a side is at most 16, else the tiled kernel.
    enum Kernel: Equatable { case tiled, rows, dot }

    static func kernel(m: Int, n: Int, k: Int) -> Kernel {
        if m * n <= 256 && k >= 512 { return .dot }
        return Swift.min(m, n) <= 16 ? .rows : .tiled
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let d = try dims(inputs[0].shape, inputs[1].shape)
        let arguments: [KernelArgument] = [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])),
            .int(Int32(d.m)), .int(Int32(d.n)), .int(Int32(d.k)), .int(transA ? 1 : 0), .int(transB ? 1 : 0),
            .int(Int32(d.strideA)), .int(Int32(d.strideB)), .int(Int32(d.m * d.n)),
        ]
        switch Self.kernel(m: d.m, n: d.n, k: d.k) {
        case .tiled:
            try device.runtime.launch(
                try device.kernel("matmul_tiled", file: "matmul.cl"),
                global: [(d.n + 63) / 64 * 16, (d.m + 63) / 64 * 16, d.batch], local: [16, 16, 1], arguments)
        case .rows:
            try device.runtime.launch(
                try device.kernel("matmul_rows", file: "matmul.cl"),
                global: [d.m * d.n, d.batch], local: [64, 1], arguments)
        case .dot:
            try device.runtime.launch(
                try device.kernel("matmul_dot", file: "matmul.cl"),
                global: [64, d.m * d.n, d.batch], local: [64, 1, 1], arguments)
        }
    }
}

public extension Graph {
    func matmul(_ a: Value, _ b: Value, transA: Bool = false, transB: Bool = false) throws -> Value {
        try apply(MatMul(transA: transA, transB: transB), a, b)
    }

    /// x·Wᵀ + bias for x [.., in], weight [out, in], bias [out].
    func linear(_ x: Value, weight: Value, bias: Value?) throws -> Value {
        let y = try matmul(x, weight, transB: true)
        return try bias.map { try add(y, $0) } ?? y
    }
}
