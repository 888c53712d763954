// 2-D convolution, NCHW, weight [K, C, R, S], optional bias [K], and an epilogue applied in the
// same pass over the output (ConvEpilogue: scale, residual add, relu or leaky relu): forward and
// both backward passes. CPU reference: ConvLowering (im2col + GEMM on OpenBLAS; ConvTapProducts
// where faster). OpenCL: conv2d.cl's implicit GEMM.

public struct Conv2d: Op, OpenCLOp {
    public let window: Window
    /// What is done to each output as it is written (bias added).
    public let epilogue: ConvEpilogue

    public init(_ window: Window = Window(), epilogue: ConvEpilogue = ConvEpilogue()) {
        (self.window, self.epilogue) = (window, epilogue)
    }

    public var name: String { "conv2d(\(window))" + epilogue.description }

    /// Operands: input, weight, then bias and residual where present.
    private func hasBias(_ operands: Int) -> Bool { operands == (epilogue.residual ? 4 : 3) }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let required = epilogue.residual ? 3 : 2
        guard inputs.count == required || inputs.count == required + 1 else {
            throw EngineError.shapeMismatch(
                op: name, expected: "input, weight, optional bias" + (epilogue.residual ? ", residual" : ""),
                got: "\(inputs.count) operands")
        }
        try epilogue.validate(name)
        for (k, t) in inputs.enumerated() { try expectType(name, t, operand: "operand \(k)") }
        let geometry = try ConvGeometry(
            input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        if hasBias(inputs.count) && inputs[2].shape != [geometry.k] {
            throw EngineError.shapeMismatch(
                op: name, expected: "bias [\(geometry.k)]", got: inputs[2].description)
        }
        if epilogue.residual && inputs[inputs.count - 1].shape != geometry.outputShape {
            throw EngineError.shapeMismatch(
                op: name, expected: "residual \(geometry.outputShape.shapeText)",
                got: inputs[inputs.count - 1].description)
        }
        return [TensorType(geometry.outputShape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let g = try ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        var y = [T](unwrittenCount: g.outputShape.elementCount)  // forward writes every element
        inputs[0].values.withUnsafeBufferPointer { x in
            inputs[1].values.withUnsafeBufferPointer { weight in
                y.withUnsafeMutableBufferPointer {
                    g.forward(x.baseAddress!, weight.baseAddress!, into: $0.baseAddress!)
                }
            }
        }
        let hasBias = hasBias(inputs.count)
        guard hasBias || !epilogue.isIdentity else { return [RefTensor(g.outputShape, y)] }
        // One pass over the output, plane by plane on the workers.
        let bias = hasBias ? inputs[2].values : [T](repeating: 0, count: g.k)
        let epilogue = self.epilogue
        let residual = epilogue.residual ? inputs[inputs.count - 1].values : []
        let area = g.p * g.q
        residual.withUnsafeBufferPointer { residual in
            y.withUnsafeMutableBufferPointer { y in
                // (An empty array's buffer may still have an address.)
                let out = UnsafeSendable(y.baseAddress!)
                let res: UnsafeSendable<T>? = epilogue.residual ? UnsafeSendable(residual.baseAddress!) : nil
                CPUParallel.forEach(g.n * g.k) { plane in
                    epilogue.apply(
                        out.pointer + plane * area, count: area, bias: bias[plane % g.k],
                        residual: res.map { UnsafePointer($0.pointer) + plane * area })
                }
            }
        }
        return [RefTensor(g.outputShape, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        let dz = try epilogue.activationGradient(g, output: y, outputGrad: dy)
        let dconv = epilogue.scale == 1 ? dz : try g.scale(dz, epilogue.scale)
        let dx = try g.apply(Conv2dGrad(wrt: .input, window: window, shape: x[0].shape), dconv, x[1])
        let dw = try g.apply(Conv2dGrad(wrt: .weight, window: window, shape: x[1].shape), dconv, x[0])
        var grads: [Value?] = [dx, dw]
        if hasBias(x.count) { grads.append(try g.sum(dconv, axes: [0, 2, 3])) }
        if epilogue.residual { grads.append(dz) }
        return grads
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let flops =
            (try? ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
                .flops) ?? 0
        return OpCost(flops: flops, bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let g = try ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        try device.convGEMM(
            mode: 0, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0],
            bias: hasBias(inputs.count) ? inputs[2] : nil, epilogue: epilogue,
            residual: epilogue.residual ? inputs[inputs.count - 1] : nil)
    }
}

/// A backward pass of conv2d from dY [N, K, P, Q] and the other operand: the input gradient
/// dX [N, C, H, W] (from the weight; the transposed convolution) or the weight gradient
/// dW [K, C, R, S] (from the input; summed over the batch).
public struct Conv2dGrad: Op, OpenCLOp {
    public enum Operand: String, Sendable { case input, weight }

    /// Which operand's gradient this computes.
    public let wrt: Operand
    public let window: Window
    /// The shape of that operand (the gradient's shape).
    public let shape: Shape

    public init(wrt: Operand, window: Window, shape: Shape) {
        (self.wrt, self.window, self.shape) = (wrt, window, shape)
    }

    public var name: String { "conv2d_\(wrt.rawValue)_grad(\(window),\(shape.shapeText))" }

    /// The geometry, given the other operand's shape.
    func geometry(_ other: Shape) throws -> ConvGeometry {
        wrt == .input
            ? try ConvGeometry(input: shape, weight: other, window: window, op: name)
            : try ConvGeometry(input: other, weight: shape, window: window, op: name)
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        let g = try geometry(inputs[1].shape)
        guard inputs[0].shape == g.outputShape else {
            throw EngineError.shapeMismatch(
                op: name, expected: "dy \(g.outputShape.shapeText)", got: inputs[0].description)
        }
        return [TensorType(shape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let g = try geometry(inputs[1].shape)
        var gradient = [T](repeating: 0, count: shape.elementCount)
        inputs[0].values.withUnsafeBufferPointer { dy in
            inputs[1].values.withUnsafeBufferPointer { other in
                gradient.withUnsafeMutableBufferPointer {
                    switch wrt {
                    case .input: g.inputGrad(dy.baseAddress!, other.baseAddress!, into: $0.baseAddress!)
                    case .weight: g.weightGrad(dy.baseAddress!, other.baseAddress!, into: $0.baseAddress!)
                    }
                }
            }
        }
        return [RefTensor(shape, gradient)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(
            flops: (try? geometry(inputs[1].shape).flops) ?? 0,
            bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let g = try geometry(inputs[1].shape)
        switch wrt {
        case .input:
            try device.convGEMM(
                mode: 1, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0], bias: nil)
        case .weight:
            try device.convGEMM(
                mode: 2, geometry: g, output: outputs[0], a: inputs[0], b: inputs[1], bias: nil)
        }
    }
}

extension OpenCLBackend {
    /// Enqueues conv2d_gemm in `mode` (0 forward, 1 input grad, 2 weight grad), the epilogue on
    /// the output (forward only).
    func convGEMM(
        mode: Int32, geometry g: ConvGeometry, output: Tensor, a: Tensor, b: Tensor, bias: Tensor?,
        epilogue: ConvEpilogue = ConvEpilogue(), residual: Tensor? = nil
    ) throws {
        let (m, n): (Int, Int) =
            switch mode {
            case 0: (g.k, g.n * g.p * g.q)
            case 1: (g.c, g.n * g.h * g.w)
            default: (g.k, g.c * g.r * g.s)
            }
        let k = try kernel("conv2d_gemm", file: "conv2d.cl")
        try runtime.launch(
            k, global: [(n + 63) / 64 * 16, (m + 63) / 64 * 16], local: [16, 16],
            [
                .buffer(Self.buffer(output)), .buffer(Self.buffer(a)), .buffer(Self.buffer(b)),
                .buffer(Self.buffer(bias ?? a)), .buffer(Self.buffer(residual ?? a)), .words(g.packed),
                .int(mode),
                .int(bias == nil ? 0 : 1), .int(residual == nil ? 0 : 1), .float(epilogue.scale),
                .float(epilogue.slope),
            ])
    }
}

// MARK: - Graph builders

extension Graph {
    /// conv2d of x [N, C, H, W] with weight [K, C, R, S] and optional bias [K], then, in the same
    /// pass: activation(scale · (conv + bias) + residual), residual of the output's shape.
    public func conv2d(
        _ x: Value, _ weight: Value, bias: Value? = nil, _ window: Window = Window(), scale: Float = 1,
        residual: Value? = nil, activation: ConvEpilogue.Activation = .none
    ) throws -> Value {
        let epilogue = ConvEpilogue(scale: scale, residual: residual != nil, activation: activation)
        return try apply(
            Conv2d(window, epilogue: epilogue), [x, weight] + [bias, residual].compactMap { $0 })
    }
}
