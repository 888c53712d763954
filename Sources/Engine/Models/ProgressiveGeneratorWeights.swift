// A progressive generator's weights: its config and stored tensors, read from and written to
// safetensors, drawn at random, and run to UV maps.
//
// File layout (safetensors, F32): the tensors of `ProgressiveGeneratorConfig.tensorShapes`, named
// as pytorch_GAN_zoo's GNet state dict — `formatLayer.{weight,bias}` (dense, weight [16·w₀, L]),
// `groupScale0.0.{weight,bias}` (3×3 at 4², weight [w₀, w₀, 3, 3]),
// `scaleLayers.{i}.{0,1}.{weight,bias}` (level i + 1's two 3×3 convs, weights [K, C, 3, 3]) — and
// `toRGB.{weight,bias}` (the output's 1×1, weight [3, w_last, 1, 1]); weights as stored before He's
// constant. Metadata: `format` = `ganfit-pgan-generator`, `latent` = L, `widths` = w₀,w₁,… (commas).
import Foundation

public struct ProgressiveGenerator {
    public static let format = "ganfit-pgan-generator"

    public let config: ProgressiveGeneratorConfig
    /// Every tensor of `config.tensorShapes`, by name.
    public let tensors: [String: HostTensor]

    /// Checks that `tensors` holds exactly the config's tensors with their shapes.
    public init(config: ProgressiveGeneratorConfig, tensors: [String: HostTensor], source: String = "weights")
        throws
    {
        for (name, shape) in config.tensorShapes where tensors[name]?.shape != shape {
            throw EngineError.invalidValue(
                "\(source): tensor '\(name)' should be \(shape.shapeText) for latent \(config.latent), "
                    + "widths "
                    + "\(config.widths); it is \(tensors[name]?.shape.shapeText ?? "missing")")
        }
        (self.config, self.tensors) = (config, tensors)
    }

    /// A generator as freshly initialised for training with equalised learning rate: weights
    /// N(0, 1), biases 0, drawn from `seed`.
    public static func random(_ config: ProgressiveGeneratorConfig, seed: UInt64) throws
        -> ProgressiveGenerator
    {
        var rng = SynthRandom(seed: seed)
        var tensors: [String: HostTensor] = [:]
        for (name, shape) in config.tensorShapes {
            let isWeight = name.hasSuffix(".weight")
            tensors[name] = HostTensor(
                shape, (0..<shape.elementCount).map { _ in isWeight ? Float(rng.normal()) : 0 })
        }
        return try ProgressiveGenerator(config: config, tensors: tensors)
    }

    /// Latents [count, L] drawn from N(0, 1) with `seed`.
    public func latents(seed: UInt64, count: Int = 1) -> HostTensor {
        var rng = SynthRandom(seed: seed)
        return HostTensor(
            [count, config.latent], (0..<count * config.latent).map { _ in Float(rng.normal()) })
    }

    // MARK: Files

    /// Reads a generator written by `write` (see the layout above).
    public init(contentsOf path: String) throws {
        let expected = "a progressive generator: `ganfit-gpu texture init` or `texture convert` writes one"
        let file = try SafetensorsFile(path, format: Self.format, expected: expected)
        let widths = (file.metadata["widths"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard let latent = file.metadata["latent"].flatMap(Int.init), !widths.isEmpty else {
            throw file.problem(
                "its metadata lacks latent (an integer) or widths (comma-separated integers)",
                expected: expected)
        }
        let config = try ProgressiveGeneratorConfig(latent: latent, widths: widths)
        var tensors: [String: HostTensor] = [:]
        for (name, _) in config.tensorShapes where file.entries.contains(where: { $0.name == name }) {
            tensors[name] = try file.tensor(name)
        }
        try self.init(config: config, tensors: tensors, source: path)
    }

    /// Writes the generator as safetensors (atomically).
    public func write(to path: String) throws {
        try SafetensorsFile.write(
            config.tensorShapes.map { ($0.name, tensors[$0.name]!) },
            metadata: [
                "format": Self.format, "latent": "\(config.latent)",
                "widths": config.widths.map(String.init).joined(separator: ","),
            ], to: path)
    }

    // MARK: Running

    /// The generated images [N, 3, R, R] (about [−1, 1]) of `latents` [N, L].
    public func images(_ latents: HostTensor, device: any Backend) throws -> HostTensor {
        try run(latents, device: device) { _, images in images }
    }

    /// The UV maps [N, S, S, 3] of `latents` [N, L], clamped to [0, 1] (`Graph.uvMaps`); S is the
    /// generator's resolution, or `side` (bilinear resampling).
    public func textures(_ latents: HostTensor, side: Int? = nil, device: any Backend) throws -> HostTensor {
        try run(latents, device: device) { g, images in
            let sized =
                try side.map {
                    try g.apply(Resize(.bilinear(height: $0, width: $0, alignCorners: false)), images)
                } ?? images
            return try g.clamp(try g.uvMaps(generated: sized), 0, 1)
        }
    }

    /// Runs the generator on `latents` with the weights as constants, then `output` on its images.
    private func run(_ latents: HostTensor, device: any Backend, output: (Graph, Value) throws -> Value)
        throws -> HostTensor
    {
        let g = Graph()
        let images = try g.progressiveGenerator(g.input("latent", latents.shape), config: config) {
            g.constant(tensors[$0]!)
        }
        let result = try output(g, images)
        let program = try Program(graph: g, outputs: [result], device: device)
        try program.set("latent", latents)
        try program.run()
        return try program.read(result)
    }
}

extension Graph {
    /// Generated images [N, 3, R, R] in about [−1, 1] as UV maps [N, R, R, 3]: ·½ + ½.
    public func uvMaps(generated images: Value) throws -> Value {
        try permute(try scale(images, 0.5, plus: 0.5), [0, 2, 3, 1])
    }
}
