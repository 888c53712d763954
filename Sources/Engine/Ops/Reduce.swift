// Sum, mean and max over any set of axes (kept or dropped), forward and backward; sumTo
// (the gradient of broadcasting) and L2 normalisation are built from them.

public struct Reduce: Op, OpenCLOp {
    public enum Kind: Int32, Sendable { case sum = 0, max = 1, mean = 2 }

    public let kind: Kind
    public let axes: [Int]
    public let keepDims: Bool

    public init(_ kind: Kind, axes: [Int], keepDims: Bool = false) {
        self.kind = kind
        self.axes = axes
        self.keepDims = keepDims
    }

    public var name: String { "reduce(\(kind),\(axes)\(keepDims ? ",keep" : ""))" }

    /// The input's shape with reduced axes set to 1 (keepDims form).
    func keptShape(_ shape: Shape, _ axes: [Int]) -> Shape {
        shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        let axes = try normalizedAxes(self.axes, rank: inputs[0].shape.count, op: name)
        let kept = keptShape(inputs[0].shape, axes)
        return [TensorType(keepDims ? kept : kept.enumerated().filter { !axes.contains($0.offset) }.map(\.element))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0]
        let out = try outputTypes([x.type])[0].shape
        let axes = try normalizedAxes(self.axes, rank: x.shape.count, op: name)
        let kept = keptShape(x.shape, axes)
        let outStrides = kept.broadcastStrides(to: x.shape)  // input index → output index
        var y = [T](repeating: kind == .max ? -T.infinity : 0, count: out.elementCount)
        let shape = x.shape, isMax = kind == .max
        // The input in row-major order on one worker, so every output takes its terms in the order
        // they come (a run that all goes into one output in eight interleaved partial sums,
        // `reduceRun`); row runs (`forEachRun`, the output as the operand) keep index arithmetic
        // out of the per-element loop.
        if !x.values.isEmpty {
            x.values.withUnsafeBufferPointer { values in
                y.withUnsafeMutableBufferPointer { y in
                    let (x, y) = (UnsafeSendable(values.baseAddress!), UnsafeSendable(y.baseAddress!))
                    forEachRun(of: shape, strides: [outStrides], minimumPerWorker: Int.max) { run in
                        for row in 0..<run.rows {
                            var o = run.offset(0, row: row)
                            let first = run.first(row: row)
                            if run.steps[0] == 0 {  // the whole run into one output
                                let v = reduceRun(x.pointer + first, count: run.length, isMax: isMax)
                                y.pointer[o] = isMax ? T.maximum(y.pointer[o], v) : y.pointer[o] + v
                                continue
                            }
                            for i in first..<(first + run.length) {
                                let v = x.pointer[i]
                                y.pointer[o] = isMax ? T.maximum(y.pointer[o], v) : y.pointer[o] + v
                                o += run.steps[0]
                            }
                        }
                    }
                }
            }
        }
        if kind == .mean {
            let n = T(x.shape.elementCount / max(1, out.elementCount))
            y = y.map { $0 / n }
        }
        return [RefTensor(out, y)]
    }

    /// The sum (or maximum) of `count` consecutive values in eight interleaved partial results,
    /// combined pairwise: a fixed order (deterministic), and eight chains of additions instead of
    /// one (a long row is summed several times faster).
    @inline(__always)
    private func reduceRun<T: RefScalar>(_ x: UnsafePointer<T>, count: Int, isMax: Bool) -> T {
        // One body for both reductions; each call passes a literal `f`, inlined into its own loop.
        @inline(__always) func interleaved(from start: T, _ f: (T, T) -> T) -> T {
            var p = (start, start, start, start, start, start, start, start)
            var i = 0
            while i + 8 <= count {
                (p.0, p.1) = (f(p.0, x[i]), f(p.1, x[i + 1]))
                (p.2, p.3) = (f(p.2, x[i + 2]), f(p.3, x[i + 3]))
                (p.4, p.5) = (f(p.4, x[i + 4]), f(p.5, x[i + 5]))
                (p.6, p.7) = (f(p.6, x[i + 6]), f(p.7, x[i + 7]))
                i += 8
            }
            while i < count { p.0 = f(p.0, x[i]); i += 1 }
            return f(f(f(p.0, p.1), f(p.2, p.3)), f(f(p.4, p.5), f(p.6, p.7)))
        }
        return isMax
            ? interleaved(from: -T.infinity) { T.maximum($0, $1) } : interleaved(from: 0) { $0 + $1 }
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let axes = try normalizedAxes(self.axes, rank: x[0].shape.count, op: name)
        let kept = keptShape(x[0].shape, axes)
        let spread = try g.broadcast(try g.reshape(dy, kept), to: x[0].shape)
        switch kind {
        case .sum:
            return [spread]
        case .mean:
            let n = x[0].shape.elementCount / max(1, y.type.count)
            return [try g.scale(spread, 1 / Float(n))]
        case .max:
            // Every element equal to the maximum receives the gradient (ties share it whole).
            let peak = try g.broadcast(try g.reshape(y, kept), to: x[0].shape)
            return [try g.mul(spread, try g.equal(x[0], peak))]
        }
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let shape = inputs[0].shape
        let axes = try normalizedAxes(self.axes, rank: shape.count, op: name)
        let inStrides = shape.contiguousStrides
        let keptDims = shape.indices.filter { !axes.contains($0) }
        let outer = StridedLayout(dims: keptDims.map { shape[$0] },
                                  strides: [keptDims.map { shape[$0] }.contiguousStrides, keptDims.map { inStrides[$0] }])
        let inner = StridedLayout(dims: axes.map { shape[$0] },
                                  strides: [[Int](repeating: 0, count: axes.count), axes.map { inStrides[$0] }])
        guard outer.fitsKernel && inner.fitsKernel else {
            throw EngineError.shapeMismatch(op: name, expected: "at most \(StridedLayout.maxRank) kept and reduced dimensions",
                                            got: shape.shapeText)
        }
        let reduced = max(1, inner.count)
        let operands: [KernelArgument] = [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .strided(outer), .strided(inner),
        ]
        let kindAndScale: [KernelArgument] = [.int(kind == .max ? 1 : 0), .float(kind == .mean ? 1 / Float(reduced) : 1)]
        // Short reductions (such as over an RGB or xyz axis): one work-item per output element.
        guard inner.count > 16 else {
            return try device.runtime.launch(
                try device.kernel("reduce_axes_short", file: "reduce.cl"), global: [outer.count], operands + kindAndScale)
        }
        // Each split at least 1,024 terms (16 per work-item).
        let split = ReductionSplit(
            groups: outer.count, terms: inner.count, computeUnits: device.runtime.info.computeUnits, minimum: 1024,
            step: 64)
        let partial = split.count > 1 ? try device.pool.take(bytes: outer.count * split.count * 4) : nil
        defer { partial.map(device.pool.giveBack) }
        try device.runtime.launch(
            try device.kernel("reduce_axes", file: "reduce.cl"), global: [outer.count * 64, split.count], local: [64, 1],
            operands + kindAndScale + [.buffer(partial ?? OpenCLBackend.buffer(outputs[0])), .int(Int32(split.length))])
        if let partial {
            try device.runtime.launch(
                try device.kernel("reduce_axes_finish", file: "reduce.cl"), global: [outer.count],
                [operands[0], .buffer(partial), .strided(outer), .int(Int32(split.count))] + kindAndScale)
        }
    }
}

// MARK: - Graph builders

public extension Graph {
    func sum(_ a: Value, axes: [Int], keepDims: Bool = false) throws -> Value {
        try apply(Reduce(.sum, axes: axes, keepDims: keepDims), a)
    }

    func mean(_ a: Value, axes: [Int], keepDims: Bool = false) throws -> Value {
        try apply(Reduce(.mean, axes: axes, keepDims: keepDims), a)
    }

    func max(_ a: Value, axes: [Int], keepDims: Bool = false) throws -> Value {
        try apply(Reduce(.max, axes: axes, keepDims: keepDims), a)
    }

    /// Sum of all elements, shape [].
    func sum(_ a: Value) throws -> Value { try sum(a, axes: Array(a.shape.indices)) }

    /// Mean of all elements, shape [].
    func mean(_ a: Value) throws -> Value { try mean(a, axes: Array(a.shape.indices)) }

    /// Sums `a` down to `shape` (the gradient of broadcasting `shape` to a.shape).
    func sumTo(_ a: Value, _ shape: Shape) throws -> Value {
        if a.shape == shape { return a }
        let lead = a.shape.count - shape.count
        let axes = a.shape.indices.filter { d in d < lead || (shape[d - lead] == 1 && a.shape[d] != 1) }
        guard lead >= 0, try broadcastShape([shape, a.shape], op: "sumTo") == a.shape else {
            throw EngineError.shapeMismatch(op: "sumTo", expected: "a shape that broadcasts to \(a.shape.shapeText)",
                                            got: shape.shapeText)
        }
        return try reshape(try sum(a, axes: axes, keepDims: true), shape)
    }

    /// x / sqrt(Σ x² + epsilon) along `axis` (the last axis in one op: L2NormalizeRows).
    func l2Normalize(_ x: Value, axis: Int, epsilon: Float = 1e-10) throws -> Value {
        if axis == x.shape.count - 1 { return try apply(L2NormalizeRows(epsilon: epsilon), x) }
        let norm2 = try sum(try square(x), axes: [axis], keepDims: true)
        return try mul(x, try rsqrt(try scale(norm2, 1, plus: epsilon)))
    }
}
