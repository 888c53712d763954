// The knobs of a fit: fitting size, iterations, learning rates and loss weights; each default's
// source is beside it (the synthetic benchmark, the detector's measured noise, or the bundled sample;
// see README, "Fitting").

public struct FitSettings: Codable, Sendable {
    /// The side of the square fitting crop in pixels (landmark and pixel losses are measured here).
    /// Source: the synthetic benchmark (28 faces, with 100 joint iterations): 160 scored 1.090 mm, 192
    /// 1.081, and 256 with 200 joint iterations 1.093 (per face ±0.016 and ±0.014 against it); 160 is
    /// FaceNet's input, so the render reaches it unresampled, and a joint iteration costs 0.7× 256's.
    public var size = 160
    /// Margin around the landmarks' bounding box on each side, as a fraction of its longer side.
    public var margin: Float = 0.25
    /// The camera (see `FitCamera`): principal point at the photo's centre; focal length, 35 mm
    /// equivalent in mm, `focal35mm` when set, else the photo's EXIF value, else `defaultFocal35mm`.
    public var focal35mm: Float? = nil
    public var defaultFocal35mm: Float = 50
    /// Adam iterations of stage 1 (landmarks) and stage 2 (joint). Source: the bundled sample, where
    /// 1000 + 400 lowered the landmark error by under 2% at twice the time; on the synthetic benchmark
    /// 100 joint iterations scored 1.097 mm against 1.093 for 200 (28 faces at 256², ±0.009 per face).
    public var landmarkIterations = 500
    public var jointIterations = 100
    /// The jaw-line contour vertices are chosen again every this many stage-1 iterations; both
    /// sides of the jaw are fitted within this yaw (degrees), only the side facing the camera beyond
    /// it (eos uses one side at every yaw; the Surrey mask's far edge then strays off the face).
    public var contourInterval = 50
    public var bothContoursWithinYaw: Float = 45
    /// Losses are recorded (and progress printed) every this many iterations.
    public var logInterval = 10
    /// The side of the UV texture map, texels, and of the free offset fitted on top of the
    /// projected photo (upsampled bilinearly; lower resolution keeps the identity network's
    /// high-frequency gradients out of the texture).
    public var textureSize = 256
    public var textureOffsetSize = 64
    /// The joint stage's texture model (`fit --texture`): the free symmetric map by default. On the
    /// synthetic benchmark it scores as the projected one does (1.172 mm both, symmetry 10) and it covers
    /// the whole face (no flat patch where the photo had no view), copying the photo less; linear and
    /// GAN models have no trained weights here to compare.
    public var texture = TextureModelKind.free
    /// The seed of the fit's only random choice, the GAN texture's starting latent (N(0, 1)); everything
    /// else is deterministic, so the same photos, settings, seed and device give the same fit.
    public var seed: UInt64 = 0
    /// The free texture's coarsest level (levels double from it up to `textureSize`).
    public var freeTextureCoarsest = 16

    // Learning rates (Adam; per step each value moves by about this much), stage 1 then stage 2.
    // Source: chosen on the bundled sample for a stable descent within the iteration counts above.
    public var landmarkRates = StageRates(shape: 0.05, expression: 0.03, rotation: 0.02, translation: 4)
    public var jointRates = StageRates(shape: 0.02, expression: 0.01, rotation: 0.003, translation: 0.8)
    /// Stage 2: texels and light colours / direction.
    public var textureRate: Float = 0.005
    /// Stage 2, the linear and GAN texture models: the Adam rate of their coefficients or latent
    /// (standard deviations) and the weight of their Gaussian prior, the mean square of those.
    public var textureModelRate: Float = 0.02
    public var textureModelPrior: Float = 0.01
    public var lightRate: Float = 0.02

    // Stage 1's objective is a MAP estimate: landmarks with Gaussian noise, shape coefficients
    // N(0, 1) (they are in standard deviations), expression blendshape weights N(0, σ_e²). Source: the
    // synthetic benchmark (noise 4.5%, jaw ×3, σ_e 0.2: 2.22 → 1.18 mm against the earlier fixed
    // weights); the yaw growth also from the detector's measured error on other synthetic faces
    // (`tools/landmark_noise.sh`: g = 3.5).
    /// A landmark's noise, standard deviation as a fraction of the face's size (the landmarks'
    /// bounding box's longer side) in a frontal view, growing by the factor 1 + yawNoiseGrowth·(yaw/60°)²
    /// as the head turns (dlib's landmarks degrade beyond about 40°); the jaw line's (least
    /// reliable: the detector guesses the silhouette) contourNoiseFactor times larger. 0.045 suits
    /// dlib's points (0.03, 0.02: 1.135, 1.159 mm against 1.132); accurate points want less (the
    /// benchmark's true points: 0.953 mm at 0.01 against 1.088 at 0.045).
    public var landmarkNoise: Float = 0.045
    public var yawNoiseGrowth: Float = 3
    public var contourNoiseFactor: Float = 3
    /// Points the detector is unsure of count less: a landmark whose `LandmarkSpread` is s (a fraction
    /// of the detector's box) has its noise variance grown by (landmarkSpreadFactor·s)², so its weight
    /// is divided by 1 + (landmarkSpreadFactor·s / landmarkNoise)²; 0 turns this off. Only detected
    /// landmarks have a spread (not those read from a file). Source: the synthetic benchmark, where
    /// the landmark stage went 1.158 → 1.138 mm at 1 and 1.132 at 2 (40–60° yaw: 1.242 → 1.188), and
    /// 1.142 → 1.105 on 20 faces (seed 99) it was not chosen on; see README, "Synthetic faces".
    public var landmarkSpreadFactor: Float = 2
    /// When the detector is unsure of its points on the whole (every photo's mean spread above this,
    /// a fraction of the detector's box), the joint stage keeps the landmark stage's shape and
    /// expressions and fits only pose, light and texture; nil: never. Such faces are mostly turned
    /// beyond 40°, where dlib's points slide into a frontal layout and stage 1's pose is wrong; the
    /// joint stage cannot turn the head and bends the shape to fit the photo at that pose. Source: the
    /// synthetic benchmark, where the joint stage was worse than the landmark stage on 7 of the 8 faces
    /// above 0.035 (28 faces, seed 2024; 1.094 → 1.072 mm, 40–60° 1.222 → 1.188 against the mean face's
    /// 1.206), and on 7 of 8 of 20 faces it was not chosen on (seed 99; 1.106 → 1.099).
    public var holdShapeAboveSpread: Float? = 0.035
    /// The landmark term's outlier scale c, in noise deviations (see `LandmarkTerm.robust`); nil: Gaussian.
    public var landmarkOutlierScale: Float? = nil
    public var expressionDeviation: Float = 0.2
    /// The expression blendshape weights kept at or above 0 (each Adam step projected), as eos fits
    /// them (non-negative least squares): a negative weight is an anti-expression (a mouth pulled
    /// down by −happiness). Off by default: on the synthetic benchmark (30 faces) it scored 1.077 mm
    /// against 1.069 (+0.008 ± 0.006 per face, better on 10; README, "Synthetic faces"); for weights a
    /// rig reads as ≥ 0.
    public var nonNegativeExpressions = false
    /// The shape coefficients' prior deviation σ_s (the prior is |p_s|²/σ_s², p_s in the model's
    /// standard deviations). Source: the synthetic benchmark, whose faces are drawn with σ 0.5 (the
    /// spread at which the mean face scores as on real scans): the landmark stage scored 1.145 mm with
    /// σ_s 0.5 against 1.132 with 1 (28 faces), so the prior the landmarks need is not the draw's; a
    /// wider one, 1.5, scored 1.137, and the full fit 1.093 mm against 1.072 (+0.021 ± 0.011 per face).
    public var shapeDeviation: Float = 1

    // Loss weights. The landmark loss is a weighted mean squared distance in fitting-crop pixels,
    // the pixel loss a mean absolute RGB difference over the face, the identity loss 1 − cosine.
    /// Stage 2 only: the weight of stage 1's objective (landmark loss + priors). Source: the synthetic
    /// benchmark. At 0.005 (before) the landmarks held the shape where stage 1 put it, and even with
    /// the true albedo as the texture the pixels moved it little; at 0.0001 the landmarks only anchor
    /// the pose and the pixels and identity carry the shape (see README, "Synthetic faces").
    public var jointGeometryWeight: Float = 0.0001
    public var pixelWeight: Float = 1
    /// Stage 2: the identity loss's weight against the pixel term's 1. Source: the synthetic benchmark
    /// (README, "Synthetic faces"): on its 28 faces weight 1 scored 1.098 mm against 1.125 at 0.3
    /// (GANFIT's balance, set earlier on the bundled sample), better on 21 of 28; weight 0 was worse
    /// on 7 of 8. The identity network carries shape that the pixels miss: the free texture copies
    /// the photo, so the pixel term is met whatever the shape.
    public var identityWeight: Float = 1
    /// Stage 2 runs the identity network (its forward and backward pass, most of the stage's time)
    /// every this many iterations and, in between, its terms' linearisation at their last run
    /// (`NetworkTerm`); at 1, every iteration, the terms are part of the joint graph.
    /// Source: the synthetic benchmark (30 faces): 2 scored 1.097 mm against 1.069 at 1 (+0.028 ±
    /// 0.009 per face, better on 5) in about 0.6× stage 2's time (3: 0.5×), so 1 stays; 2 trades them.
    public var identityInterval = 1
    /// GANFIT's content loss (`IdentityTerm.contentLoss`: the identity network's feature maps of the
    /// render against the photo's, normalised per layer): its weight, 0 for none. Off by default: on the
    /// synthetic benchmark's 28 faces weight 1 scored 1.134 mm against 1.125 without, both at identity
    /// weight 0.3 (README, "Synthetic faces").
    public var contentWeight: Float = 0
    /// GANFIT's second render (`RandomView`): the weight of its identity loss (0: no second render)
    /// and the largest yaw of its random pose, degrees. Off by default: it doubles the joint stage's
    /// time, and at weight 1 it scored 1.256 mm against 1.180 without on 11 synthetic faces (better
    /// on 4; README, "Synthetic faces").
    public var randomViewWeight: Float = 0
    public var randomViewYaw: Float = 30
    /// The mirror term's weight (`MirrorTerm`: at each vertex the photo's colour over its shading
    /// against its mirror vertex's, the photo sampled through the current shape), 0 for none; the
    /// model needs its symmetry list. Off by default: on the synthetic benchmark's 30 faces weight 1
    /// scored 1.069 mm against 1.075 without (noise: −0.008 ± 0.017 per face on the 20 whose shape is
    /// not held), though on the same faces drawn with mirror-symmetric albedos it gains clearly (README,
    /// "Synthetic faces"); the benchmark's albedos, real photos projected, are not symmetric.
    public var mirrorWeight: Float = 0
    /// Sum of squared differences of neighbouring texels, divided by the texel count.
    public var textureSmoothness: Float = 50
    /// The free texture: the smoothness of what the fit changes (as `textureSmoothness`, at
    /// `textureSize`: neighbouring texels 4× closer than the offset's need about 16× the weight),
    /// and its symmetry prior, the mean squared difference of each texel and its mirror texel. A
    /// strong symmetry prior is what lets the joint stage move the shape: a texture that must be
    /// left–right symmetric can no longer copy a misplaced projection of the photo. On the synthetic
    /// benchmark's first 10 faces the full fit scored 1.034 mm with 10, 1.018 with 1000 and 1.015 with
    /// 10000 (landmark stage 1.032); see README, "Synthetic faces".
    public var freeTextureSmoothness: Float = 800
    public var textureSymmetry: Float = 1000
    /// Stage 3, the free texture's detail (`TextureStage`; after a joint stage that ran): Adam
    /// iterations over the map alone, the geometry and lights held, and the symmetry prior there.
    /// Stage 2's strong symmetry averages asymmetric detail into a slight double image; this pass
    /// lets the map follow the photo where it was seen. 0 iterations: the map is stage 2's. Source:
    /// the bundled sample, whose pixel loss reached 0.03361 after 50 of 100 iterations and 0.03354
    /// after 100 (the shape is held, so the 3D error does not change).
    public var textureDetailIterations = 50
    public var textureDetailSymmetry: Float = 10

    public init() {}

    /// The landmark noise at `yawDegrees` in fitting-crop pixels (the crop is the landmarks' box plus
    /// `margin` each side).
    public func landmarkNoisePixels(yawDegrees: Float) -> Float {
        let turn = yawDegrees / 60
        return landmarkNoise * (1 + yawNoiseGrowth * turn * turn) * Float(size) / (1 + 2 * margin)
    }

    /// Per landmark, the factor its weight is multiplied by for the detector's `spread` (see
    /// `landmarkSpreadFactor`); nil without a spread (landmarks from a file).
    public func landmarkReliability(spread: [Float]?) -> [Float]? {
        spread.map { spread in
            spread.map {
                let ratio = landmarkSpreadFactor * $0 / landmarkNoise
                return 1 / (1 + ratio * ratio)
            }
        }
    }

    /// Whether the joint stage keeps the landmark stage's shape for photos whose detected points have
    /// these mean spreads (`FitInput.meanLandmarkSpread`; see `holdShapeAboveSpread`; landmarks from a
    /// file have none).
    public func holdsShape(meanSpreads: [Float?]) -> Bool {
        guard let limit = holdShapeAboveSpread, !meanSpreads.isEmpty else { return false }
        return meanSpreads.allSatisfy { ($0 ?? 0) > limit }
    }

    /// The jaw line's landmark weight, 1/contourNoiseFactor².
    public var contourWeight: Float { 1 / (contourNoiseFactor * contourNoiseFactor) }
}

/// Adam learning rates of the geometry (coefficients in standard deviations, radians, model units).
public struct StageRates: Codable, Sendable {
    public var shape: Float
    public var expression: Float
    public var rotation: Float
    public var translation: Float
}
