// GANFIT's second render: the person's shape and texture seen in a random pose, expression and light
// over grey, drawn again every iteration, with its own identity loss against the photo's embedding.
// The render over the photo can satisfy the identity network through a texture that copies the photo;
// a novel view cannot, so this term asks the shape itself to look like the person from elsewhere.
import Foundation

/// The second render's part of the joint graph: its inputs (redrawn by `draw`) and its identity loss.
struct RandomView {
    /// Inputs: expression [Ke], rotation [3] (axis-angle), light [9, 3]; translation [3] (set so the
    /// head's centre stays where the first photo's start has it, framed as in the crop).
    let expression, rotation, light, translation: Value
    let render: MeshRenderOutputs
    /// 1 − cosine of the render's and the photo's embeddings.
    let identity: Value
    /// The point the head turns about: the mean face's centroid (the model's origin is near the nose
    /// tip, and a turn about it would swing the face across the crop).
    let pivot: SIMD3<Double>

    /// The view of `shape` through the first photo's camera (`camera`: its focal and principal point),
    /// with `texture`, compared by `network` with `reference` (the photo's embedding).
    init(
        _ g: Graph, face: FitModel, shape: Value, camera: ViewGeometry, texture: Value,
        network: any IdentityNetwork, reference: Value, size: Int
    ) throws {
        let (expression, rotation, light, translation) = (
            g.input(Self.expressionName, [face.model.expressionCount]), g.input(Self.rotationName, [3]),
            g.input(Self.lightName, [9, 3]), g.input(Self.translationName, [3])
        )
        (self.expression, self.rotation, self.light, self.translation) = (expression, rotation, light, translation)
        let mean = face.model.meanVertices
        pivot = mean.reduce(SIMD3<Double>()) { $0 + SIMD3<Double>($1) } / Double(mean.count)
        let vertices = try g.within("model") {
            try face.model.vertices(g, shapeCoefficients: shape, expressionCoefficients: expression)
        }
        render = try g.within("renderer") {
            try g.renderMesh(
                face.mesh, vertices: vertices, rotation: rotation, translation: translation, focal: camera.focal,
                albedo: .texture(texture), shading: .sphericalHarmonics(light),
                background: g.constant(HostTensor([3], [0.5, 0.5, 0.5])), width: size, height: size,
                principalPoint: camera.principalPoint)
        }
        identity = try IdentityTerm.loss(
            g, embedding: IdentityTerm.outputs(g, network: network, image: render.image).embedding,
            reference: reference)
    }

    /// Feeds a new random view: yaw uniform in ±`settings.randomViewYaw` degrees and pitch in a third
    /// of that, about `pivot` at the photo's `start` translation; expression N(0, σ_e²) per blendshape; an
    /// ambient light of 0.5–0.8 plus the rest from a direction within 45° of the camera's.
    func draw(_ program: Program, start: FaceParameters, settings: FitSettings, random: inout SynthRandom)
        throws
    {
        let yaw = Double(settings.randomViewYaw) * .pi / 180
        let (pitchAngle, yawAngle) = (random.uniform(-yaw / 3, yaw / 3), random.uniform(-yaw, yaw))
        let turn = [pitchAngle, yawAngle, 0]
        try program.set(Self.rotationName, HostTensor([3], turn.map(Float.init)))
        // The pivot where the photo has it, R₀·p + t: the translation t + R₀·p − R·p.
        func turned(_ axisAngle: [Double]) throws -> [Double] {
            let r = try Rodrigues().reference([RefTensor([3], axisAngle)])[0].values
            return (0..<3).map { i in (0..<3).map { r[3 * i + $0] * pivot[$0] }.reduce(0, +) }
        }
        let (there, here) = (try turned(start.rotation.map(Double.init)), try turned(turn))
        try program.set(
            Self.translationName,
            HostTensor([3], (0..<3).map { start.translation[$0] + Float(there[$0] - here[$0]) }))
        let count = expression.shape[0]
        try program.set(
            Self.expressionName,
            HostTensor(
                [count], (0..<count).map { _ in Float(random.normal(Double(settings.expressionDeviation))) }))
        let ambient = random.uniform(0.5, 0.8)
        let (tilt, spin) = (random.uniform(0, .pi / 4), random.uniform(0, 2 * .pi))
        let direction = SIMD3(sin(tilt) * cos(spin), sin(tilt) * sin(spin), cos(tilt))
        let coefficients = SphericalHarmonics.irradiance(
            ambient: [ambient, ambient, ambient], colour: Array(repeating: 1 - ambient, count: 3),
            direction: direction)
        try program.set(Self.lightName, HostTensor([9, 3], coefficients.flatMap { $0.map(Float.init) }))
    }

    private static let expressionName = "random_view_expression", rotationName = "random_view_rotation"
    private static let lightName = "random_view_light", translationName = "random_view_translation"
}
