// The texture model the fit started with: the photo projected onto the UV map at the stage-1 pose
// (fixed, faded to the mean skin colour where the camera had no view) plus a free offset at lower
// resolution, bilinearly upsampled, kept smooth.

struct ProjectedTexture: TextureModel {
    /// [T, T, 3] the projected photo (`TextureProjection`).
    let base: HostTensor
    let offsetSize: Int
    let smoothness: Float
    let rate: Float

    init(base: HostTensor, settings: FitSettings) {
        self.base = base
        offsetSize = settings.textureOffsetSize
        smoothness = settings.textureSmoothness
        rate = settings.textureRate
    }

    var kind: TextureModelKind { .projected }

    var leaves: [String: HostTensor] {
        ["texture_base": base, "texture_offset": HostTensor.zeros([offsetSize, offsetSize, 3])]
    }

    /// texture = base + upsample(offset); prior: the offset's smoothness.
    func build(_ g: Graph) throws -> TextureGraph {
        let input = g.input("texture_base", base.shape)
        let offset = g.parameter("texture_offset", [offsetSize, offsetSize, 3])
        return TextureGraph(
            texture: try g.add(input, g.upsampleTexture(offset, to: base.shape[0])),
            priors: [("smoothness", try g.textureSmoothness(offset), smoothness)],
            groups: [([offset], rate)])
    }
}
