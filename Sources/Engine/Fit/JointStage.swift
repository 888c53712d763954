// Stage 2: geometry, camera, light and a UV texture (a `TextureModel`: the projected photo plus a
// free lower-resolution offset, or a free symmetric texture) fitted jointly through the renderer:
// pixel L1 over the face, identity (1 − cosine of face embeddings; `NetworkTerm`: in the graph, or
// run every `identity_interval` iterations and linearised in between), the mirror term
// (`MirrorTerm`), landmarks, priors and the texture model's priors; every step on the device, only
// the scalar losses read back. Several photos of one person share the shape and the texture; each
// has its own expression, pose and light, render, pixel, identity, mirror and landmark terms (the
// pixel, identity and mirror losses are their means).

/// The result of the joint stage; per photo where it is a list.
public struct JointFit {
    public var parameters: [FaceParameters]
    public let report: StageReport
    /// 1 − identity loss (the mean over the photos of the cosine of the photo's and the render's
    /// embeddings) at the start and the end.
    public let initialCosine: Float
    public let finalCosine: Float
    /// Mean landmark error in fitting-crop pixels at the end.
    public let finalErrors: [Float]
    /// The final renders over the photo crops, [S, S, 3] each, and the final UV map [T, T, 3].
    public let renders: [HostTensor]
    public let texture: HostTensor
    /// [V, 3] fitted vertices (each photo's expression), and their crop-pixel positions [V].
    public let vertices: [HostTensor]
    public let screens: [[SIMD2<Float>]]
}

/// One photo's part of the joint graph.
private struct JointView {
    let render: MeshRenderOutputs
    let landmarks: LandmarkTerm
    let pixel: Value
    /// The identity and content terms (run by their own program, linearised in the joint graph).
    let network: NetworkTerm
    /// The mirror term, when its weight is positive.
    let mirror: MirrorTerm?
    let light: Value
}

enum JointStage {
    /// The mean absolute RGB difference of `render` and `photo` over the face (the render's coverage).
    static func pixelLoss(_ g: Graph, _ render: MeshRenderOutputs, photo: Value) throws -> Value {
        try g.div(
            g.sum(g.mul(render.coverage, g.abs(g.sub(render.image, photo)))),
            g.scale(g.sum(render.coverage), 3, plus: 1))
    }

    /// Fits `starts` (each photo's stage-1 geometry and light, and `texture`'s leaves) to `photos`
    /// [S, S, 3] (the fitting crops), with `targets` [68] (crop pixels) paired by `correspondences`, for
    /// `settings.jointIterations` Adam steps on `device`; `log` gets progress lines.
    static func run(
        _ face: FitModel, photos: [HostTensor], targets: [[SIMD2<Float>]],
        correspondences: [LandmarkCorrespondences], from starts: [FaceParameters],
        texture model: any TextureModel,
        network: any IdentityNetwork, settings: FitSettings, device: any Backend,
        log: (String) -> Void
    ) throws -> JointFit {
        let s = settings.size
        let g = Graph()
        let count = photos.count
        let geometry = try FaceGraph(g, face: face, settings: settings, views: count)
        let textured = try g.within("texture") { try model.build(g) }
        let texture = textured.texture
        let photoIdentities = try photos.map { try IdentityTerm.embed($0, network: network, device: device) }
        let views = try geometry.views.enumerated().map { view, viewGeometry -> JointView in
            func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
            let light = g.parameter(name("light"), [9, 3])
            let image = g.input(name("photo"), [s, s, 3])
            let render = try viewGeometry.render(
                g, mesh: face.mesh, texture: texture, light: light, photo: image, size: s)
            let pixel = try pixelLoss(g, render, photo: image)
            let mirror =
                settings.mirrorWeight > 0
                ? try MirrorTerm(
                    g, symmetry: face.requiredSymmetry(for: .mirrorTerm), screen: render.screen,
                    normals: render.normals, light: light, photo: image, size: s,
                    weightsName: name("mirror_weights")) : nil
            return JointView(
                render: render,
                landmarks: try LandmarkTerm(
                    g, screen: render.screen, face: face, view: view,
                    outlierScale: settings.landmarkOutlierScale),
                pixel: pixel,
                network: try NetworkTerm(
                    joint: g, render: render.image, view: view, network: network,
                    photo: photoIdentities[view], settings: settings),
                mirror: mirror, light: light)
        }
        let pixel = try g.mean(views.map(\.pixel))
        let identity = try g.mean(views.map(\.network.identity))
        let contents = views.compactMap(\.network.content)
        let content = contents.isEmpty ? nil : try g.mean(contents)
        let randomView =
            settings.randomViewWeight > 0
            ? try RandomView(
                g, face: face, shape: geometry.shape, camera: geometry.first, texture: texture,
                network: network,
                reference: g.constant(photoIdentities[0].embedding), size: s) : nil
        // The mirror term, the second render's identity loss and the texture model's priors: named,
        // weighted terms.
        let mirrors = views.compactMap(\.mirror?.loss)
        let terms =
            (mirrors.isEmpty
                ? [] : [(name: "mirror", loss: try g.mean(mirrors), weight: settings.mirrorWeight)])
            + (randomView.map {
                [(name: "random_view", loss: $0.identity, weight: settings.randomViewWeight)]
            } ?? [])
            + textured.priors
        let landmarkLoss = try g.mean(views.map(\.landmarks.loss))
        let geometryObjective = try LandmarkTerm.objective(g, views.map(\.landmarks), prior: geometry.prior)
        // The network's terms come weighted already.
        let weighted = try [g.scale(pixel, settings.pixelWeight), g.mean(views.map(\.network.objective))]
            + ([(geometryObjective, settings.jointGeometryWeight)] + terms.map { ($0.loss, $0.weight) })
            .map { try g.scale($0.0, $0.1) }
        let total = try weighted.reduce(g.scalar(0)) { try g.add($0, $1) }
        let lights = views.map(\.light)
        let gradients = try g.gradients(of: total, wrt: geometry.parameters + lights + textured.parameters)
        let perView =
            views.flatMap { [$0.render.image, $0.render.screen, $0.landmarks.projected] }
            + geometry.views.map(\.vertices)
        // With the identity network's terms linearised: the renders at the current parameters, the
        // terms' programs on them, and the stage's program on the same leaves, reading the terms.
        let rendering =
            settings.identityInterval > 1
            ? try Program(graph: g, outputs: views.map(\.render.image), device: device) : nil
        let networks = try rendering.map { rendering in
            try views.compactMap { try $0.network.program(reading: rendering, device: device) }
        } ?? []
        let networkBindings = try zip(views, networks).flatMap { try $0.network.jointBindings($1) }
        let fedByNetworks = Set(networkBindings.map(\.leaf))
        let sharedLeaves = rendering?.leafTensors.filter { !fedByNetworks.contains($0.leaf) } ?? []
        let program = try Program(
            graph: g,
            outputs: [total, pixel, identity, landmarkLoss, geometry.prior] + (content.map { [$0] } ?? [])
                + terms.map(\.loss) + [texture]
                + perView
                + gradients,
            device: device,
            bound: networkBindings + sharedLeaves)
        var begun = starts  // the model's starting leaves unless the starts carry them (a resumed fit)
        for view in begun.indices {
            begun[view].texture.merge(model.leaves) { given, _ in given }
            for (name, value) in begun[view].feeds(view: view) { try program.set(name, value) }
            try program.set(FaceParameters.leafName("photo", view: view), photos[view])
            if views[view].mirror != nil {
                var seen = starts[view]
                seen.shape = starts[0].shape  // the pair weights at this photo's start, with the shared shape
                try program.set(
                    FaceParameters.leafName("mirror_weights", view: view),
                    MirrorTerm.pairWeights(
                        face, symmetry: try face.requiredSymmetry(for: .mirrorTerm), parameters: seen,
                        size: s, settings: settings, device: device))
            }
            try LandmarkTerm.feed(
                program, correspondences[view], targets: targets[view],
                noise: settings.landmarkNoisePixels(yawDegrees: starts[view].yawDegrees), view: view)
        }
        let geometryCount = geometry.parameters.count
        let groups =
            geometry.groups(Array(gradients.prefix(geometryCount)), settings.jointRates,
                            nonNegativeExpressions: settings.nonNegativeExpressions) + [
                ParameterGroup(
                    parameters: lights,
                    gradients: Array(gradients[geometryCount..<geometryCount + lights.count]),
                    rate: settings.lightRate)
            ] + textured.parameterGroups(Array(gradients[(geometryCount + lights.count)...]))
        let loop = try StageLoop(
            name: "joint", program: program,
            losses: [
                ("total", total), ("pixel", pixel), ("identity", identity), ("landmark", landmarkLoss),
                ("prior", geometry.prior),
            ] + (content.map { [("content", $0)] } ?? []) + terms.map { ($0.name, $0.loss) }, groups: groups,
            periodic: rendering.map {
                PeriodicTerms(interval: settings.identityInterval, programs: [$0] + networks)
            })
        var random = SynthRandom(seed: settings.seed, stream: 1)
        let redraw = { (_: Int) throws -> Void in
            try randomView?.draw(program, start: starts[0], settings: settings, random: &random)
        }
        try redraw(0)
        let report = try loop.run(
            iterations: settings.jointIterations, logInterval: settings.logInterval,
            every: randomView == nil ? nil : (1, redraw), log: log)
        var parameters = begun
        for view in parameters.indices { try parameters[view].update(from: program, view: view) }
        let screens = try views.map { view -> [SIMD2<Float>] in
            let screen = try program.read(view.render.screen).values
            return stride(from: 0, to: screen.count, by: 3).map { SIMD2(screen[$0], screen[$0 + 1]) }
        }
        return JointFit(
            parameters: parameters, report: report,
            initialCosine: 1 - (report.losses.first?.losses["identity"] ?? 1),
            finalCosine: 1 - (report.losses.last?.losses["identity"] ?? 1),
            finalErrors: try views.indices.map {
                correspondences[$0].meanError(
                    try program.read(views[$0].landmarks.projected).values.points, targets[$0])
            },
            renders: try views.map { try program.read($0.render.image) }, texture: try program.read(texture),
            vertices: try geometry.views.map { try program.read($0.vertices) }, screens: screens)
    }
}
