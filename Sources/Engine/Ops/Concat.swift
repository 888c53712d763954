// Concatenation along one axis; its gradient is one slice per operand.

public struct Concat: Op, OpenCLOp {
    public let axis: Int
    /// On a device, the operands to copy (nil: all); the others were written in place (Regions.swift).
    var copying: [Int]? = nil

    public var name: String { "concat(\(axis))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard let first = inputs.first else {
            throw EngineError.shapeMismatch(op: name, expected: "at least one operand", got: "none")
        }
        guard axis >= 0 && axis < first.shape.count else {
            throw EngineError.shapeMismatch(op: name, expected: "axis in 0..<\(first.shape.count)", got: "\(axis)")
        }
        var out = first.shape
        out[axis] = 0
        for t in inputs {
            try expectType(name, t, operand: "operand")
            var other = t.shape
            other[safe: axis] = 0
            guard t.shape.count == first.shape.count, other == out else {
                throw EngineError.shapeMismatch(op: name, expected: "operands equal except on axis \(axis)",
                                                got: inputs.map(\.description).joined(separator: ", "))
            }
        }
        out[axis] = inputs.map { $0.shape[axis] }.reduce(0, +)
        return [TensorType(out)]
    }

    /// Each operand's start along the axis.
    func starts(_ inputs: [Shape]) -> [Int] {
        var start = 0
        return inputs.map { s in defer { start += s[axis] }; return start }
    }

    /// Each operand's first element in the output when every operand is one contiguous run of it
    /// (the axes before `axis` all of size one), else nil.
    func contiguousOffsets(_ inputs: [Shape]) -> [Int]? {
        guard let first = inputs.first, first.prefix(axis).allSatisfy({ $0 == 1 }) else { return nil }
        let stride = first.dropFirst(axis + 1).reduce(1, *)
        return starts(inputs).map { $0 * stride }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes(inputs.map(\.type))[0].shape
        let outStrides = out.contiguousStrides
        var y = [T](unwrittenCount: out.elementCount)  // every element is some operand's
        y.withUnsafeMutableBufferPointer { y in
            for (x, start) in zip(inputs, starts(inputs.map(\.shape))) where !x.values.isEmpty {
                x.values.withUnsafeBufferPointer {
                    stridedCopy(
                        $0.baseAddress!, strides: x.shape.contiguousStrides,
                        to: y.baseAddress! + start * outStrides[axis], strides: outStrides, shape: x.shape)
                }
            }
        }
        return [RefTensor(out, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        try zip(x, starts(x.map(\.shape))).map { input, start in
            try g.slice(dy, axis: axis, start..<(start + input.shape[axis]))
        }
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let copied = copying.map { $0.map { inputs[$0].bytes }.reduce(0, +) } ?? outputs[0].bytes
        return OpCost(flops: 0, bytes: Double(2 * copied))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let outStrides = outputs[0].shape.contiguousStrides
        for (k, (x, start)) in zip(inputs, starts(inputs.map(\.shape))).enumerated()
        where x.type.count > 0 && copying?.contains(k) != false {
            let layout = StridedLayout(dims: x.shape, strides: [outStrides, x.shape.contiguousStrides],
                                       offsets: [start * outStrides[axis], 0])
            try device.mapStrided(.copy, layout: layout, output: outputs[0], inputs: [x])
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        get { indices.contains(index) ? self[index] : nil }
        set { if indices.contains(index), let newValue { self[index] = newValue } }
    }
}

public extension Graph {
    func concat(_ values: [Value], axis: Int) throws -> Value { try apply(Concat(axis: axis), values) }
}
