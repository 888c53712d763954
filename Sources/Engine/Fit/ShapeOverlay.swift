// The fitted mesh drawn over the photo through the fit's camera: the shape in one grey, lit from the
// camera, blended 70/30 with the photo (shows the alignment, which the textured render hides), or
// the textured mesh under the fitted light; over the crop or over the whole photo.

enum ShapeOverlay {
    /// How the mesh is drawn.
    enum Look {
        case shape
        /// The UV map [T, T, 3] under the fit's light.
        case textured(HostTensor, FaceLight)
    }

    /// [S, S, 3]: the grey shape with `vertices` [V, 3] seen through `parameters`' camera over `photo`
    /// [S, S, 3].
    static func render(
        _ face: FitModel, vertices: HostTensor, parameters p: FaceParameters, photo: HostTensor,
        device: any Backend
    ) throws -> HostTensor {
        try draw(
            face, vertices: vertices, parameters: p, look: .shape, over: photo, focal: p.focal,
            principalPoint: p.principalPoint, device: device)
    }

    /// [H, W, 3]: the mesh with `vertices` [V, 3] at `parameters`' pose, seen by a camera of `focal`
    /// and `principalPoint` (pixels of `background`), over `background` [H, W, 3].
    static func draw(
        _ face: FitModel, vertices: HostTensor, parameters p: FaceParameters, look: Look,
        over background: HostTensor, focal: Float, principalPoint: [Float], device: any Backend
    ) throws -> HostTensor {
        let g = Graph()
        let (h, w) = (background.shape[0], background.shape[1])
        func vector(_ values: [Float]) -> Value { g.constant(HostTensor([values.count], values)) }
        let photo = g.constant(background)
        let albedo: MeshAlbedo
        let shading: MeshShading
        switch look {
        case .shape:
            albedo = .colour(vector([0.9, 0.9, 0.9]))
            shading = .lambert(
                SceneLights(
                    ambient: vector([0.3, 0.3, 0.3]),
                    directional: [
                        DirectionalLight(colour: vector([0.6, 0.6, 0.6]), direction: vector([0.3, 0.3, 1]))
                    ]))
        case .textured(let texture, let light):
            albedo = .texture(g.constant(texture))
            shading = .sphericalHarmonics(g.constant(light.tensor))
        }
        let mesh = try g.renderMesh(
            face.mesh, vertices: g.constant(vertices), rotation: vector(p.rotation),
            translation: vector(p.translation), focal: vector([focal]), albedo: albedo, shading: shading,
            background: photo, width: w, height: h, principalPoint: vector(principalPoint))
        var image = mesh.image
        if case .shape = look { image = try g.add(g.scale(mesh.image, 0.7), g.scale(photo, 0.3)) }
        let program = try Program(graph: g, outputs: [image], device: device)
        try program.run()
        return try program.read(image)
    }
}
