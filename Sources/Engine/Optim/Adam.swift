// Adam, updating parameters in place where they live (on the device): one launch per
// parameter per step, no host round-trip.
import Foundation

/// One Adam update of a parameter: inputs [param, grad, m, v] → outputs [param, m, v].
/// With lrCorrected = lr·√(1−β₂ᵗ)/(1−β₁ᵗ): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// param ← param − lrCorrected·m/(√v + ε).
public struct AdamStep: Op, OpenCLOp {
    public let lrCorrected: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float

    public var name: String { "adam(\(lrCorrected),\(beta1),\(beta2),\(epsilon))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 4)
        guard inputs.allSatisfy({ $0 == inputs[0] }), inputs[0].dtype == .float32 else {
            throw EngineError.shapeMismatch(op: name, expected: "param, grad, m, v of one Float32 type",
                                            got: inputs.map(\.description).joined(separator: ", "))
        }
        return [inputs[0], inputs[0], inputs[0]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        var (p, m, v) = (inputs[0], inputs[2], inputs[3])
        let g = inputs[1].values
        let lr = T(Double(lrCorrected)), b1 = T(Double(beta1)), b2 = T(Double(beta2)), eps = T(Double(epsilon))
        for i in g.indices {
            m.values[i] = b1 * m.values[i] + (1 - b1) * g[i]
            v.values[i] = b2 * v.values[i] + (1 - b2) * g[i] * g[i]
            p.values[i] -= lr * m.values[i] / (v.values[i].squareRoot() + eps)
        }
        return [p, m, v]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let n = inputs[0].type.count
        let k = try device.kernel("adam_step", file: "optimizer.cl")
        try device.runtime.launch(k, global: [n], [
            .buffer(OpenCLBackend.buffer(inputs[0])), .buffer(OpenCLBackend.buffer(inputs[1])),
            .buffer(OpenCLBackend.buffer(inputs[2])), .buffer(OpenCLBackend.buffer(inputs[3])),
            .int(Int32(n)), .float(lrCorrected), .float(beta1), .float(beta2), .float(epsilon),
        ])
    }
}

public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public private(set) var step = 0
    private let program: Program
    /// (parameter tensor, gradient tensor, first moment, second moment), all on one backend.
    private let slots: [(param: Tensor, grad: Tensor, m: Tensor, v: Tensor)]
    /// Copies of the parameters kept on their backend by `keep()` (none before the first call).
    private var kept: [Tensor] = []
    /// Each step ends by setting negative parameters to 0 (projected Adam: weights that must not
    /// be negative).
    public let nonNegative: Bool

    /// Optimises `parameters` of `program` with the matching `gradients` (program outputs).
    public init(program: Program, parameters: [Value], gradients: [Value], learningRate: Float = 1e-3,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, nonNegative: Bool = false) throws {
        guard parameters.count == gradients.count else {
            throw EngineError.invalidValue("Adam: \(parameters.count) parameters but \(gradients.count) gradients")
        }
        self.program = program
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.nonNegative = nonNegative
        slots = try zip(parameters, gradients).map { p, g in
            guard p.type == g.type, let param = program.tensor(p), let grad = program.tensor(g),
                  program.outputs.contains(g) else {
                throw EngineError.invalidValue("Adam: gradient \(g) must be a program output of the type of \(p)")
            }
            guard param.backend === grad.backend else {
                throw EngineError.invalidValue("Adam: \(p) and its gradient live on different backends")
            }
            let zeros = HostTensor.zeros(p.shape)
            return (param, grad, try param.backend.tensor(zeros), try param.backend.tensor(zeros))
        }
    }

    /// Applies one update to every parameter from the gradients of the last `program.run()`.
    public func update() throws {
        step += 1
        let t = Double(step)
        let corrected = Double(learningRate) * (1 - Foundation.pow(Double(beta2), t)).squareRoot()
            / (1 - Foundation.pow(Double(beta1), t))
        let op = AdamStep(lrCorrected: Float(corrected), beta1: beta1, beta2: beta2, epsilon: epsilon)
        for s in slots {
            try s.param.backend.run(op, inputs: [s.param, s.grad, s.m, s.v], outputs: [s.param, s.m, s.v])
            if nonNegative { try s.param.backend.run(Map(.relu), inputs: [s.param], outputs: [s.param]) }
        }
    }

    /// Copies every parameter's current value on its own backend (no host transfer), for `restore()`.
    public func keep() throws {
        if kept.isEmpty { kept = try slots.map { try $0.param.backend.allocate($0.param.type) } }
        for (s, copy) in zip(slots, kept) {
            try s.param.backend.run(Map(.copy), inputs: [s.param], outputs: [copy])
        }
    }

    /// Puts back the values of the last `keep()`; false when nothing was kept.
    public func restore() throws -> Bool {
        guard !kept.isEmpty else { return false }
        for (s, copy) in zip(slots, kept) {
            try s.param.backend.run(Map(.copy), inputs: [copy], outputs: [s.param])
        }
        return true
    }
}
