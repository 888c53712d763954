// Slice (a box of the input, step 1) and constant padding: each is the other's gradient.

public struct Slice: Op, OpenCLOp {
    public let starts: [Int]
    public let ends: [Int]

    public var name: String { "slice(\(starts),\(ends))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        let shape = inputs[0].shape
        guard starts.count == shape.count, ends.count == shape.count,
              shape.indices.allSatisfy({ 0 <= starts[$0] && starts[$0] <= ends[$0] && ends[$0] <= shape[$0] }) else {
            throw EngineError.shapeMismatch(op: name, expected: "0 ≤ start ≤ end ≤ size on each of \(shape.count) axes",
                                            got: inputs[0].description)
        }
        return [TensorType(zip(starts, ends).map { $1 - $0 })]
    }

    func offset(_ shape: Shape) -> Int { zip(starts, shape.contiguousStrides).map(*).reduce(0, +) }

    /// The output's first element in the input when the output is one contiguous run of the input
    /// (every axis after the first longer than one taken whole), else nil.
    func contiguousOffset(_ shape: Shape) -> Int? {
        guard let first = shape.indices.first(where: { ends[$0] - starts[$0] > 1 }) else {
            return offset(shape)
        }
        let whole = shape.indices.dropFirst(first + 1).allSatisfy { starts[$0] == 0 && ends[$0] == shape[$0] }
        return whole ? offset(shape) : nil
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes([inputs[0].type])[0].shape
        let x = inputs[0]
        return [RefTensor(out, stridedGather(x.values, shape: out, strides: x.shape.contiguousStrides, offset: offset(x.shape)))]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.pad(dy, before: starts, after: zip(x[0].shape, ends).map { $0 - $1 })]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 0, bytes: Double(2 * outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let out = outputs[0].shape, shape = inputs[0].shape
        let layout = StridedLayout(dims: out, strides: [out.contiguousStrides, shape.contiguousStrides],
                                   offsets: [0, offset(shape)])
        try device.mapStrided(.copy, layout: layout, output: outputs[0], inputs: inputs)
    }
}

public struct Pad: Op, OpenCLOp {
    public let before: [Int]
    public let after: [Int]
    public let value: Float

    public var name: String { "pad(\(before),\(after),\(value))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        let shape = inputs[0].shape
        guard before.count == shape.count, after.count == shape.count,
              (before + after).allSatisfy({ $0 >= 0 }) else {
            throw EngineError.shapeMismatch(op: name, expected: "non-negative padding for each of \(shape.count) axes",
                                            got: inputs[0].description)
        }
        return [TensorType(shape.indices.map { before[$0] + shape[$0] + after[$0] })]
    }

    /// Where the input starts inside the output, in elements.
    func interiorOffset(_ out: Shape) -> Int { zip(before, out.contiguousStrides).map(*).reduce(0, +) }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let x = inputs[0]
        let out = try outputTypes([x.type])[0].shape
        var y = [T](repeating: T(Double(value)), count: out.elementCount)
        if !x.values.isEmpty {
            x.values.withUnsafeBufferPointer { source in
                y.withUnsafeMutableBufferPointer {
                    stridedCopy(
                        source.baseAddress!, strides: x.shape.contiguousStrides,
                        to: $0.baseAddress! + interiorOffset(out), strides: out.contiguousStrides, shape: x.shape)
                }
            }
        }
        return [RefTensor(out, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.slice(dy, starts: before, ends: zip(before, x[0].shape).map(+))]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 0, bytes: Double(outputs[0].bytes + inputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let out = outputs[0].shape, shape = inputs[0].shape
        try device.fill(outputs[0], value: value)
        let layout = StridedLayout(dims: shape, strides: [out.contiguousStrides, shape.contiguousStrides],
                                   offsets: [interiorOffset(out), 0])
        try device.mapStrided(.copy, layout: layout, output: outputs[0], inputs: inputs)
    }
}

public extension Graph {
    func slice(_ a: Value, starts: [Int], ends: [Int]) throws -> Value {
        try apply(Slice(starts: starts, ends: ends), a)
    }

    /// `a[start..<end]` along one axis.
    func slice(_ a: Value, axis: Int, _ range: Range<Int>) throws -> Value {
        var starts = [Int](repeating: 0, count: a.shape.count), ends = a.shape
        starts[axis] = range.lowerBound
        ends[axis] = range.upperBound
        return try slice(a, starts: starts, ends: ends)
    }

    func pad(_ a: Value, before: [Int], after: [Int], value: Float = 0) throws -> Value {
        try apply(Pad(before: before, after: after, value: value), a)
    }
}
