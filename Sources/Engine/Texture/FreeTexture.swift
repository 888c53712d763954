// The free UV texture: every texel fitted, through a multi-resolution parameterisation (the map is
// its start plus levels of 16², 32², … texels, each partial sum bilinearly upsampled into the next
// level, so coarse structure moves first), kept smooth where it changes and left–right symmetric
// through the model's symmetry map, so the side the camera cannot see follows the side it can. It
// starts from the photo where the camera saw it, completed by symmetry and filled elsewhere
// (`TextureFill`).

struct FreeTexture: TextureModel {
    /// [T, T, 3] the starting map (fixed; the levels fit what changes).
    var initial: HostTensor
    let symmetry: UVSymmetry
    /// [T, T, 1] the symmetry prior's weight per texel: the layout's coverage, less where the
    /// photo's colour on either side of the pair is not to be mirrored (see `pairWeights`).
    let pairs: HostTensor
    /// The levels' sides, coarsest first, doubling up to T.
    let levels: [Int]
    /// Weights of the smoothness of the change and of the symmetry prior; the levels' Adam rate.
    let smoothness: Float
    var symmetryWeight: Float
    let rate: Float

    /// `trust` [T, T, 1] (default 1): how far each texel's start may be mirrored (`TextureFill.skinLikeness`).
    init(initial: HostTensor, symmetry: UVSymmetry, trust: HostTensor? = nil, settings: FitSettings) throws {
        let t = initial.shape[0]
        guard initial.shape == [t, t, 3], symmetry.size == t else {
            throw EngineError.shapeMismatch(
                op: "FreeTexture", expected: "a square map [T, T, 3] and a symmetry map of T² texels",
                got: "\(initial.shape) and \(symmetry.size)²")
        }
        self.initial = initial
        self.symmetry = symmetry
        pairs = try Self.pairWeights(symmetry, trust: trust)
        levels = Self.levels(coarsest: settings.freeTextureCoarsest, size: t)
        smoothness = settings.freeTextureSmoothness
        symmetryWeight = settings.textureSymmetry
        rate = settings.textureRate
    }

    /// coverage · trust · trust∘mirror per texel: a pair whose either texel the photo showed as
    /// hair or background (trust 0) is left out of the symmetry prior, so the unseen side does not
    /// follow it.
    static func pairWeights(_ symmetry: UVSymmetry, trust: HostTensor?) throws -> HostTensor {
        guard let trust else { return symmetry.coverage }
        let mirrored = try TextureSample().reference([trust, symmetry.mirror])[0].values
        return HostTensor(
            symmetry.coverage.shape,
            (0..<mirrored.count).map {
                symmetry.coverage.values[$0] * trust.values[$0] * mirrored[$0]
            })
    }

    /// Sides coarsest, 2·coarsest, … below `size`, then `size`.
    static func levels(coarsest: Int, size: Int) -> [Int] {
        Array(sequence(first: Swift.max(coarsest, 1)) { $0 * 2 }.prefix { $0 < size }) + [size]
    }

    var kind: TextureModelKind { .free }

    var leaves: [String: HostTensor] {
        var leaves = ["texture_initial": initial]
        for side in levels { leaves["texture_level_\(side)"] = HostTensor.zeros([1, 3, side, side]) }
        return leaves
    }

    /// texture = initial + change, change = up(… up(up(level₁₆) + level₃₂) …) + level_T (up: bilinear
    /// to the next level's side); priors: the smoothness of the change and the texture's symmetry.
    /// The levels are planes [1, 3, side, side], as the resize takes them: the sum is turned to
    /// [T, T, 3] once, not each level to and fro.
    func build(_ g: Graph) throws -> TextureGraph {
        let parameters = levels.map { g.parameter("texture_level_\($0)", [1, 3, $0, $0]) }
        // Coarse to fine, each partial sum upsampled to the next level's side (one full-size resize).
        let planes = try parameters.dropFirst().reduce(parameters[0]) {
            let side = $1.shape[2]
            return try g.add(g.resizeBilinear($0, height: side, width: side, alignCorners: false), $1)
        }
        let t = initial.shape[0]
        let change = try g.permute(g.reshape(planes, [3, t, t]), [1, 2, 0])
        let texture = try g.add(g.input("texture_initial", initial.shape), change)
        let symmetric = try g.textureSymmetry(texture, mirror: symmetry.mirror, coverage: pairs)
        return TextureGraph(
            texture: texture,
            priors: [
                ("smoothness", try g.textureSmoothness(change), smoothness),
                ("symmetry", symmetric, symmetryWeight),
            ],
            groups: [(parameters, rate)])
    }
}
