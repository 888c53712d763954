// The fitted shape drawn over the photo crop: the mesh in one grey, lit from the camera, blended
// 70/30 with the photo, so the alignment of the geometry shows (the textured render hides it).

enum ShapeOverlay {
    /// [S, S, 3]: the mesh with `vertices` [V, 3] seen through `parameters`' camera over `photo` [S, S, 3].
    static func render(_ face: FitModel, vertices: HostTensor, parameters p: FaceParameters, photo: HostTensor,
                       device: any Backend) throws -> HostTensor {
        let g = Graph(), s = photo.shape[0]
        func vector(_ values: [Float]) -> Value { g.constant(HostTensor([values.count], values)) }
        let background = g.constant(photo)
        let lights = SceneLights(ambient: vector([0.3, 0.3, 0.3]),
                                 directional: [DirectionalLight(colour: vector([0.6, 0.6, 0.6]), direction: vector([0.3, 0.3, 1]))])
        let shape = try g.renderMesh(face.mesh, vertices: g.constant(vertices), rotation: vector(p.rotation), translation: vector(p.translation),
                                     focal: vector([p.focal]), albedo: .colour(vector([0.9, 0.9, 0.9])), lights: lights,
                                     background: background, width: s, height: s, principalPoint: vector(p.principalPoint))
        let blend = try g.add(g.scale(shape.image, 0.7), g.scale(background, 0.3))
        let program = try Program(graph: g, outputs: [blend], device: device)
        try program.run()
        return try program.read(blend)
    }
}
