// 2-D convolution, NCHW, weight [K, C, R, S], optional bias [K], optionally followed by relu in
// the same pass over the output: forward and both backward passes. CPU reference: ConvLowering
// (im2col + GEMM on OpenBLAS; ConvTapProducts where faster). OpenCL: conv2d.cl's implicit GEMM.

public struct Conv2d: Op, OpenCLOp {
    public let window: Window
    /// Whether relu is applied to the output (bias added) as it is written.
    public let relu: Bool

    public init(_ window: Window = Window(), relu: Bool = false) { (self.window, self.relu) = (window, relu) }

    public var name: String { "conv2d(\(window))" + (relu ? "+relu" : "") }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw EngineError.shapeMismatch(op: name, expected: "input, weight and optional bias", got: "\(inputs.count) operands")
        }
        for (k, t) in inputs.enumerated() { try expectType(name, t, operand: "operand \(k)") }
        let geometry = try ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        if inputs.count == 3 && inputs[2].shape != [geometry.k] {
            throw EngineError.shapeMismatch(op: name, expected: "bias [\(geometry.k)]", got: inputs[2].description)
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
                y.withUnsafeMutableBufferPointer { g.forward(x.baseAddress!, weight.baseAddress!, into: $0.baseAddress!) }
            }
        }
        if inputs.count == 3 || relu {
            // One pass over the output: bias, then relu as Map's (a > 0 ? a : 0).
            let bias = inputs.count == 3 ? inputs[2].values : [T](repeating: 0, count: g.k), relu = self.relu
            let area = g.p * g.q
            y.withUnsafeMutableBufferPointer { y in
                let shared = UnsafeSendable(y.baseAddress!)
                CPUParallel.forEach(g.n * g.k) { plane in
                    let out = shared.pointer + plane * area, add = bias[plane % g.k]
                    addBias(out, count: area, add, relu: relu)
                }
            }
        }
        return [RefTensor(g.outputShape, y)]
    }

    /// y = y + add, then relu if asked (Map's: a > 0 ? a : 0), over `count` elements.
    @inline(__always)
    private func addBias<T: RefScalar>(_ y: UnsafeMutablePointer<T>, count: Int, _ add: T, relu: Bool) {
        if relu {
            let zero = T.zero  // a literal 0 here keeps the loop from being vectorised
            for i in 0..<count { let v = y[i] + add; y[i] = v > zero ? v : zero }
        } else {
            for i in 0..<count { y[i] += add }
        }
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let dy = relu ? try g.apply(Map(.reluGrad), y, y, dy) : dy
        let dx = try g.apply(Conv2dGrad(wrt: .input, window: window, shape: x[0].shape), dy, x[1])
        let dw = try g.apply(Conv2dGrad(wrt: .weight, window: window, shape: x[1].shape), dy, x[0])
        return x.count == 3 ? [dx, dw, try g.sum(dy, axes: [0, 2, 3])] : [dx, dw]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let flops = (try? ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name).flops) ?? 0
        return OpCost(flops: flops, bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let g = try ConvGeometry(input: inputs[0].shape, weight: inputs[1].shape, window: window, op: name)
        try device.convGEMM(mode: 0, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0],
                            bias: inputs.count == 3 ? inputs[2] : nil, relu: relu)
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
        wrt == .input ? try ConvGeometry(input: shape, weight: other, window: window, op: name)
                      : try ConvGeometry(input: other, weight: shape, window: window, op: name)
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        let g = try geometry(inputs[1].shape)
        guard inputs[0].shape == g.outputShape else {
            throw EngineError.shapeMismatch(op: name, expected: "dy \(g.outputShape.shapeText)", got: inputs[0].description)
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
        OpCost(flops: (try? geometry(inputs[1].shape).flops) ?? 0, bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let g = try geometry(inputs[1].shape)
        switch wrt {
        case .input: try device.convGEMM(mode: 1, geometry: g, output: outputs[0], a: inputs[1], b: inputs[0], bias: nil)
        case .weight: try device.convGEMM(mode: 2, geometry: g, output: outputs[0], a: inputs[0], b: inputs[1], bias: nil)
        }
    }
}

extension OpenCLBackend {
    /// Enqueues conv2d_gemm in `mode` (0 forward, 1 input grad, 2 weight grad), relu on the output if asked.
    func convGEMM(mode: Int32, geometry g: ConvGeometry, output: Tensor, a: Tensor, b: Tensor, bias: Tensor?,
                  relu: Bool = false) throws {
        let (m, n): (Int, Int) = switch mode {
        case 0: (g.k, g.n * g.p * g.q)
        case 1: (g.c, g.n * g.h * g.w)
        default: (g.k, g.c * g.r * g.s)
        }
        let k = try kernel("conv2d_gemm", file: "conv2d.cl")
        try runtime.launch(k, global: [(n + 63) / 64 * 16, (m + 63) / 64 * 16], local: [16, 16], [
            .buffer(Self.buffer(output)), .buffer(Self.buffer(a)), .buffer(Self.buffer(b)),
            .buffer(Self.buffer(bias ?? a)), .words(g.packed), .int(mode), .int(bias == nil ? 0 : 1),
            .int(relu ? 1 : 0),
        ])
    }
}

// MARK: - Graph builders

public extension Graph {
    /// conv2d of x [N, C, H, W] with weight [K, C, R, S] and optional bias [K], then relu if asked.
    func conv2d(_ x: Value, _ weight: Value, bias: Value? = nil, _ window: Window = Window(),
                relu: Bool = false) throws -> Value {
        try apply(Conv2d(window, relu: relu), bias.map { [x, weight, $0] } ?? [x, weight])
    }
}
