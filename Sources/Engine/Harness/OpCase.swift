// One op case of the parity harness (ggml's test-backend-ops is the model): a reproducible
// name, its inputs, and the small graph it builds. The same cases serve the three modes:
// test (OpenCL vs CPU reference), grad (analytic vs finite differences, in Double) and perf.

public struct InputSpec {
    public enum Values {
        /// Uniform in the range; values within `gap` of a listed kink are pushed away from it.
        case uniform(ClosedRange<Float>, avoiding: [Float] = [], gap: Float = 0.05)
        /// Int32 indices uniform in 0..<upperBound.
        case indices(Int)
        /// Exactly these values.
        case fixed([Float])
    }

    public let type: TensorType
    public let values: Values
    /// Whether gradients are checked with respect to this input.
    public let differentiable: Bool

    public static func float(_ shape: Shape, _ range: ClosedRange<Float> = -1...1, avoiding: [Float] = [],
                             differentiable: Bool = true) -> InputSpec {
        InputSpec(type: TensorType(shape), values: .uniform(range, avoiding: avoiding), differentiable: differentiable)
    }

    public static func indices(_ count: Int, below upperBound: Int) -> InputSpec {
        InputSpec(type: TensorType([count], .int32), values: .indices(upperBound), differentiable: false)
    }

    public static func fixed(_ shape: Shape, _ values: [Float], differentiable: Bool = false) -> InputSpec {
        InputSpec(type: TensorType(shape), values: .fixed(values), differentiable: differentiable)
    }
}

public struct Tolerance: Sendable {
    /// |a − b| ≤ absolute + relative·|ref| elementwise.
    public var absolute: Double
    public var relative: Double
    /// Σ(a − b)² / Σ ref² bound.
    public var normalizedMSE: Double

    /// Float32, strict math (STYLE.md): 1e-5 + 1e-4·|ref|, NMSE 1e-7.
    public static let standard = Tolerance(absolute: 1e-5, relative: 1e-4, normalizedMSE: 1e-7)
}

public struct OpCase {
    /// Op family (for filtering: `selftest --filter matmul`).
    public let family: String
    /// Reproducible name: family, shapes and parameters; also seeds the inputs.
    public let name: String
    public let inputs: [InputSpec]
    /// Builds the case's output from the input values.
    public let build: (Graph, [Value]) throws -> Value
    /// OpenCL vs CPU tolerance; loosened only with a reason at the case.
    public var tolerance: Tolerance = .standard
    /// Whether `grad` mode applies (false for ops with no gradient, such as comparisons).
    public var checksGradient = true

    public init(_ family: String, _ name: String, _ inputs: [InputSpec], tolerance: Tolerance = .standard,
                checksGradient: Bool = true, build: @escaping (Graph, [Value]) throws -> Value) {
        self.family = family
        self.name = family + " " + name
        self.inputs = inputs
        self.tolerance = tolerance
        self.checksGradient = checksGradient
        self.build = build
    }

    /// The case's graph: inputs x0, x1, … then the output, a seed `dy` for the output and the
    /// gradients of Σ dy·output with respect to the differentiable inputs.
    func makeGraph(withGradients: Bool) throws -> (graph: Graph, output: Value, grads: [Value]) {
        let g = Graph()
        let values = inputs.enumerated().map { k, spec in g.input("x\(k)", spec.type.shape, spec.type.dtype) }
        let output = try build(g, values)
        guard withGradients else { return (g, output, []) }
        let seed = g.input("dy", output.shape)
        let wrt = zip(inputs, values).filter { $0.0.differentiable }.map(\.1)
        let grads = try g.gradients(of: [(output, seed)], wrt: wrt)
        return (g, output, grads)
    }

    /// The case's forward as a program on `device` with its seeded inputs set.
    func forwardProgram(on device: any Backend) throws -> Program {
        let built = try makeGraph(withGradients: false)
        let program = try Program(graph: built.graph, outputs: [built.output], device: device)
        for (name, value) in feeds(outputShape: nil) { try program.set(name, value) }
        return program
    }

    /// The seeded inputs (and a seed for dy of `outputShape`), by input name.
    func feeds(outputShape: Shape?) -> [String: HostTensor] {
        var rng = SplitMix64(seed: name)
        var feeds: [String: HostTensor] = [:]
        for (k, spec) in inputs.enumerated() {
            feeds["x\(k)"] = spec.generate(&rng)
        }
        if let outputShape {
            feeds["dy"] = InputSpec.float(outputShape).generate(&rng)
        }
        return feeds
    }
}

extension InputSpec {
    func generate(_ rng: inout SplitMix64) -> HostTensor {
        let n = type.count
        switch values {
        case let .uniform(range, kinks, gap):
            let values = (0..<n).map { _ -> Float in
                var v = range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnit()
                for kink in kinks where Swift.abs(v - kink) < gap { v = v < kink ? kink - gap : kink + gap }
                return v
            }
            return HostTensor(type.shape, values)
        case let .indices(upperBound):
            return HostTensor(type.shape, indices: (0..<n).map { _ in Int32(rng.next() % UInt64(Swift.max(1, upperBound))) })
        case let .fixed(values):
            return HostTensor(type.shape, values)
        }
    }
}

/// A small, seedable generator (SplitMix64), so every case's inputs are the same on every machine.
struct SplitMix64 {
    private var state: UInt64

    init(seed text: String) {
        state = text.utf8.reduce(0x9E37_79B9_7F4A_7C15) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    init(state: UInt64) { self.state = state }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
