// Reshape: the same elements seen with another shape; a view, no kernel and no copy.

public struct Reshape: Op, OpenCLOp {
    public let shape: Shape

    public var name: String { "reshape(\(shape.shapeText))" }
    public var isView: Bool { true }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        guard inputs[0].count == shape.elementCount, shape.allSatisfy({ $0 >= 0 }) else {
            throw EngineError.shapeMismatch(op: name, expected: "\(shape.elementCount) elements",
                                            got: inputs[0].description)
        }
        return [TensorType(shape, inputs[0].dtype)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        var y = inputs[0]
        y.shape = shape
        return [y]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.reshape(dy, x[0].shape)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost { OpCost(flops: 0, bytes: 0) }

    /// Never launched: the program aliases the output to the input.
    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {}
}

public extension Graph {
    func reshape(_ a: Value, _ shape: Shape) throws -> Value {
        a.shape == shape ? a : try apply(Reshape(shape: shape), a)
    }
}
