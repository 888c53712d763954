// 2-D convolution, NCHW, weight [K, C, R, S], optional bias [K], and an epilogue applied in the
// same pass over the output (ConvEpilogue: scale, residual add, relu or leaky relu): forward and
// both backward passes. CPU reference: ConvLowering (im2col + GEMM on OpenBLAS; ConvTapProducts
// where faster). OpenCL: conv2d.cl's implicit GEMM.

public struct Conv2d: EpilogueConv, OpenCLOp {
    public let window: Window
    /// What is done to each output as it is written (bias added); never gated.
    public let epilogue: ConvEpilogue

    public init(_ window: Window = Window(), epilogue: ConvEpilogue = ConvEpilogue()) {
        (self.window, self.epilogue) = (window, epilogue)
    }

    func with(_ epilogue: ConvEpilogue) -> Conv2d { Conv2d(window, epilogue: epilogue) }

    public var name: String { "conv2d(\(window))" + epilogue.description }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard inputs.count >= 2, !epilogue.gated else {
            throw EngineError.shapeMismatch(
                op: name, expected: "input, weight, optional bias, no gate", got: "\(inputs.count) operands")
        }
        let geometry = try ConvGeometry(
            input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        try epilogue.validate(
            name, inputs, output: geometry.outputShape, channels: geometry.k, takesBias: true)
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
        epilogue.apply(
            to: &y, shape: g.outputShape, inputs, at: epilogue.operands(inputs.count, takesBias: true))
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
        if epilogue.operands(x.count, takesBias: true).bias != nil {
            grads.append(try g.sum(dconv, axes: [0, 2, 3]))
        }
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
            mode: 0, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0], epilogue: epilogue,
            operands: inputs, at: epilogue.operands(inputs.count, takesBias: true))
    }
}

/// A backward pass of conv2d from dY [N, K, P, Q] and the other operand: the input gradient
/// dX [N, C, H, W] (from the weight; the transposed convolution) or the weight gradient
/// dW [K, C, R, S] (from the input; summed over the batch).
public struct Conv2dGrad: EpilogueConv, OpenCLOp {
    public enum Operand: String, Sendable { case input, weight }

    /// Which operand's gradient this computes.
    public let wrt: Operand
    public let window: Window
    /// The shape of that operand (the gradient's shape).
    public let shape: Shape
    /// What is done to the gradient as it is written (no bias): accumulating a residual,
    /// an activation's backward (gated).
    public let epilogue: ConvEpilogue
    /// The input gradient reads dy times this (a residual branch's scale, moved here from a pass of
    /// its own by the fusion pass: each value of dy·s is the product that pass computed).
    public let dyScale: Float
    /// The input gradient reads the weight flipped, [C, K, R, S] (`ConvGeometry.flipped`), and is
    /// the forward pass of the transposed convolution (stride 1 only; FlippedWeights.swift makes
    /// that operand once from a constant weight).
    public let flippedWeight: Bool

    public init(
        wrt: Operand, window: Window, shape: Shape, epilogue: ConvEpilogue = ConvEpilogue(),
        dyScale: Float = 1, flippedWeight: Bool = false
    ) {
        (self.wrt, self.window, self.shape) = (wrt, window, shape)
        (self.epilogue, self.dyScale, self.flippedWeight) = (epilogue, dyScale, flippedWeight)
    }

    func with(_ epilogue: ConvEpilogue) -> Conv2dGrad {
        Conv2dGrad(
            wrt: wrt, window: window, shape: shape, epilogue: epilogue, dyScale: dyScale,
            flippedWeight: flippedWeight)
    }

    /// The same op reading dy times `scale` (input gradients only).
    func readingScaledGradient(_ scale: Float) -> Conv2dGrad {
        Conv2dGrad(
            wrt: wrt, window: window, shape: shape, epilogue: epilogue, dyScale: scale,
            flippedWeight: flippedWeight)
    }

    /// The same op reading the weight flipped (input gradients of stride 1 only).
    func readingFlippedWeight() -> Conv2dGrad {
        Conv2dGrad(
            wrt: wrt, window: window, shape: shape, epilogue: epilogue, dyScale: dyScale, flippedWeight: true)
    }

    public var name: String {
        "conv2d_\(wrt.rawValue)_grad(\(window),\(shape.shapeText))" + (dyScale == 1 ? "" : "(dy·\(dyScale))")
            + (flippedWeight ? "(flipped weight)" : "") + epilogue.description
    }

    /// The geometry, given the other operand's shape (a flipped weight's as the weight it was).
    func geometry(_ other: Shape) throws -> ConvGeometry {
        guard wrt == .input else {
            return try ConvGeometry(input: other, weight: shape, window: window, op: name)
        }
        let weight = flippedWeight && other.count == 4 ? [other[1], other[0], other[2], other[3]] : other
        return try ConvGeometry(input: shape, weight: weight, window: window, op: name)
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard inputs.count >= 2 else {
            throw EngineError.shapeMismatch(
                op: name, expected: "dy and the other operand", got: "\(inputs.count)")
        }
        try epilogue.validate(name, inputs, output: shape, channels: shape[1], takesBias: false)
        guard dyScale.isFinite, wrt == .input || dyScale == 1 else {
            throw EngineError.invalidValue("\(name): a finite dy scale, and only for the input gradient")
        }
        let g = try geometry(inputs[1].shape)
        guard !flippedWeight || (wrt == .input && g.transposedForInputGrad != nil) else {
            throw EngineError.invalidValue(
                "\(name): a flipped weight only for the input gradient of stride 1")
        }
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
        let transposed = flippedWeight ? g.transposedForInputGrad : nil
        // col2im and GEMMs accumulate; the transposed convolution's forward writes every element
        var gradient = transposed == nil ? [T](repeating: 0, count: shape.elementCount)
                                         : [T](unwrittenCount: shape.elementCount)
        let scale = T(dyScale)
        let dyValues = dyScale == 1 ? inputs[0].values : inputs[0].values.map { $0 * scale }
        dyValues.withUnsafeBufferPointer { dy in
            inputs[1].values.withUnsafeBufferPointer { other in
                gradient.withUnsafeMutableBufferPointer {
                    if let transposed {
                        return transposed.forward(dy.baseAddress!, other.baseAddress!, into: $0.baseAddress!)
                    }
                    switch wrt {
                    case .input: g.inputGrad(dy.baseAddress!, other.baseAddress!, into: $0.baseAddress!)
                    case .weight: g.weightGrad(dy.baseAddress!, other.baseAddress!, into: $0.baseAddress!)
                    }
                }
            }
        }
        epilogue.apply(
            to: &gradient, shape: shape, inputs, at: epilogue.operands(inputs.count, takesBias: false))
        return [RefTensor(shape, gradient)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(
            flops: (try? geometry(inputs[1].shape).flops) ?? 0,
            bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let g = try geometry(inputs[1].shape)
        let at = epilogue.operands(inputs.count, takesBias: false)
        switch wrt {
        case .input where flippedWeight:
            try device.convGEMM(
                mode: 0, geometry: g.transposedForInputGrad!, output: outputs[0], a: inputs[1], b: inputs[0],
                bScale: dyScale, epilogue: epilogue, operands: inputs, at: at)
        case .input:
            try device.convGEMM(
                mode: 1, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0], bScale: dyScale,
                epilogue: epilogue, operands: inputs, at: at)
        case .weight:
            try device.convGEMM(
                mode: 2, geometry: g, output: outputs[0], a: inputs[0], b: inputs[1], epilogue: epilogue,
                operands: inputs, at: at)
        }
    }
}

extension OpenCLBackend {
    /// Enqueues conv2d_gemm in `mode` (0 forward, 1 input grad, 2 weight grad) with the
    /// epilogue, its bias, residual and gate found among `operands`; with the reduction split
    /// over work-groups (and conv2d_split_finish after) when the output has few tiles.
    func convGEMM(
        mode: Int32, geometry g: ConvGeometry, output: Tensor, a: Tensor, b: Tensor, bScale: Float = 1,
        epilogue: ConvEpilogue, operands: [Tensor], at: ConvEpilogue.Operands
    ) throws {
        let (m, n, reduction): (Int, Int, Int) =
            switch mode {
            case 0: (g.k, g.n * g.p * g.q, g.c * g.r * g.s)
            case 1: (g.c, g.n * g.h * g.w, g.k * g.r * g.s)
            default: (g.k, g.c * g.r * g.s, g.n * g.p * g.q)
            }
        // Each split at least 64 terms (four of the kernel's 16-term steps).
        let split = ReductionSplit(
            groups: (m + 63) / 64 * ((n + 63) / 64), terms: reduction,
            computeUnits: runtime.info.computeUnits,
            minimum: 64, step: 16)
        let partial = split.count > 1 ? try pool.take(bytes: split.count * m * n * 4) : nil
        defer { partial.map(pool.giveBack) }
        /// The operand at `index`, or a stand-in buffer the kernel does not read.
        func buffer(_ index: Int?) -> KernelArgument { .buffer(Self.buffer(index.map { operands[$0] } ?? a)) }
        func flag(_ index: Int?) -> KernelArgument { .int(index == nil ? 0 : 1) }
        let epilogueArguments: [KernelArgument] = [
            buffer(at.bias), buffer(at.residual), buffer(at.gate), .words(g.packed), .int(mode),
            flag(at.bias),
            flag(at.residual), flag(at.gate), .float(epilogue.scale), .float(epilogue.slope),
        ]
        try runtime.launch(
            try kernel("conv2d_gemm", file: "conv2d.cl"),
            global: [(n + 63) / 64 * 16, (m + 63) / 64 * 16, split.count],
            local: [16, 16, 1],
            [.buffer(Self.buffer(output)), .buffer(Self.buffer(a)), .buffer(Self.buffer(b)), .float(bScale)]
                + epilogueArguments
                + [.buffer(partial ?? Self.buffer(output)), .int(Int32(split.length))])
        if let partial {
            try runtime.launch(
                try kernel("conv2d_split_finish", file: "conv2d.cl"), global: [m * n],
                [.buffer(Self.buffer(output)), .buffer(partial)] + epilogueArguments + [
                    .int(Int32(split.count))
                ])
        }
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
