// Elementwise map with NumPy broadcasting: unary, binary and ternary functions (MapFunction),
// forward and backward. Also the engine's strided copy (broadcast, permute, slice, concat).

public struct Map: Op, OpenCLOp {
    public let function: MapFunction
    public let p0: Float
    public let p1: Float
    /// When set, the operands broadcast to this shape (broadcastTo); else to their joint shape.
    public let shape: Shape?

    public init(_ function: MapFunction, _ p0: Float = 0, _ p1: Float = 0, shape: Shape? = nil) {
        self.function = function
        self.p0 = p0
        self.p1 = p1
        self.shape = shape
    }

    public var name: String {
        var text = "map(\(function)"
        if [.pow, .clamp, .leakyRelu, .scale, .powGrad, .clampGrad, .leakyGrad].contains(function) {
            text += ",\(p0)"
            if [.clamp, .scale, .clampGrad].contains(function) { text += ",\(p1)" }
        }
        if let shape { text += ",to:\(shape.shapeText)" }
        return text + ")"
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, function.arity)
        return [TensorType(try elementwiseShape(name, inputs, to: shape))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes(inputs.map(\.type))[0].shape
        let p0 = T(Double(self.p0))
        let p1 = T(Double(self.p1))
        let strides = inputs.map { $0.shape.broadcastStrides(to: out) }
        let sb = strides.count > 1 ? strides[1] : strides[0]
        let sc = strides.count > 2 ? strides[2] : strides[0]
        let function = self.function
        let y = elementwiseOutput(inputs, count: out.elementCount) { a, b, c, y in
            forEachRun(of: out, strides: [strides[0], sb, sc]) { run in
                let (da, db, dc) = (run.steps[0], run.steps[1], run.steps[2])
                for row in 0..<run.rows {
                    function.apply(
                        count: run.length, a.pointer + run.offset(0, row: row), da,
                        b.pointer + run.offset(1, row: row), db, c.pointer + run.offset(2, row: row), dc,
                        p0, p1, into: y.pointer + run.first(row: row))
                }
            }
        }
        return [RefTensor(out, y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        func local(_ fn: MapFunction) throws -> [Value?] { [try g.apply(Map(fn, p0, p1), x[0], y, dy)] }
        switch function {
        case .copy: return [try g.sumTo(dy, x[0].shape)]
        case .neg: return [try g.neg(dy)]
        case .exp: return [try g.mul(dy, y)]
        case .log: return [try g.div(dy, x[0])]
        case .square: return [try g.scale(try g.mul(dy, x[0]), 2)]
        case .scale: return [try g.scale(dy, p0)]
        case .abs: return try local(.absGrad)
        case .sqrt: return try local(.sqrtGrad)
        case .rsqrt: return try local(.rsqrtGrad)
        case .pow: return try local(.powGrad)
        case .clamp: return try local(.clampGrad)
        case .relu: return try local(.reluGrad)
        case .leakyRelu: return try local(.leakyGrad)
        case .tanh: return try local(.tanhGrad)
        case .sigmoid: return try local(.sigmoidGrad)
        case .add:
            return [try g.sumTo(dy, x[0].shape), try g.sumTo(dy, x[1].shape)]
        case .sub:
            return [try g.sumTo(dy, x[0].shape), try g.sumTo(try g.neg(dy), x[1].shape)]
        case .mul:
            return [
                try g.sumTo(try g.mul(dy, x[1]), x[0].shape), try g.sumTo(try g.mul(dy, x[0]), x[1].shape),
            ]
        case .div:
            let da = try g.div(dy, x[1])
            return [try g.sumTo(da, x[0].shape), try g.sumTo(try g.neg(try g.mul(da, y)), x[1].shape)]
        case .prelu:
            return [
                try g.sumTo(try g.apply(Map(.preluGradX), x[0], x[1], dy), x[0].shape),
                try g.sumTo(try g.apply(Map(.preluGradA), x[0], x[1], dy), x[1].shape),
            ]
        case .equal, .greater:
            return [nil, nil]
        case .select:
            let zero = g.scalar(0)
            return [
                nil, try g.sumTo(try g.select(x[0], dy, zero), x[1].shape),
                try g.sumTo(try g.select(x[0], zero, dy), x[2].shape),
            ]
        default:
            throw EngineError.unsupportedOp(op: name + " (second-order gradient)", backend: "autodiff")
        }
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(
            flops: Double(outputs[0].count) * function.flopsPerElement,
            bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.mapStrided(
            function, layout: .broadcasting(inputs, to: outputs[0]), output: outputs[0], inputs: inputs, p0: p0,
            p1: p1)
    }
}

extension StridedLayout {
    /// Throws a shape mismatch naming `op` unless the layout fits elementwise.cl's kernels.
    func checkFitsKernel(op: String) throws {
        guard fitsKernel else {
            throw EngineError.shapeMismatch(
                op: op, expected: "at most \(Self.maxRank) non-contiguous dimensions", got: "\(dims.count)")
        }
    }

    /// The output's elements in order, each operand broadcast to it.
    static func broadcasting(_ inputs: [Tensor], to output: Tensor) -> StridedLayout {
        let out = output.shape
        return StridedLayout(
            dims: out, strides: [out.contiguousStrides] + inputs.map { $0.shape.broadcastStrides(to: out) })
    }
}

/// The shape Float32 operands `inputs` broadcast to (checked to be `shape` when given), or a shape
/// mismatch naming `op`.
func elementwiseShape(_ op: String, _ inputs: [TensorType], to shape: Shape?) throws -> Shape {
    for (k, t) in inputs.enumerated() { try expectType(op, t, operand: "operand \(k)") }
    let joint = try broadcastShape(inputs.map(\.shape) + (shape.map { [$0] } ?? []), op: op)
    if let shape, joint != shape {
        throw EngineError.shapeMismatch(
            op: op, expected: "operands that broadcast to \(shape.shapeText)",
            got: inputs.map(\.description).joined(separator: ", "))
    }
    return joint
}

/// An output of `count` elements that `write` fills, given pointers (shareable with the CPU workers)
/// to the first three operands' values (operand 0's in place of missing ones) and to the output.
func elementwiseOutput<T>(
    _ inputs: [RefTensor<T>], count: Int,
    _ write: (UnsafeSendable<T>, UnsafeSendable<T>, UnsafeSendable<T>, UnsafeSendable<T>) -> Void
) -> [T] {
    let a = inputs[0].values
    let b = inputs.count > 1 ? inputs[1].values : a
    let c = inputs.count > 2 ? inputs[2].values : a
    var y = [T](unwrittenCount: count)  // `write` writes every element
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeBufferPointer { c in
                y.withUnsafeMutableBufferPointer { y in
                    write(
                        UnsafeSendable(a.baseAddress!), UnsafeSendable(b.baseAddress!),
                        UnsafeSendable(c.baseAddress!), UnsafeSendable(y.baseAddress!))
                }
            }
        }
    }
    return y
}

extension OpenCLBackend {
    /// Enqueues map_strided: output[off0] = fn(inputs[off1], …) over `layout`.
    func mapStrided(
        _ fn: MapFunction, layout: StridedLayout, output: Tensor, inputs: [Tensor],
        p0: Float = 0, p1: Float = 0
    ) throws {
        try layout.checkFitsKernel(op: "map(\(fn))")
        let k = try kernel("map_strided", file: "elementwise.cl", prelude: MapFunction.kernelDefines)
        let a = Self.buffer(inputs[0])
        let b = inputs.count > 1 ? Self.buffer(inputs[1]) : a
        let c = inputs.count > 2 ? Self.buffer(inputs[2]) : a
        try runtime.launch(
            k, global: [layout.count], local: nil,
            [
                .buffer(Self.buffer(output)), .buffer(a), .buffer(b), .buffer(c), .strided(layout),
                .int(fn.rawValue), .int(Int32(inputs.count)), .float(p0), .float(p1),
            ])
    }

    /// Enqueues fill: the first `count` elements of `output` = value.
    func fill(_ output: Tensor, value: Float) throws {
        let k = try kernel("fill", file: "elementwise.cl", prelude: MapFunction.kernelDefines)
        try runtime.launch(
            k, global: [output.type.count], local: nil,
            [.buffer(Self.buffer(output)), .int(Int32(output.type.count)), .float(value)])
    }
}

// MARK: - Graph builders

extension Graph {
    public func map(_ fn: MapFunction, _ operands: Value..., p0: Float = 0, p1: Float = 0) throws -> Value {
        try apply(Map(fn, p0, p1), operands)
    }

    public func add(_ a: Value, _ b: Value) throws -> Value { try map(.add, a, b) }
    /// The sum of `values` (one or more), added left to right.
    public func add(_ values: [Value]) throws -> Value {
        guard let first = values.first else { throw EngineError.invalidValue("add: no values to sum") }
        return try values.dropFirst().reduce(first) { try add($0, $1) }
    }
    /// The mean of `values` (one or more).
    public func mean(_ values: [Value]) throws -> Value { try scale(add(values), 1 / Float(values.count)) }
    public func sub(_ a: Value, _ b: Value) throws -> Value { try map(.sub, a, b) }
    public func mul(_ a: Value, _ b: Value) throws -> Value { try map(.mul, a, b) }
    public func div(_ a: Value, _ b: Value) throws -> Value { try map(.div, a, b) }
    public func neg(_ a: Value) throws -> Value { try map(.neg, a) }
    public func abs(_ a: Value) throws -> Value { try map(.abs, a) }
    public func exp(_ a: Value) throws -> Value { try map(.exp, a) }
    public func log(_ a: Value) throws -> Value { try map(.log, a) }
    public func sqrt(_ a: Value) throws -> Value { try map(.sqrt, a) }
    public func rsqrt(_ a: Value) throws -> Value { try map(.rsqrt, a) }
    public func square(_ a: Value) throws -> Value { try map(.square, a) }
    public func pow(_ a: Value, _ exponent: Float) throws -> Value { try map(.pow, a, p0: exponent) }
    public func clamp(_ a: Value, _ low: Float, _ high: Float) throws -> Value {
        try map(.clamp, a, p0: low, p1: high)
    }
    public func relu(_ a: Value) throws -> Value { try map(.relu, a) }
    public func leakyRelu(_ a: Value, slope: Float) throws -> Value { try map(.leakyRelu, a, p0: slope) }
    /// x > 0 ? x : alpha·x, alpha broadcast (per channel: shape [C, 1, 1] against [N, C, H, W]).
    public func prelu(_ x: Value, _ alpha: Value) throws -> Value { try map(.prelu, x, alpha) }
    public func tanh(_ a: Value) throws -> Value { try map(.tanh, a) }
    public func sigmoid(_ a: Value) throws -> Value { try map(.sigmoid, a) }
    /// a·factor + offset.
    public func scale(_ a: Value, _ factor: Float, plus offset: Float = 0) throws -> Value {
        try map(.scale, a, p0: factor, p1: offset)
    }
    /// condition > 0 ? a : b, broadcasting all three.
    public func select(_ condition: Value, _ a: Value, _ b: Value) throws -> Value {
        try map(.select, condition, a, b)
    }
    public func equal(_ a: Value, _ b: Value) throws -> Value { try map(.equal, a, b) }
    public func greater(_ a: Value, _ b: Value) throws -> Value { try map(.greater, a, b) }

    /// `a` repeated along broadcast dimensions to `shape`.
    public func broadcast(_ a: Value, to shape: Shape) throws -> Value {
        a.shape == shape ? a : try apply(Map(.copy, shape: shape), a)
    }
}
