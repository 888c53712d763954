// What the linear and GAN texture models share in the fit: parameters in standard deviations
// under a Gaussian prior (their mean square), one Adam group, the map resampled to the fit's size.

struct GaussianCoefficients {
    /// The fit's map side, the prior's weight, the parameters' Adam rate.
    let size: Int
    let priorWeight: Float
    let rate: Float

    init(_ settings: FitSettings) {
        (size, priorWeight, rate) = (
            settings.textureSize, settings.textureModelPrior, settings.textureModelRate
        )
    }

    /// The model's part of the fit: `map` [T, T, 3] made from `parameter`, resampled to `size`;
    /// the prior mean(parameter²), reported as `name`.
    func graph(_ g: Graph, map: Value, parameter: Value, name: String) throws -> TextureGraph {
        TextureGraph(
            texture: try g.upsampleTexture(map, to: size),
            priors: [(name, try g.mean(g.square(parameter)), priorWeight)],
            groups: [([parameter], rate)])
    }
}
