// Stage 2: geometry, camera, light and a UV texture (a `TextureModel`: the projected photo plus a
// free lower-resolution offset, or a free symmetric texture) fitted jointly through the renderer:
// pixel L1 over the face, identity (1 − cosine of face embeddings), landmarks, priors and the
// texture model's priors; every step on the device, only the scalar losses read back.

/// The result of the joint stage.
public struct JointFit {
    public var parameters: FaceParameters
    public let report: StageReport
    /// 1 − identity loss (cosine of the photo's and the render's embeddings) at the start and the end.
    public let initialCosine: Float
    public let finalCosine: Float
    /// Mean landmark error in fitting-crop pixels at the end.
    public let finalError: Float
    /// The final render over the photo crop, [S, S, 3], and the final UV map [T, T, 3].
    public let render: HostTensor
    public let texture: HostTensor
    /// [V, 3] fitted vertices, and their crop-pixel positions [V].
    public let vertices: HostTensor
    public let screen: [SIMD2<Float>]
}

enum JointStage {
    /// Fits `start` (its stage-1 geometry, light, and `texture`'s leaves) to `photo` [S, S, 3], the
    /// fitting crop, with `targets` [68] (crop pixels) paired by `correspondences`, for
    /// `settings.jointIterations` Adam steps on `device`; `log` gets progress lines.
    static func run(_ face: FitModel, photo: HostTensor, targets: [SIMD2<Float>], correspondences: LandmarkCorrespondences,
                    from start: FaceParameters, texture model: any TextureModel, network: any IdentityNetwork,
                    settings: FitSettings, device: any Backend, log: (String) -> Void) throws -> JointFit {
        let s = settings.size, g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: settings)
        let ambient = g.parameter("light_ambient", [3]), colour = g.parameter("light_colour", [3])
        let direction = g.parameter("light_direction", [3])
        let textured = try model.build(g), texture = textured.texture
        let photoEmbedding = try IdentityTerm.embed(photo, network: network, device: device)
        let image = g.input("photo", [s, s, 3]), reference = g.input("photo_embedding", photoEmbedding.shape)
        let render = try g.renderMesh(face.mesh, vertices: geometry.vertices, rotation: geometry.rotation,
                                      translation: geometry.translation, focal: geometry.focal, albedo: .texture(texture),
                                      lights: SceneLights(ambient: ambient, directional: [DirectionalLight(colour: colour, direction: direction)]),
                                      background: image, width: s, height: s, principalPoint: geometry.principalPoint)
        let landmarks = try LandmarkTerm(g, screen: render.screen, face: face)
        let pixel = try g.div(g.sum(g.mul(render.coverage, g.abs(g.sub(render.image, image)))),
                              g.scale(g.sum(render.coverage), 3, plus: 1))
        let identity = try IdentityTerm.loss(g, embedding: IdentityTerm.embedding(g, network: network, image: render.image),
                                             reference: reference)
        let total = try ([(pixel, settings.pixelWeight), (identity, settings.identityWeight),
                          (landmarks.objective(g, prior: geometry.prior), settings.jointGeometryWeight)] + textured.priors.map { ($0.loss, $0.weight) })
            .map { try g.scale($0.0, $0.1) }.reduce(g.scalar(0)) { try g.add($0, $1) }
        let appearance = [ambient, colour, direction] + textured.parameters
        let gradients = try g.gradients(of: total, wrt: geometry.parameters + appearance)
        let program = try Program(graph: g, outputs: [total, pixel, identity, landmarks.loss, geometry.prior] + textured.priors.map(\.loss)
                                      + [render.image, texture, render.screen, geometry.vertices, landmarks.projected] + gradients,
                                  device: device)
        var begun = start  // the model's starting leaves unless `start` carries them (a resumed fit)
        begun.texture.merge(model.leaves) { given, _ in given }
        for (name, value) in begun.feeds { try program.set(name, value) }
        try program.set("photo", photo)
        try program.set("photo_embedding", photoEmbedding)
        try LandmarkTerm.feed(program, correspondences, targets: targets,
                              noise: settings.landmarkNoisePixels(yawDegrees: start.yawDegrees))

        let groups = geometry.groups(Array(gradients.prefix(4)), settings.jointRates) + [
            ParameterGroup(parameters: [ambient, colour, direction], gradients: Array(gradients[4..<7]), rate: settings.lightRate),
        ] + textured.parameterGroups(Array(gradients[7...]))
        let loop = try StageLoop(name: "joint", program: program,
                                 losses: [("total", total), ("pixel", pixel), ("identity", identity), ("landmark", landmarks.loss),
                                          ("prior", geometry.prior)] + textured.priors.map { ($0.name, $0.loss) }, groups: groups)
        let initialCosine = 1 - (try loop.evaluate(iteration: 0).losses["identity"] ?? 1)
        let report = try loop.run(iterations: settings.jointIterations, logInterval: settings.logInterval, log: log)
        var parameters = begun
        try parameters.update(from: program)
        let screen = try program.read(render.screen).values
        return JointFit(parameters: parameters, report: report, initialCosine: initialCosine,
                        finalCosine: 1 - (report.losses.last?.losses["identity"] ?? 1),
                        finalError: correspondences.meanError(try program.read(landmarks.projected).values.points, targets),
                        render: try program.read(render.image), texture: try program.read(texture), vertices: try program.read(geometry.vertices),
                        screen: stride(from: 0, to: screen.count, by: 3).map { SIMD2(screen[$0], screen[$0 + 1]) })
    }
}
