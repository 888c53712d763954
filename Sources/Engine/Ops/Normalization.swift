// Normalisations of NCHW activations, built from elementwise and reduction ops (so they run
// and differentiate wherever those do): pixel norm (progressive GAN), batch norm in inference
// form and its folding into a preceding conv, equalised-learning-rate weight scaling.

public enum Normalization {
    /// Equalised learning rate (progressive GAN): the constant gain / sqrt(fan_in) a stored
    /// weight [K, …] is multiplied by at every use; fan_in is the product of all axes but the
    /// first (C·R·S for a conv weight [K, C, R, S], the input features of a linear weight).
    public static func equalizedScale(weightShape: Shape, gain: Float = Float(2).squareRoot()) -> Float {
        gain / Float(weightShape.dropFirst().reduce(1, *)).squareRoot()
    }
}

/// Batch norm statistics and affine parameters, per channel [C], in inference form:
/// y = gamma·(x − mean)/sqrt(variance + epsilon) + beta = scale·x + shift.
public struct BatchNormParameters: Sendable {
    public let gamma, beta, mean, variance: [Float]
    public let epsilon: Float

    public init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float) throws {
        guard [beta.count, mean.count, variance.count].allSatisfy({ $0 == gamma.count }) else {
            throw EngineError.shapeMismatch(op: "batch_norm", expected: "gamma, beta, mean and variance of one length C",
                                            got: "lengths " + [gamma, beta, mean, variance].map { "\($0.count)" }.joined(separator: ", "))
        }
        (self.gamma, self.beta, self.mean, self.variance, self.epsilon) = (gamma, beta, mean, variance, epsilon)
    }

    /// scale = gamma / sqrt(variance + epsilon), shift = beta − mean·scale.
    public var scaleAndShift: (scale: [Float], shift: [Float]) {
        let scale = gamma.indices.map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        return (scale, beta.indices.map { beta[$0] - mean[$0] * scale[$0] })
    }

    /// Folds this batch norm into the conv before it (host-side): conv(x, w′) + b′ equals
    /// batchNorm(conv(x, w) + b), with w′[k] = scale[k]·w[k] and b′ = scale·(b − mean) + beta.
    /// - Parameters:
    ///   - weight: the conv weight [K, C, R, S], K = this norm's channels.
    ///   - bias: the conv bias [K], or nil for none.
    /// - Returns: the folded weight [K, C, R, S] and bias [K].
    public func fold(weight: HostTensor, bias: HostTensor?) throws -> (weight: HostTensor, bias: HostTensor) {
        let k = gamma.count
        guard weight.shape.count == 4, weight.shape[0] == k, bias.map({ $0.shape == [k] }) ?? true else {
            throw EngineError.shapeMismatch(op: "fold_batch_norm", expected: "weight [\(k), C, R, S] and bias [\(k)]",
                                            got: "weight \(weight.shape.shapeText), bias \(bias?.shape.shapeText ?? "none")")
        }
        let (scale, _) = scaleAndShift
        let perFilter = weight.shape.dropFirst().reduce(1, *)
        let folded = weight.values.indices.map { weight.values[$0] * scale[$0 / perFilter] }
        let b = bias?.values ?? [Float](repeating: 0, count: k)
        return (HostTensor(weight.shape, folded), HostTensor([k], (0..<k).map { scale[$0] * (b[$0] - mean[$0]) + beta[$0] }))
    }
}

// MARK: - Graph builders

public extension Graph {
    /// Pixel norm (progressive GAN): x / sqrt(mean over channels of x² + epsilon) for x [N, C, …].
    func pixelNorm(_ x: Value, epsilon: Float = 1e-8) throws -> Value {
        guard x.shape.count >= 2 else {
            throw EngineError.shapeMismatch(op: "pixel_norm", expected: "x [N, C, …]", got: x.type.description)
        }
        let meanSquare = try mean(try square(x), axes: [1], keepDims: true)
        return try mul(x, try rsqrt(try scale(meanSquare, 1, plus: epsilon)))
    }

    /// Batch norm in inference form on x [N, C, H, W] with gamma, beta, mean, variance [C]:
    /// gamma·(x − mean)/sqrt(variance + epsilon) + beta; differentiable in all five.
    func batchNorm(_ x: Value, gamma: Value, beta: Value, mean: Value, variance: Value, epsilon: Float) throws -> Value {
        let channels = x.shape.count == 4 ? x.shape[1] : -1
        guard [gamma, beta, mean, variance].allSatisfy({ $0.shape == [channels] }) else {
            throw EngineError.shapeMismatch(op: "batch_norm", expected: "x [N, C, H, W] and gamma, beta, mean, variance [C]",
                                            got: "x \(x.shape.shapeText), " + [gamma, beta, mean, variance].map(\.shape.shapeText)
                                                .joined(separator: ", "))
        }
        let factor = try mul(gamma, try rsqrt(try scale(variance, 1, plus: epsilon)))
        let shift = try sub(beta, try mul(mean, factor))
        return try add(try mul(x, try reshape(factor, [channels, 1, 1])), try reshape(shift, [channels, 1, 1]))
    }

    /// Batch norm with frozen statistics and parameters on x [N, C, H, W]: x·scale + shift,
    /// both computed on the host (`BatchNormParameters.scaleAndShift`); differentiable in x.
    func batchNorm(_ x: Value, _ parameters: BatchNormParameters) throws -> Value {
        let channels = parameters.gamma.count
        guard x.shape.count == 4, x.shape[1] == channels else {
            throw EngineError.shapeMismatch(op: "batch_norm", expected: "x [N, \(channels), H, W]", got: x.type.description)
        }
        let (factor, shift) = parameters.scaleAndShift
        return try add(try mul(x, constant(HostTensor([channels, 1, 1], factor))), constant(HostTensor([channels, 1, 1], shift)))
    }

    /// A stored weight scaled for the equalised learning rate: w · gain/sqrt(fan_in).
    func equalizedWeight(_ weight: Value, gain: Float = Float(2).squareRoot()) throws -> Value {
        try scale(weight, Normalization.equalizedScale(weightShape: weight.shape, gain: gain))
    }
}
