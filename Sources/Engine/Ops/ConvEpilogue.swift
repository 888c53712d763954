// What conv2d and its input gradient do to each output as they write it, in the same pass:
//   v = scale · (conv + bias) + residual,   y = v > 0 ? v : slope·v   (none: slope 1, relu: 0)
// and gated, for an activation's backward: y = gate > 0 ? v : slope·v, the sign read from the
// forward's output. The graph's fusion pass (Graph/Fusion.swift) moves the bias, scale,
// residual add, activation and activation gradient around a convolution into it. The fused
// forward's gradient recovers the slope from the sign of y (so leaky slopes must be ≥ 0).

public struct ConvEpilogue: Hashable, Sendable, CustomStringConvertible {
    public enum Activation: Hashable, Sendable {
        case none, relu
        /// x > 0 ? x : slope·x, slope ≥ 0.
        case leakyRelu(slope: Float)
    }

    /// Multiplies conv + bias before the residual is added.
    public var scale: Float = 1
    /// Whether a residual of the output's shape follows the fixed operands (and bias), added after the scale.
    public var residual = false
    public var activation: Activation = .none
    /// Whether the activation's sign comes from the last operand (the forward output whose
    /// gradient this is: relu's or leaky relu's backward) instead of from v.
    public var gated = false

    public init(scale: Float = 1, residual: Bool = false, activation: Activation = .none, gated: Bool = false)
    {
        (self.scale, self.residual, self.activation, self.gated) = (scale, residual, activation, gated)
    }

    /// The epilogue of a plain convolution (with or without bias).
    public var isIdentity: Bool { self == ConvEpilogue() }

    /// The negative side's slope: 1 for none, 0 for relu.
    var slope: Float {
        switch activation {
        case .none: return 1
        case .relu: return 0
        case .leakyRelu(let slope): return slope
        }
    }

    public var description: String {
        var text = scale == 1 ? "" : "·\(scale)"
        if residual { text += "+residual" }
        switch activation {
        case .none: break
        case .relu: text += "+relu"
        case .leakyRelu(let slope): text += "+leaky(\(slope))"
        }
        return text + (gated ? "_grad" : "")
    }

    /// Where the optional operands sit among `count`, after the op's two fixed ones: bias (for
    /// ops that take one, when present), residual, gate.
    struct Operands {
        let bias: Int?, residual: Int?, gate: Int?
    }

    func operands(_ count: Int, takesBias: Bool) -> Operands {
        let trailing = (residual ? 1 : 0) + (gated ? 1 : 0)
        return Operands(
            bias: takesBias && count == 3 + trailing ? 2 : nil, residual: residual ? count - trailing : nil,
            gate: gated ? count - 1 : nil)
    }

    /// Checks the operand count, the epilogue, and the bias [K], residual and gate (of the output's shape).
    func validate(_ op: String, _ inputs: [TensorType], output: Shape, channels: Int, takesBias: Bool) throws
    {
        let trailing = (residual ? 1 : 0) + (gated ? 1 : 0)
        guard inputs.count == 2 + trailing || (takesBias && inputs.count == 3 + trailing) else {
            throw EngineError.shapeMismatch(
                op: op,
                expected: "2 operands" + (takesBias ? ", a bias" : "") + (residual ? ", a residual" : "")
                    + (gated ? ", a gate" : ""), got: "\(inputs.count) operands")
        }
        guard slope >= 0, scale.isFinite, !gated || activation != .none else {
            throw EngineError.invalidValue(
                "\(op): a finite scale, a leaky slope ≥ 0, a gate only with an activation")
        }
        for (k, t) in inputs.enumerated() { try expectType(op, t, operand: "operand \(k)") }
        let at = operands(inputs.count, takesBias: takesBias)
        if let b = at.bias, inputs[b].shape != [channels] {
            throw EngineError.shapeMismatch(
                op: op, expected: "bias [\(channels)]", got: inputs[b].description)
        }
        for k in [at.residual, at.gate].compactMap({ $0 }) where inputs[k].shape != output {
            throw EngineError.shapeMismatch(
                op: op, expected: "operand \(k) \(output.shapeText)", got: inputs[k].description)
        }
    }

    /// Applies the epilogue to y [N, K, …] on the workers, a plane per (n, k); nothing for the
    /// identity without bias.
    func apply<T: RefScalar>(to y: inout [T], shape: Shape, _ inputs: [RefTensor<T>], at: Operands) {
        guard at.bias != nil || !isIdentity else { return }
        let planes = shape[0] * shape[1]
        let area = y.count / Swift.max(planes, 1)
        let channels = shape[1]
        let bias = at.bias.map { inputs[$0].values } ?? [T](repeating: 0, count: channels)
        let residual = at.residual.map { inputs[$0].values } ?? []
        let gate = at.gate.map { inputs[$0].values } ?? []
        let epilogue = self
        residual.withUnsafeBufferPointer { residual in
            gate.withUnsafeBufferPointer { gate in
                y.withUnsafeMutableBufferPointer { y in
                    // (An empty array's buffer may still have an address: the flags decide.)
                    let out = UnsafeSendable(y.baseAddress!)
                    let r: UnsafeSendable<T>? =
                        at.residual != nil ? UnsafeSendable(residual.baseAddress!) : nil
                    let g: UnsafeSendable<T>? = at.gate != nil ? UnsafeSendable(gate.baseAddress!) : nil
                    CPUParallel.forEach(planes) { plane in
                        let offset = plane * area
                        epilogue.apply(
                            out.pointer + offset, count: area, bias: bias[plane % channels],
                            residual: r.map { UnsafePointer($0.pointer) + offset },
                            gate: g.map { UnsafePointer($0.pointer) + offset })
                    }
                }
            }
        }
    }

    /// y[i] = v > 0 ? v : slope·v (the sign from gate[i] where gated), v = scale·(y[i] + bias) + residual[i].
    @inline(__always)
    private func apply<T: RefScalar>(
        _ y: UnsafeMutablePointer<T>, count: Int, bias: T, residual: UnsafePointer<T>?,
        gate: UnsafePointer<T>?
    ) {
        let scale = T(Double(self.scale))
        let slope = T(Double(self.slope))
        let zero = T.zero
        // Each case its own loop, so that the compiler vectorises each; relu as Map's (exact zeros).
        let relu = activation == .relu
        switch (residual, gate) {
        case (let r?, let g?) where relu:
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = g[i] > zero ? v : zero
            }
        case (let r?, let g?):
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = g[i] > zero ? v : slope * v
            }
        case (nil, let g?) where relu:
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = g[i] > zero ? v : zero
            }
        case (nil, let g?):
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = g[i] > zero ? v : slope * v
            }
        case (let r?, nil) where activation == .none:
            for i in 0..<count { y[i] = scale * (y[i] + bias) + r[i] }
        case (let r?, nil) where relu:
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = v > zero ? v : zero
            }
        case (let r?, nil):
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = v > zero ? v : slope * v
            }
        case (nil, nil) where activation == .none: for i in 0..<count { y[i] = scale * (y[i] + bias) }
        case (nil, nil) where relu:
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = v > zero ? v : zero
            }
        case (nil, nil):
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = v > zero ? v : slope * v
            }
        }
    }

    /// The gradient of the activation's input from y and dy (dy itself for none): one pass.
    func activationGradient(_ g: Graph, output y: Value, outputGrad dy: Value) throws -> Value {
        switch activation {
        case .none: return dy
        case .relu: return try g.apply(Map(.reluGrad), y, y, dy)
        case .leakyRelu(let slope): return try g.apply(Map(.leakyGrad, slope), y, y, dy)
        }
    }
}

/// A convolution op whose output passes through a ConvEpilogue (the fusion pass's targets).
protocol EpilogueConv: Op {
    var epilogue: ConvEpilogue { get }
    /// The same op with another epilogue.
    func with(_ epilogue: ConvEpilogue) -> Self
}
