// The linear texture model in the fit: its coefficients (standard deviations, from 0: the mean
// map) fitted under a Gaussian prior; the whole UV map mean + basis·(√variances ∘ c) is made in
// the graph every step (one matrix-vector product) and resampled to the fit's texture size.

struct LinearTexture: TextureModel {
    let model: LinearTextureModel
    /// The model's file (the kind names it).
    let file: String
    let fitting: GaussianCoefficients

    init(model: LinearTextureModel, file: String, settings: FitSettings) throws {
        guard model.pca.componentCount >= 1 else {
            throw EngineError.badFile(
                path: file, problem: "has no basis maps; a linear texture model needs at least one")
        }
        (self.model, self.file, fitting) = (model, file, GaussianCoefficients(settings))
    }

    var kind: TextureModelKind { .linear(file) }

    var leaves: [String: HostTensor] {
        ["texture_coefficients": HostTensor.zeros([model.pca.componentCount, 1])]
    }

    /// texture = mean + B′·c, B′ the basis scaled to standard deviations; prior: mean(c²).
    func build(_ g: Graph) throws -> TextureGraph {
        let (pca, side) = (model.pca, model.side)
        let c = g.parameter("texture_coefficients", [pca.componentCount, 1])
        let change = try g.matmul(
            g.constant(HostTensor([pca.dimension, pca.componentCount], pca.rescaledBasis)), c)
        let map = try g.add(
            g.constant(HostTensor([side, side, 3], pca.mean)), g.reshape(change, [side, side, 3]))
        return try fitting.graph(g, map: map, parameter: c, name: "coefficients")
    }
}
