// The progressive-GAN generator (Karras et al. 2018, as pytorch_GAN_zoo's PGAN GNet) as a graph of
// engine ops, so its forward and its backward (to the latent and to the weights) run wherever
// those ops do: pixel norm on the latent, an equalised dense layer to 4×4 (+ leaky ReLU, pixel
// norm), a 3×3 conv at 4×4, per level nearest ×2 and two 3×3 convs (each + leaky ReLU, pixel
// norm), then a 1×1 to-RGB. Stored weights are N(0, 1)-scaled; He's constant is applied at run time.

/// A generator's shape: latent size and channels per level (4², 8², …).
public struct ProgressiveGeneratorConfig: Equatable, Sendable {
    /// The latent's length.
    public let latent: Int
    /// Channels of each level, 4² first; the output side is 4·2^(levels − 1).
    public let widths: [Int]
    /// The leaky ReLU's negative slope.
    public static let leak: Float = 0.2

    public init(latent: Int, widths: [Int]) throws {
        guard latent >= 1, !widths.isEmpty, widths.allSatisfy({ $0 >= 1 }), widths.count <= 12 else {
            throw EngineError.invalidValue(
                "a progressive generator needs a latent ≥ 1 and 1 to 12 level widths ≥ 1; "
                    + "got latent \(latent), "
                    + "widths \(widths)")
        }
        (self.latent, self.widths) = (latent, widths)
    }

    /// The paper's widths (Karras et al.: min(512, 8192 / 2^(level+1))) up to `resolution`.
    public static func paper(resolution: Int, latent: Int = 512) throws -> ProgressiveGeneratorConfig {
        let levels = try levelCount(resolution: resolution)
        return try ProgressiveGeneratorConfig(
            latent: latent, widths: (0..<levels).map { Swift.min(512, 8192 >> ($0 + 1)) })
    }

    /// Levels for an output side of 4·2^k.
    public static func levelCount(resolution: Int) throws -> Int {
        guard resolution >= 4, resolution.nonzeroBitCount == 1, resolution <= 8192 else {
            throw EngineError.invalidValue(
                "a progressive generator's resolution is 4·2^k (4, 8, …, 8192); got \(resolution)")
        }
        return resolution.trailingZeroBitCount - 1
    }

    /// The output's side.
    public var resolution: Int { 4 << (widths.count - 1) }

    /// Every stored tensor's name and shape, in the order of use (pytorch_GAN_zoo's GNet names,
    /// with only the output's to-RGB layer, as `toRGB`).
    public var tensorShapes: [(name: String, shape: Shape)] {
        var shapes: [(String, Shape)] = [
            ("formatLayer.weight", [16 * widths[0], latent]), ("formatLayer.bias", [16 * widths[0]]),
            ("groupScale0.0.weight", [widths[0], widths[0], 3, 3]), ("groupScale0.0.bias", [widths[0]]),
        ]
        for level in 1..<widths.count {
            for (k, input) in [widths[level - 1], widths[level]].enumerated() {
                let prefix = "scaleLayers.\(level - 1).\(k)"
                shapes += [
                    (prefix + ".weight", [widths[level], input, 3, 3]), (prefix + ".bias", [widths[level]]),
                ]
            }
        }
        return shapes + [("toRGB.weight", [3, widths.last!, 1, 1]), ("toRGB.bias", [3])]
    }
}

extension Graph {
    /// The generator's images [N, 3, R, R] (about [−1, 1]) for latents [N, L]; `weight(name)`
    /// gives each stored tensor named as `config.tensorShapes` (parameters, inputs or constants).
    public func progressiveGenerator(
        _ latent: Value, config: ProgressiveGeneratorConfig, weight: (String) throws -> Value
    ) throws -> Value {
        guard latent.shape.count == 2, latent.shape[1] == config.latent else {
            throw EngineError.shapeMismatch(
                op: "progressive_generator", expected: "latent [N, \(config.latent)]",
                got: latent.type.description)
        }
        let shapes = Dictionary(uniqueKeysWithValues: config.tensorShapes.map { ($0.name, $0.shape) })
        // An equalised layer: (W·x + b)·c with c = sqrt(2 / fan_in), as scaled weight and bias.
        func scaled(_ prefix: String) throws -> (weight: Value, bias: Value) {
            let (w, b) = (try weight(prefix + ".weight"), try weight(prefix + ".bias"))
            guard w.shape == shapes[prefix + ".weight"], b.shape == shapes[prefix + ".bias"] else {
                throw EngineError.shapeMismatch(
                    op: "progressive_generator",
                    expected: "\(prefix) weight \(shapes[prefix + ".weight"]!.shapeText), "
                        + "bias \(shapes[prefix + ".bias"]!.shapeText)",
                    got: "\(w.shape.shapeText), \(b.shape.shapeText)")
            }
            let c = Normalization.equalizedScale(weightShape: w.shape)
            return (try scale(w, c), try scale(b, c))
        }
        func block(_ x: Value, _ prefix: String) throws -> Value {
            let (w, b) = try scaled(prefix)
            let y = try conv2d(x, w, bias: b, Window(padding: (1, 1, 1, 1)))
            return try pixelNorm(try leakyRelu(y, slope: ProgressiveGeneratorConfig.leak))
        }
        let n = latent.shape[0]
        let widths = config.widths
        let dense = try scaled("formatLayer")
        var x = try linear(try pixelNorm(latent), weight: dense.weight, bias: dense.bias)
        x = try pixelNorm(
            try reshape(try leakyRelu(x, slope: ProgressiveGeneratorConfig.leak), [n, widths[0], 4, 4]))
        x = try block(x, "groupScale0.0")
        for level in 1..<widths.count {
            x = try apply(Resize(.nearest(factorH: 2, factorW: 2)), x)
            x = try block(try block(x, "scaleLayers.\(level - 1).0"), "scaleLayers.\(level - 1).1")
        }
        let rgb = try scaled("toRGB")
        return try conv2d(x, rgb.weight, bias: rgb.bias)
    }
}
