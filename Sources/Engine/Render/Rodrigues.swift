// Axis-angle to rotation matrix (Rodrigues' formula) and its exact gradient, CPU and OpenCL.

/// R [3, 3] (row-major, p_camera = R·p) from an axis-angle vector r [3] (axis r/|r|, angle |r|
/// in radians): R = cos θ·I + A·[r]× + B·r·rᵀ with θ = |r|, A = sin θ/θ, B = (1 − cos θ)/θ².
/// Near θ = 0 the coefficients come from their Taylor series, so r = 0 is smooth (R = I).
public struct Rodrigues: Op, OpenCLOp {
    public init() {}

    public var name: String { "rodrigues" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "axis-angle")
        guard inputs[0].shape == [3] else {
            throw EngineError.shapeMismatch(op: name, expected: "axis-angle [3]", got: inputs[0].description)
        }
        return [TensorType([3, 3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let r = inputs[0].values
        let k = RodriguesCoefficients(r)
        var rot = [T](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 { rot[3 * i + j] = k.b * r[i] * r[j] + (i == j ? k.cosine : 0) }
        }
        rot[1] -= k.a * r[2]; rot[2] += k.a * r[1]
        rot[3] += k.a * r[2]; rot[5] -= k.a * r[0]
        rot[6] -= k.a * r[1]; rot[7] += k.a * r[0]
        return [RefTensor([3, 3], rot)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(RodriguesGrad(), x[0], dy)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost { OpCost(flops: 40, bytes: 48) }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.runtime.launch(try device.kernel("rodrigues_fwd", file: "camera.cl"), global: [1], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
        ])
    }
}

/// dr [3] from r [3] and dR [3, 3]: with G = dR, a = (G₂₁ − G₁₂, G₀₂ − G₂₀, G₁₀ − G₀₁),
/// dr = (C·(r·a) + D·(rᵀGr − θ²·tr G) − 2B·tr G)·r + A·a + B·(G + Gᵀ)·r,
/// where C = A′(θ)/θ and D = B′(θ)/θ.
public struct RodriguesGrad: Op, OpenCLOp {
    public var name: String { "rodrigues_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        guard inputs[0].shape == [3], inputs[1].shape == [3, 3] else {
            throw EngineError.shapeMismatch(op: name, expected: "r [3] and dR [3, 3]",
                                            got: "\(inputs[0]) and \(inputs[1])")
        }
        return [TensorType([3])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let r = inputs[0].values, gm = inputs[1].values
        let k = RodriguesCoefficients(r)
        let a = [gm[7] - gm[5], gm[2] - gm[6], gm[3] - gm[1]]
        let trace = gm[0] + gm[4] + gm[8]
        var rGr: T = 0
        var sym = [T](repeating: 0, count: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                rGr += r[i] * gm[3 * i + j] * r[j]
                sym[i] += (gm[3 * i + j] + gm[3 * j + i]) * r[j]
            }
        }
        let ra = r[0] * a[0] + r[1] * a[1] + r[2] * a[2]
        let along = k.c * ra + k.d * (rGr - k.theta2 * trace) - 2 * k.b * trace
        return [RefTensor([3], (0..<3).map { along * r[$0] + k.a * a[$0] + k.b * sym[$0] })]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost { OpCost(flops: 80, bytes: 60) }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.runtime.launch(try device.kernel("rodrigues_grad", file: "camera.cl"), global: [1], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])),
        ])
    }
}

/// θ² = |r|², cos θ, A = sin θ/θ, B = (1 − cos θ)/θ², C = A′/θ, D = B′/θ; Taylor series
/// below θ² = 0.01 (truncation error under 1e-10 there, where the closed forms cancel).
struct RodriguesCoefficients<T: RefScalar> {
    let theta2, cosine, a, b, c, d: T

    init(_ r: [T]) {
        let t2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2]
        theta2 = t2
        if t2 < T(0.01) {
            a = 1 - t2 / 6 + t2 * t2 / 120
            b = T(0.5) - t2 / 24 + t2 * t2 / 720
            c = -1 / T(3) + t2 / 30 - t2 * t2 / 840
            d = -1 / T(12) + t2 / 180 - t2 * t2 / 6720
            cosine = 1 - b * t2
        } else {
            let theta = t2.squareRoot(), s = T.sin(theta), co = T.cos(theta)
            cosine = co
            a = s / theta
            b = (1 - co) / t2
            c = (theta * co - s) / (t2 * theta)
            d = (theta * s - 2 * (1 - co)) / (t2 * t2)
        }
    }
}

public extension Graph {
    /// The rotation matrix [3, 3] of an axis-angle vector [3] (see `Rodrigues`).
    func rotationMatrix(axisAngle r: Value) throws -> Value { try apply(Rodrigues(), r) }
}
