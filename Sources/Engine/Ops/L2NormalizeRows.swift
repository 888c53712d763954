// x / sqrt(Σ x² + ε) along the last axis, one pass per row forward and backward, CPU and OpenCL:
// the unit normals of the renderer (rows of 3) as one launch each way instead of the five maps and
// reductions of `l2Normalize` along other axes.

/// y = x·r per row, r = 1/sqrt(Σ x² + epsilon) over the row's last-axis elements.
public struct L2NormalizeRows: Op, OpenCLOp {
    public let epsilon: Float

    public var name: String { "l2_normalize_rows(\(epsilon))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "x")
        guard let width = inputs[0].shape.last, width > 0 else {
            throw EngineError.shapeMismatch(
                op: name, expected: "rows of at least one element", got: inputs[0].description)
        }
        return [inputs[0]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0].values, width = inputs[0].shape.last!
        var y = [T](repeating: 0, count: x.count)
        for row in stride(from: 0, to: x.count, by: width) {
            let r = rowScale(x[row..<row + width])
            for i in row..<row + width { y[i] = x[i] * r }
        }
        return [RefTensor(inputs[0].shape, y)]
    }

    /// 1/sqrt(Σ x² + epsilon), summed in order.
    func rowScale<T: RefScalar>(_ row: ArraySlice<T>) -> T {
        var sum: T = 0
        for v in row { sum += v * v }
        return 1 / (sum + T(epsilon)).squareRoot()
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        [try g.apply(L2NormalizeRowsGrad(forward: self), x[0], dy)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.launchRows("l2_normalize_rows", inputs[0], outputs[0], [.float(epsilon)])
    }
}

/// dx = r·dy − r³·x·(x·dy) per row, from x and dy.
public struct L2NormalizeRowsGrad: Op, OpenCLOp {
    public let forward: L2NormalizeRows

    public var name: String { "l2_normalize_rows_grad(\(forward.epsilon))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        guard inputs[1] == inputs[0] else {
            throw EngineError.shapeMismatch(op: name, expected: "dy \(inputs[0])", got: inputs[1].description)
        }
        return try forward.outputTypes([inputs[0]])
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0].values, dy = inputs[1].values, width = inputs[0].shape.last!
        var dx = [T](repeating: 0, count: x.count)
        for row in stride(from: 0, to: x.count, by: width) {
            let r = forward.rowScale(x[row..<row + width])
            var dot: T = 0
            for i in row..<row + width { dot += x[i] * dy[i] }
            let along = r * r * r * dot
            for i in row..<row + width { dx[i] = r * dy[i] - along * x[i] }
        }
        return [RefTensor(inputs[0].shape, dx)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let extra: [KernelArgument] = [.buffer(OpenCLBackend.buffer(inputs[1])), .float(forward.epsilon)]
        try device.launchRows("l2_normalize_rows_grad", inputs[0], outputs[0], extra)
    }
}

extension OpenCLBackend {
    /// Enqueues `name` from reduce.cl, one work-item per last-axis row of `x`:
    /// (y, x, rows, width, extra…).
    fileprivate func launchRows(_ name: String, _ x: Tensor, _ y: Tensor, _ extra: [KernelArgument]) throws {
        let width = x.shape.last!, rows = x.type.count / width
        let sizes: [KernelArgument] = [.int(Int32(rows)), .int(Int32(width))]
        try launchPerItem(name, file: "reduce.cl", items: rows, buffers: [y, x], sizes + extra)
    }
}
