// Permute (transpose) of axes: output dimension d is input dimension perm[d].

public struct Permute: Op, OpenCLOp {
    public let perm: [Int]

    public var name: String { "permute(\(perm))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        guard perm.sorted() == Array(0..<inputs[0].shape.count) else {
            throw EngineError.shapeMismatch(op: name, expected: "a permutation of 0..<\(inputs[0].shape.count)",
                                            got: "\(perm)")
        }
        return [TensorType(perm.map { inputs[0].shape[$0] })]
    }

    /// Input strides in output order.
    func sourceStrides(_ shape: Shape) -> [Int] {
        let strides = shape.contiguousStrides
        return perm.map { strides[$0] }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes([inputs[0].type])[0].shape
        return [RefTensor(out, stridedGather(inputs[0].values, shape: out, strides: sourceStrides(inputs[0].shape)))]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        var inverse = [Int](repeating: 0, count: perm.count)
        for (d, p) in perm.enumerated() { inverse[p] = d }
        return [try g.permute(dy, inverse)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let out = outputs[0].shape
        try device.mapStrided(.copy, layout: StridedLayout(dims: out, strides: [out.contiguousStrides, sourceStrides(inputs[0].shape)]),
                              output: outputs[0], inputs: inputs)
    }
}

/// Values read at `offset + Σ index[d]·strides[d]` for every index of `shape`, in row-major order.
func stridedGather<T: BitwiseCopyable>(_ source: [T], shape: Shape, strides: [Int], offset: Int = 0) -> [T] {
    let count = shape.elementCount
    guard count > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: count) { result, initialized in
        source.withUnsafeBufferPointer {
            stridedCopy(
                $0.baseAddress! + offset, strides: strides, to: result.baseAddress!, strides: shape.contiguousStrides,
                shape: shape)
        }
        initialized = count
    }
}

/// Copies source[Σ index[d]·sourceStrides[d]] to target[Σ index[d]·targetStrides[d]] for every index
/// of `shape`, run by run along the innermost dimension (`forEachRun`); a run contiguous on both
/// sides is copied whole.
func stridedCopy<T: BitwiseCopyable>(_ source: UnsafePointer<T>, strides sourceStrides: [Int],
                                     to target: UnsafeMutablePointer<T>, strides targetStrides: [Int], shape: Shape) {
    let (from, to) = (UnsafeSendable(source), UnsafeSendable(target))
    forEachRun(of: shape, strides: [sourceStrides, targetStrides]) { run in
        let (sourceStep, targetStep) = (run.steps[0], run.steps[1])
        for row in 0..<run.rows {
            let source = UnsafePointer(from.pointer) + run.offset(0, row: row)
            let target = to.pointer + run.offset(1, row: row)
            if sourceStep == 1 && targetStep == 1 {
                target.update(from: source, count: run.length)
            } else {
                for i in 0..<run.length { target[i * targetStep] = source[i * sourceStep] }
            }
        }
    }
}

public extension Graph {
    func permute(_ a: Value, _ perm: [Int]) throws -> Value { try apply(Permute(perm: perm), a) }

    /// Swaps the last two axes.
    func transpose(_ a: Value) throws -> Value {
        let r = a.shape.count
        guard r >= 2 else { throw EngineError.shapeMismatch(op: "transpose", expected: "rank ≥ 2", got: a.type.description) }
        return try permute(a, Array(0..<(r - 2)) + [r - 1, r - 2])
    }
}
