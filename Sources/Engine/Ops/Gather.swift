// Gather rows by an Int32 index: y[m, …] = x[index[m], …]; its gradient sums rows back in
// index order (deterministic, no atomics). An index outside the source rows reads as zero.

public struct Gather: Op, OpenCLOp {
    public init() {}

    public var name: String { "gather" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        try expectType(name, inputs[0], operand: "source")
        try expectType(name, inputs[1], .int32, operand: "index")
        guard inputs[0].shape.count >= 1, inputs[1].shape.count == 1 else {
            throw EngineError.shapeMismatch(op: name, expected: "source [N, …] and index [M]",
                                            got: "\(inputs[0]) and \(inputs[1])")
        }
        return [TensorType(inputs[1].shape + Array(inputs[0].shape.dropFirst()))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0], index = inputs[1].indices
        let rows = x.shape[0], width = x.shape.dropFirst().reduce(1, *)
        var y = [T](repeating: 0, count: index.count * width)
        for (m, r) in index.enumerated() where r >= 0 && Int(r) < rows {
            for c in 0..<width { y[m * width + c] = x.values[Int(r) * width + c] }
        }
        return [RefTensor([index.count] + Array(x.shape.dropFirst()), y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(GatherGrad(sourceRows: x[0].shape[0]), dy, x[1]), nil]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let rows = inputs[1].type.count, width = inputs[0].shape.dropFirst().reduce(1, *)
        let k = try device.kernel("gather_rows", file: "layout.cl")
        try device.runtime.launch(k, global: [rows * width], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .int(Int32(rows)), .int(Int32(width)),
            .int(Int32(inputs[0].shape[0])),
        ])
    }
}

/// dx[r, …] = Σ_{m: index[m] = r} dy[m, …].
public struct GatherGrad: Op, OpenCLOp {
    public let sourceRows: Int

    public var name: String { "gather_grad(\(sourceRows))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        try expectType(name, inputs[0], operand: "gradient")
        try expectType(name, inputs[1], .int32, operand: "index")
        guard inputs[1].shape.count == 1, inputs[0].shape.first == inputs[1].shape[0] else {
            throw EngineError.shapeMismatch(op: name, expected: "gradient [M, …] and index [M]",
                                            got: "\(inputs[0]) and \(inputs[1])")
        }
        return [TensorType([sourceRows] + Array(inputs[0].shape.dropFirst()))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let dy = inputs[0], index = inputs[1].indices
        let width = dy.shape.dropFirst().reduce(1, *)
        var dx = [T](repeating: 0, count: sourceRows * width)
        for (m, r) in index.enumerated() where r >= 0 && Int(r) < sourceRows {
            for c in 0..<width { dx[Int(r) * width + c] += dy.values[m * width + c] }
        }
        return [RefTensor([sourceRows] + Array(dy.shape.dropFirst()), dx)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let rows = Double(inputs[1].count)
        return OpCost(flops: Double(outputs[0].count) * rows, bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let rows = inputs[1].type.count, width = inputs[0].shape.dropFirst().reduce(1, *)
        let k = try device.kernel("gather_rows_grad", file: "layout.cl")
        try device.runtime.launch(k, global: [sourceRows * width], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .int(Int32(rows)), .int(Int32(width)),
            .int(Int32(sourceRows)),
        ])
    }
}

public extension Graph {
    /// Rows of `source` picked by the Int32 `index` [M].
    func gather(_ source: Value, _ index: Value) throws -> Value { try apply(Gather(), source, index) }
}
