// Max and average 2-D pooling, NCHW, a kernel of R×S taps over a `Window` (stride, dilation,
// explicit or TensorFlow SAME/VALID padding), forward and backward; global average pooling is
// a mean over H and W. CPU reference here (backward as a scatter), OpenCL in pool2d.cl
// (backward as a gather: deterministic, no atomics).

/// The sizes of one pooling: input [N, C, H, W], kernel R×S, output [N, C, P, Q] — the
/// window arithmetic of a convolution with one R×S filter per channel (K = C).
extension ConvGeometry {
    init(pooling input: Shape, kernel: (r: Int, s: Int), window: Window, op: String) throws {
        guard input.count == 4, kernel.r >= 1, kernel.s >= 1 else {
            throw EngineError.shapeMismatch(
                op: op, expected: "input [N, C, H, W] and a kernel of at least 1×1",
                got: "input \(input.shapeText), kernel \(kernel.r)×\(kernel.s)")
        }
        try self.init(input: input, weight: [input[1], input[1], kernel.r, kernel.s], window: window, op: op)
    }

    /// Calls `body` with ih·W + iw for every tap of window (p, q) inside the image, row-major
    /// (the order pool2d.cl visits them too). Padding taps are skipped: they never win a max
    /// and never count in an average.
    @inline(__always)
    func forEachTap(_ p: Int, _ q: Int, _ body: (Int) -> Void) {
        let taps = insideTaps(p, q)
        for kr in taps.rows {
            let row = taps.origin + kr * window.dilationH * w
            for ks in taps.columns { body(row + ks * window.dilationW) }
        }
    }

    /// Window (p, q)'s kernel rows and columns inside the image and the index of its tap (0, 0),
    /// inside or not. Bounds computed once per window keep the per-tap loops free of branches.
    @inline(__always)
    func insideTaps(_ p: Int, _ q: Int) -> (rows: Range<Int>, columns: Range<Int>, origin: Int) {
        let (top, left) = (p * window.strideH - window.padTop, q * window.strideW - window.padLeft)
        return (Self.inside(top, step: window.dilationH, count: r, size: h),
                Self.inside(left, step: window.dilationW, count: s, size: w), top * w + left)
    }

    /// The k of 0..<count with start + k·step in 0..<size: a range, since positions grow with k.
    @inline(__always)
    static func inside(_ start: Int, step: Int, count: Int, size: Int) -> Range<Int> {
        let first = start >= 0 ? 0 : (step - 1 - start) / step
        let end = start >= size ? 0 : Swift.min(count, (size - 1 - start) / step + 1)
        return first..<Swift.max(first, end)
    }

    /// Output row p of one plane: each window's maximum or mean over its taps inside the image (0
    /// for a window with none); for the maximum, with `argmax`, also where it is (ih·W + iw of the
    /// first maximum in row-major tap order; -1 for none). Every output takes its taps in the order
    /// `forEachTap` gives them, but the loop over the row's outputs is the inner one: their chains
    /// of comparisons or sums are independent, so they overlap instead of each waiting on its
    /// previous tap.
    @inline(__always)
    func poolRow<T: RefScalar>(_ kind: Pool2d.Kind, _ x: UnsafePointer<T>, _ p: Int, _ y: UnsafeMutablePointer<T>,
                               argmax: UnsafeMutablePointer<Int>? = nil) {
        let top = p * window.strideH - window.padTop
        let rows = Self.inside(top, step: window.dilationH, count: r, size: h)
        for q in 0..<self.q {
            let taps = insideTaps(p, q)
            var first = -1
            if kind == .max, let kr = taps.rows.first, let ks = taps.columns.first {
                first = taps.origin + kr * window.dilationH * w + ks * window.dilationW
            }
            y[q] = first >= 0 ? x[first] : 0
            argmax?[q] = first
        }
        for kr in rows {
            for ks in 0..<s {
                let offset = ks * window.dilationW - window.padLeft
                let start = (top + kr * window.dilationH) * w + offset, step = window.strideW
                let outputs = Self.inside(offset, step: step, count: self.q, size: w)
                switch (kind, argmax) {
                case (.max, nil):
                    for q in outputs { let v = x[start + q * step]; y[q] = v > y[q] ? v : y[q] }
                case (.max, let argmax?):  // selects, not branches: which tap wins is unpredictable
                    for q in outputs {
                        let (v, at) = (x[start + q * step], start + q * step)
                        let wins = v > y[q]
                        (y[q], argmax[q]) = (wins ? v : y[q], wins ? at : argmax[q])
                    }
                case (.average, _):
                    for q in outputs { y[q] += x[start + q * step] }
                }
            }
        }
        if kind == .average {
            for q in 0..<self.q {
                let count = tapCount(p, q)
                y[q] = count > 0 ? y[q] / T(count) : 0
            }
        }
    }

    /// The number of taps of window (p, q) inside the image.
    func tapCount(_ p: Int, _ q: Int) -> Int {
        let taps = insideTaps(p, q)
        return taps.rows.count * taps.columns.count
    }
}

/// Max or average pooling of x [N, C, H, W] to [N, C, P, Q]. The average divides by the taps
/// inside the image only: TensorFlow's `avg_pool` semantics, where SAME padding does not count
/// in the divisor (PyTorch's `count_include_pad=False`).
public struct Pool2d: Op, OpenCLOp {
    public enum Kind: Int32, Sendable {
        case max = 0
        case average = 1
    }

    public let kind: Kind
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let window: Window

    public init(_ kind: Kind, kernel: (Int, Int), _ window: Window = Window()) {
        self.kind = kind
        (kernelHeight, kernelWidth) = kernel
        self.window = window
    }

    public var name: String { "pool2d(\(kind),\(kernelHeight)×\(kernelWidth),\(window))" }

    func geometry(_ input: Shape) throws -> ConvGeometry {
        try ConvGeometry(pooling: input, kernel: (kernelHeight, kernelWidth), window: window, op: name)
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "input")
        return [TensorType(try geometry(inputs[0].shape).outputShape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let g = try geometry(inputs[0].shape)
        var y = [T](repeating: 0, count: g.outputShape.elementCount)
        CPUParallel.forEachPlane(
            g.n * g.c, inputs[0].values, sourcePlane: g.h * g.w, &y, resultPlane: g.p * g.q
        ) { _, x, y in
            for p in 0..<g.p { g.poolRow(kind, x, p, y + p * g.q) }
        }
        return [RefTensor(g.outputShape, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        [try g.apply(Pool2dGrad(pool: self, inputShape: x[0].shape), kind == .max ? [dy, x[0]] : [dy])]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(
            flops: Double(outputs[0].count * kernelHeight * kernelWidth),
            bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.pool(
            "pool2d_forward", geometry: try geometry(inputs[0].shape), kind: kind,
            count: outputs[0].type.count, [outputs[0], inputs[0]])
    }
}

/// dX [N, C, H, W] from dY [N, C, P, Q] (and, for max pooling, X, whose first maximum of
/// each window receives that window's gradient). Average pooling spreads dY / taps-inside.
public struct Pool2dGrad: Op, OpenCLOp {
    public let pool: Pool2d
    public let inputShape: Shape

    public var name: String {
        "pool2d_grad(\(pool.kind),\(pool.kernelHeight)×\(pool.kernelWidth),\(pool.window),\(inputShape.shapeText))"
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, pool.kind == .max ? 2 : 1)
        let g = try pool.geometry(inputShape)
        guard inputs[0].shape == g.outputShape else {
            throw EngineError.shapeMismatch(
                op: name, expected: "dy \(g.outputShape.shapeText)", got: inputs[0].description)
        }
        if pool.kind == .max && inputs[1].shape != inputShape {
            throw EngineError.shapeMismatch(
                op: name, expected: "x \(inputShape.shapeText)", got: inputs[1].description)
        }
        return [TensorType(inputShape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let g = try pool.geometry(inputShape)
        var dx = [T](repeating: 0, count: inputShape.elementCount)
        // Max pooling routes each window's gradient to its first maximum in x (planes as dx's);
        // average pooling never reads x, and dy stands in for it.
        (pool.kind == .max ? inputs[1].values : inputs[0].values).withUnsafeBufferPointer { xBuffer in
            guard let xBase = xBuffer.baseAddress else { return }
            let x = UnsafeSendable(xBase)
            CPUParallel.forEachPlane(
                g.n * g.c, inputs[0].values, sourcePlane: g.p * g.q, &dx,
                resultPlane: g.h * g.w
            ) { plane, dy, dx in
                // Max pooling: each row's maxima and where they are, then each window's gradient
                // to its maximum, windows in row-major order.
                var (maxima, at) = ([T](repeating: 0, count: g.q), [Int](repeating: -1, count: g.q))
                for p in 0..<g.p {
                    switch pool.kind {
                    case .max:
                        g.poolRow(.max, UnsafePointer(x.pointer + plane * g.h * g.w), p, &maxima, argmax: &at)
                        for q in 0..<g.q where at[q] >= 0 { dx[at[q]] += dy[p * g.q + q] }
                    case .average:
                        for q in 0..<g.q {
                            let share = dy[p * g.q + q] / T(g.tapCount(p, q))
                            g.forEachTap(p, q) { dx[$0] += share }
                        }
                    }
                }
            }
        }
        return [RefTensor(inputShape, dx)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        pool.cost([outputs[0]], [inputs[0]])
    }

    /// Average pooling has no x operand: dy stands in for it (the kernel reads x for max only).
    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.pool(
            "pool2d_backward", geometry: try pool.geometry(inputShape), kind: pool.kind,
            count: outputs[0].type.count, [outputs[0], inputs[0], inputs.last!])
    }
}

extension OpenCLBackend {
    /// Enqueues a pool2d.cl kernel over `count` work-items: its buffers, then the geometry and kind.
    func pool(_ name: String, geometry: ConvGeometry, kind: Pool2d.Kind, count: Int, _ buffers: [Tensor])
        throws
    {
        let k = try runtime.kernel(name, files: ["conv2d.cl", "pool2d.cl"])
        try runtime.launch(
            k, global: [count],
            buffers.map { .buffer(Self.buffer($0)) } + [
                .words(geometry.packed), .int(kind.rawValue),
            ])
    }
}

// MARK: - Graph builders

extension Graph {
    /// Max pooling of x [N, C, H, W] with an R×S kernel; `Window.same(…)` gives TensorFlow's SAME.
    public func maxPool2d(_ x: Value, kernel: (Int, Int), _ window: Window = Window()) throws -> Value {
        try apply(Pool2d(.max, kernel: kernel, window), x)
    }

    /// Average pooling of x [N, C, H, W]; padding is excluded from each window's divisor.
    public func avgPool2d(_ x: Value, kernel: (Int, Int), _ window: Window = Window()) throws -> Value {
        try apply(Pool2d(.average, kernel: kernel, window), x)
    }

    /// Global average pooling: x [N, C, H, W] → [N, C, 1, 1], the mean of each plane.
    public func globalAvgPool2d(_ x: Value) throws -> Value {
        guard x.shape.count == 4 else {
            throw EngineError.shapeMismatch(
                op: "global_avg_pool2d", expected: "x [N, C, H, W]", got: x.type.description)
        }
        return try mean(x, axes: [2, 3], keepDims: true)
    }
}
