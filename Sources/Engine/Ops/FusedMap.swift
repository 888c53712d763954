// Elementwise maps fused into one pass over memory (MapFusion.swift builds them when a program is
// compiled): a short list of MapFunction steps over at most three leaf operands, broadcast NumPy-style
// to the output; each step reads leaves or earlier steps, the last one is the output. Every step
// rounds to the working precision as the separate maps did, so the CPU reference gives their values
// bit for bit. OpenCL: elementwise.cl's map_fused runs the same steps.

public struct FusedMap: Op, OpenCLOp {
    /// One step: `function` of the slots `operands` (slot k < maxLeaves: leaf k; slot maxLeaves + j:
    /// step j's value), with its parameters.
    public struct Step: Hashable, Sendable {
        public let function: MapFunction
        public let p0, p1: Float
        public let operands: [Int]

        public init(_ function: MapFunction, _ p0: Float = 0, _ p1: Float = 0, operands: [Int]) {
            self.function = function
            self.p0 = p0
            self.p1 = p1
            self.operands = operands
        }

        /// Three slots, the unused ones repeating the first (read, never used).
        var threeSlots: [Int] { (0..<3).map { operands[$0 < operands.count ? $0 : 0] } }
    }

    /// The most leaves (elementwise.cl's strided layout has three operands besides the output) and
    /// steps (its step table's size).
    public static let maxLeaves = 3
    public static let maxSteps = 8

    public let steps: [Step]
    public let shape: Shape
    /// Elements the CPU reference runs each step over at a time.
    static let block = 256

    public init(steps: [Step], shape: Shape) {
        self.steps = steps
        self.shape = shape
    }

    /// "fused(sub 0 1; square 3; …)": each step's function, parameters where it has them, and slots.
    public var name: String {
        "fused(" + steps.map { step in
            let map = Map(step.function, step.p0, step.p1).name.dropFirst(4).dropLast()  // map(…)
            return ([String(map)] + step.operands.map(String.init)).joined(separator: " ")
        }.joined(separator: "; ") + ")"
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard (1...Self.maxLeaves).contains(inputs.count), (1...Self.maxSteps).contains(steps.count) else {
            throw EngineError.shapeMismatch(
                op: name, expected: "1 to \(Self.maxLeaves) operands and 1 to \(Self.maxSteps) steps",
                got: "\(inputs.count) operands, \(steps.count) steps")
        }
        for (k, step) in steps.enumerated() {
            let valid = step.operands.count == step.function.arity
                && step.operands.allSatisfy { $0 < inputs.count || ($0 >= Self.maxLeaves && $0 < Self.maxLeaves + k) }
            guard valid else {
                throw EngineError.shapeMismatch(
                    op: name, expected: "step \(k) reading \(step.function.arity) leaves or earlier steps",
                    got: "slots \(step.operands)")
            }
        }
        return [TensorType(try elementwiseShape(name, inputs, to: shape))]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes(inputs.map(\.type))[0].shape
        let leaves = Self.maxLeaves
        let strides = (0..<leaves).map { inputs[$0 < inputs.count ? $0 : 0].shape.broadcastStrides(to: out) }
        let functions = steps.map(\.function)
        let parameters = steps.flatMap { [T(Double($0.p0)), T(Double($0.p1))] }
        let slots = steps.flatMap(\.threeSlots)
        let last = leaves + steps.count - 1
        let y = elementwiseOutput(inputs, count: out.elementCount) { a, b, c, y in
            forEachRun(of: out, strides: strides) { run in
                // A run's elements are consecutive in the output: block by block, each leaf gathered
                // (across rows, however short), then each step over the block.
                let (block, total) = (Self.block, run.rows * run.length)
                withUnsafeTemporaryAllocation(of: T.self, capacity: (last + 1) * block) { values in
                    let values = values.baseAddress!
                    let leafPointers = [a.pointer, b.pointer, c.pointer]
                    for start in stride(from: 0, to: total, by: block) {
                        let n = Swift.min(block, total - start)
                        var filled = 0
                        while filled < n {
                            let (row, column) = (start + filled).quotientAndRemainder(dividingBy: run.length)
                            let count = Swift.min(run.length - column, n - filled)
                            for l in inputs.indices {
                                let step = run.steps[l]
                                let from = leafPointers[l] + run.offset(l, row: row) + column * step
                                let to = values + l * block + filled
                                for j in 0..<count { to[j] = from[j * step] }
                            }
                            filled += count
                        }
                        for k in functions.indices {
                            let (u, v, w) = (
                                values + slots[3 * k] * block, values + slots[3 * k + 1] * block,
                                values + slots[3 * k + 2] * block
                            )
                            let to = k == functions.count - 1
                                ? y.pointer + run.first(row: 0) + start : values + (leaves + k) * block
                            let (function, p0, p1) = (functions[k], parameters[2 * k], parameters[2 * k + 1])
                            function.apply(count: n, u, 1, v, 1, w, 1, p0, p1, into: to)
                        }
                    }
                }
            }
        }
        return [RefTensor(out, y)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        let flops = steps.map(\.function.flopsPerElement).reduce(0, +)
        return OpCost(
            flops: Double(outputs[0].count) * flops, bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    /// elementwise.cl's FusedSteps: the step count, then per step its function code, its three slots
    /// (unused ones repeat the first), p0 and p1 (as bit patterns), each table `maxSteps` long.
    var packedSteps: [Int32] {
        func table<V>(_ value: (Step) -> V, _ unused: V) -> [V] {
            steps.map(value) + [V](repeating: unused, count: Self.maxSteps - steps.count)
        }
        let slots = table({ $0.threeSlots.map(Int32.init) }, [0, 0, 0])
        return [Int32(steps.count)] + table({ $0.function.rawValue }, 0) + slots.flatMap { $0 }
            + table({ Int32(bitPattern: $0.p0.bitPattern) }, 0) + table({ Int32(bitPattern: $0.p1.bitPattern) }, 0)
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let layout = StridedLayout.broadcasting(inputs, to: outputs[0])
        try layout.checkFitsKernel(op: name)
        let k = try device.kernel("map_fused", file: "elementwise.cl", prelude: MapFunction.kernelDefines)
        let buffers = (0..<Self.maxLeaves).map { OpenCLBackend.buffer(inputs[$0 < inputs.count ? $0 : 0]) }
        try device.runtime.launch(
            k, global: [layout.count], local: nil,
            [.buffer(OpenCLBackend.buffer(outputs[0]))] + buffers.map { .buffer($0) }
                + [.strided(layout), .words(packedSteps)])
    }
}
