// Stage 3, the free texture's detail: the UV map alone fitted to the photos through the renderer
// (pixel L1 over the face, the free texture's smoothness and a weak symmetry prior), the shapes,
// expressions, poses and lights held where the joint stage left them. The joint stage's strong
// symmetry prior is what lets it move the shape, and it averages asymmetric detail into a slight
// double image; this stage starts from the joint stage's map, so the side no photo saw keeps its
// symmetric completion, and lets the map follow each photo where it was seen.

/// The result of the texture stage, per photo where it is a list.
public struct TextureFit {
    /// The joint stage's parameters with this stage's texture leaves.
    public let parameters: [FaceParameters]
    public let report: StageReport
    /// The final renders over the photo crops, [S, S, 3] each, and the final UV map [T, T, 3].
    public let renders: [HostTensor]
    public let texture: HostTensor
}

enum TextureStage {
    /// Fits `model`'s levels, started from `joint`'s map with `settings.textureDetailSymmetry`, to
    /// `photos` [S, S, 3] (the fitting crops) seen through `joint`'s parameters, for
    /// `settings.textureDetailIterations` Adam steps on `device`; `log` gets progress lines.
    static func run(
        _ face: FitModel, photos: [HostTensor], joint: JointFit, texture model: FreeTexture,
        settings: FitSettings, device: any Backend, log: (String) -> Void
    ) throws -> TextureFit {
        var detail = model
        detail.initial = joint.texture
        detail.symmetryWeight = settings.textureDetailSymmetry
        let s = settings.size
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: settings, views: photos.count)
        let textured = try g.within("texture") { try detail.build(g) }
        let views = try geometry.views.enumerated().map { view, viewGeometry in
            func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
            let image = g.input(name("photo"), [s, s, 3])
            let render = try viewGeometry.render(
                g, mesh: face.mesh, texture: textured.texture, light: g.input(name("light"), [9, 3]),
                photo: image,
                size: s)
            return (image: render.image, pixel: try JointStage.pixelLoss(g, render, photo: image))
        }
        let pixel = try g.mean(views.map(\.pixel))
        let total = try g.add(
            [g.scale(pixel, settings.pixelWeight)] + textured.priors.map { try g.scale($0.loss, $0.weight) })
        let gradients = try g.gradients(of: total, wrt: textured.parameters)
        let program = try Program(
            graph: g,
            outputs: [total, pixel, textured.texture] + textured.priors.map(\.loss) + views.map(\.image)
                + gradients,
            device: device)
        var parameters = joint.parameters
        for view in parameters.indices {
            if view == 0 { parameters[view].texture = detail.leaves }
            for (name, value) in parameters[view].feeds(view: view) { try program.set(name, value) }
            try program.set(FaceParameters.leafName("photo", view: view), photos[view])
        }
        let loop = try StageLoop(
            name: "texture", program: program,
            losses: [("total", total), ("pixel", pixel)] + textured.priors.map { ($0.name, $0.loss) },
            groups: textured.parameterGroups(gradients))
        let report = try loop.run(
            iterations: settings.textureDetailIterations, logInterval: settings.logInterval, log: log)
        try parameters[0].update(from: program)
        return TextureFit(
            parameters: parameters, report: report, renders: try views.map { try program.read($0.image) },
            texture: try program.read(textured.texture))
    }
}
