// Resizing of NCHW images: nearest upsampling by integer factors and bilinear resizing to any
// size (PyTorch's align_corners true and false), forward and backward. CPU reference from one
// tap list (PixelTaps.swift); OpenCL in resample.cl (backward as a gather, deterministic).

/// Where bilinear resizing samples along one axis (PyTorch's `upsample_bilinear2d`):
/// align corners: src = o·(in−1)/(out−1) (0 when out = 1); otherwise half-pixel centres:
/// src = max(0, (o + ½)·in/out − ½). The scale is in/out from the sizes (as PyTorch given an
/// output size, not a scale factor), computed in the working precision.
struct ResizeAxis {
    let inSize: Int
    let outSize: Int
    let alignCorners: Bool

    @inline(__always)
    func source<T: RefScalar>(_ o: Int) -> T {
        if alignCorners {
            return outSize > 1 ? T(o) * (T(inSize - 1) / T(outSize - 1)) : 0
        }
        return Swift.max(0, (T(o) + T(0.5)) * (T(inSize) / T(outSize)) - T(0.5))
    }

    /// Each output's two taps: the input indices before and after its source (the last index for
    /// both at the end) and their weights, as `bilinearTaps` with `clampHigh` computes them.
    func taps<T: RefScalar>() -> [AxisTaps<T>] {
        (0..<outSize).map { o in
            let s: T = source(o)
            let floor = s.rounded(.down), before = floor.integerPart, fraction = s - floor
            return AxisTaps(before: before, after: Swift.min(before + 1, inSize - 1),
                            weightBefore: 1 - fraction, weightAfter: fraction)
        }
    }
}

/// Two bilinear taps along one axis (see `ResizeAxis.taps`).
struct AxisTaps<T: RefScalar> {
    let before, after: Int
    let weightBefore, weightAfter: T
}

/// The taps of resizing `input` [N, C, H, W] planes to `output`'s by `mode`, for `applyTaps`:
/// bilinear taps in `bilinearTaps`' order and weights, from per-row and per-column tables.
struct ResizeTaps<T: RefScalar>: PlaneTaps {
    let mode: Resize.Mode
    let input: Shape, output: Shape
    /// Bilinear: each output row's and column's two taps (nearest: none).
    let rows: [AxisTaps<T>], columns: [AxisTaps<T>]

    init(_ mode: Resize.Mode, input: Shape, output: Shape) {
        (self.mode, self.input, self.output) = (mode, input, output)
        guard case let .bilinear(_, _, align) = mode else { (rows, columns) = ([], []); return }
        rows = ResizeAxis(inSize: input[2], outSize: output[2], alignCorners: align).taps()
        columns = ResizeAxis(inSize: input[3], outSize: output[3], alignCorners: align).taps()
    }

    @inline(__always)
    func forEach(plane: Int, _ body: (Int, Int, T) -> Void) {
        let (h, w, outH, outW) = (input[2], input[3], output[2], output[3])
        if case let .nearest(fh, fw) = mode {
            for oy in 0..<outH {
                let (outRow, inRow) = ((plane * outH + oy) * outW, (plane * h + oy / fh) * w)
                for ox in 0..<outW { body(outRow + ox, inRow + ox / fw, 1) }
            }
            return
        }
        for (oy, row) in rows.enumerated() {
            let (before, after) = (plane * h * w + row.before * w, plane * h * w + row.after * w)
            for (ox, column) in columns.enumerated() {
                let o = (plane * outH + oy) * outW + ox
                body(o, before + column.before, row.weightBefore * column.weightBefore)
                body(o, before + column.after, row.weightBefore * column.weightAfter)
                body(o, after + column.before, row.weightAfter * column.weightBefore)
                body(o, after + column.after, row.weightAfter * column.weightAfter)
            }
        }
    }
}

/// x [N, C, H, W] resized to [N, C, H′, W′] by `mode`: each output is a fixed combination of
/// input pixels, so the backward is the transposed map.
public struct Resize: Op, OpenCLOp {
    public enum Mode: Hashable, Sendable, CustomStringConvertible {
        /// Every pixel repeated factorH × factorW times: [N, C, H·fh, W·fw].
        case nearest(factorH: Int, factorW: Int)
        /// Bilinear interpolation to [N, C, height, width].
        case bilinear(height: Int, width: Int, alignCorners: Bool)

        public var description: String {
            switch self {
            case let .nearest(fh, fw): "nearest,×\(fh)×\(fw)"
            case let .bilinear(h, w, align): "bilinear,\(h)×\(w)\(align ? ",align_corners" : "")"
            }
        }
    }

    public let mode: Mode

    public init(_ mode: Mode) { self.mode = mode }

    public var name: String { "resize(\(mode))" }

    /// The output shape for input [N, C, H, W], or a shape mismatch naming `op`.
    func outputShape(_ input: Shape, op: String) throws -> Shape {
        let bad = EngineError.shapeMismatch(op: op, expected: "input [N, C, H, W] with H, W ≥ 1 and factors or sizes ≥ 1",
                                            got: "input \(input.shapeText), \(mode)")
        guard input.count == 4, input[2] >= 1, input[3] >= 1 else { throw bad }
        let (outH, outW) = switch mode {
        case let .nearest(fh, fw): (input[2] * fh, input[3] * fw)
        case let .bilinear(h, w, _): (h, w)
        }
        guard outH >= 1, outW >= 1 else { throw bad }
        return [input[0], input[1], outH, outW]
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        return [TensorType(try outputShape(inputs[0].shape, op: name))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputShape(inputs[0].shape, op: name)
        let taps = ResizeTaps<T>(mode, input: inputs[0].shape, output: out)
        return [RefTensor(out, applyTaps(inputs[0].values, resultCount: out.elementCount, planes: out[0] * out[1],
                                         transpose: false, taps))]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(ResizeGrad(resize: self, inputShape: x[0].shape), dy)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let perOutput: Double = if case .nearest = mode { 0 } else { 7 }
        return OpCost(flops: perOutput * Double(outputs[0].count), bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.resize(mode, backward: false, input: inputs[0].shape, output: outputs[0].shape,
                          count: outputs[0].type.count, outputs[0], inputs[0])
    }
}

/// dX [N, C, H, W] from dY of the resized shape: the transpose of the resize.
public struct ResizeGrad: Op, OpenCLOp {
    public let resize: Resize
    public let inputShape: Shape

    public var name: String { "resize_grad(\(resize.mode),\(inputShape.shapeText))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        let out = try resize.outputShape(inputShape, op: name)
        guard inputs[0].shape == out else {
            throw EngineError.shapeMismatch(op: name, expected: "dy \(out.shapeText)", got: inputs[0].description)
        }
        return [TensorType(inputShape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let taps = ResizeTaps<T>(resize.mode, input: inputShape, output: inputs[0].shape)
        let planes = inputShape[0] * inputShape[1]
        return [RefTensor(inputShape, applyTaps(inputs[0].values, resultCount: inputShape.elementCount,
                                                planes: planes, transpose: true, taps))]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        resize.cost(outputs, inputs)
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.resize(resize.mode, backward: true, input: inputShape, output: inputs[0].shape,
                          count: outputs[0].type.count, outputs[0], inputs[0])
    }
}

extension OpenCLBackend {
    /// Enqueues resample.cl's resize kernel of `mode` (or its gradient) over `count` work-items.
    func resize(_ mode: Resize.Mode, backward: Bool, input: Shape, output: Shape, count: Int,
                _ result: Tensor, _ source: Tensor) throws {
        let (name, p0, p1): (String, Int, Int) = switch mode {
        case let .nearest(fh, fw): ("resize_nearest", fh, fw)
        case let .bilinear(_, _, align): ("resize_bilinear", align ? 1 : 0, 0)
        }
        try resample(name + (backward ? "_grad" : ""), count: count, [result, source],
                     sizes: [input[0] * input[1], input[2], input[3], output[2], output[3], p0, p1])
    }

    /// Enqueues resample.cl's kernel `name` over `count` work-items: the buffers, then the
    /// kernel's struct of sizes.
    func resample(_ name: String, count: Int, _ buffers: [Tensor], sizes: [Int]) throws {
        let k = try kernel(name, file: "resample.cl")
        try runtime.launch(k, global: [count], buffers.map { .buffer(Self.buffer($0)) } + [.words(sizes.map(Int32.init))])
    }
}

// MARK: - Graph builders

public extension Graph {
    /// Nearest-neighbour upsampling of x [N, C, H, W] by integer factors: [N, C, H·fh, W·fw].
    func upsampleNearest(_ x: Value, factors: (Int, Int)) throws -> Value {
        try apply(Resize(.nearest(factorH: factors.0, factorW: factors.1)), x)
    }

    /// Bilinear resizing of x [N, C, H, W] to [N, C, height, width] (PyTorch's semantics).
    func resizeBilinear(_ x: Value, height: Int, width: Int, alignCorners: Bool) throws -> Value {
        try apply(Resize(.bilinear(height: height, width: width, alignCorners: alignCorners)), x)
    }
}
