// The progressive-GAN texture model in the fit (GANFIT's T = G(p_t)): the latent fitted under a
// Gaussian prior from a seeded start (`FitSettings.seed`); the whole UV map is generated in the graph every step
// (no per-vertex sampling) and resampled to the fit's texture size. The weights are constants.

struct GANTexture: TextureModel {
    let generator: ProgressiveGenerator
    /// The generator's file (the kind names it).
    let file: String
    let fitting: GaussianCoefficients
    /// The starting latent's seed (`FitSettings.seed`).
    let seed: UInt64

    init(generator: ProgressiveGenerator, file: String, settings: FitSettings) {
        (self.generator, self.file, fitting) = (generator, file, GaussianCoefficients(settings))
        seed = settings.seed
    }

    var kind: TextureModelKind { .gan(file) }

    /// The start: the latent N(0, 1) of `seed` (`texture sample --seed S` shows its map).
    var leaves: [String: HostTensor] { ["texture_latent": generator.latents(seed: seed)] }

    /// texture = G(z) as a UV map (·½ + ½); prior: mean(z²).
    func build(_ g: Graph) throws -> TextureGraph {
        let z = g.parameter("texture_latent", [1, generator.config.latent])
        let images = try g.progressiveGenerator(z, config: generator.config) {
            g.constant(generator.tensors[$0]!)
        }
        let side = generator.config.resolution
        let map = try g.reshape(g.uvMaps(generated: images), [side, side, 3])
        return try fitting.graph(g, map: map, parameter: z, name: "latent")
    }
}
