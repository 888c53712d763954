// What every op provides: shape rules, the CPU reference (generic, so gradient checks run in
// Double), its gradient as graph nodes, and its cost for benchmarks. OpenCL launchers add
// `OpenCLOp` conformance beside the op.

public protocol Op {
    /// The op's name with its parameters, stable across runs ("map(add)", "reduce(sum,[1])").
    var name: String { get }
    /// The output types for these input types, or `EngineError.shapeMismatch`.
    func outputTypes(_ inputs: [TensorType]) throws -> [TensorType]
    /// The CPU reference forward.
    func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>]
    /// Reverse mode: the gradient of each input (nil where none flows), built as graph nodes
    /// from the inputs, the output and the output's gradient. Only single-output ops are graph ops.
    func gradients(_ g: Graph, inputs: [Value], output: Value, outputGrad: Value) throws -> [Value?]
    /// Floating-point operations and minimum bytes moved by one forward (benchmarks).
    func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost
    /// True when the output is the input seen with another shape (no kernel, no copy).
    var isView: Bool { get }
}

public struct OpCost: Sendable {
    public var flops: Double
    public var bytes: Double
}

public extension Op {
    var isView: Bool { false }

    func gradients(_ g: Graph, inputs: [Value], output: Value, outputGrad: Value) throws -> [Value?] {
        throw EngineError.unsupportedOp(op: name + " (gradient)", backend: "autodiff")
    }

    /// Default cost: one flop per output element; every input and output read or written once.
    func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: Double(outputs.map(\.count).reduce(0, +)),
               bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }
}

/// An op with an OpenCL launcher.
protocol OpenCLOp: Op {
    /// Enqueues the op's kernels; no host synchronisation.
    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws
}

/// Checks the operand count, naming the op.
func expectArity(_ op: String, _ inputs: [TensorType], _ n: Int) throws {
    guard inputs.count == n else {
        throw EngineError.shapeMismatch(op: op, expected: "\(n) operand(s)", got: "\(inputs.count)")
    }
}

/// Checks that an operand is Float32 (or the given type), naming the op.
func expectType(_ op: String, _ type: TensorType, _ dtype: DType = .float32, operand: String) throws {
    guard type.dtype == dtype else {
        throw EngineError.shapeMismatch(op: op, expected: "\(operand) of type \(dtype)", got: type.description)
    }
}
