// A novel view of the fit: the fitted mesh with its texture seen from straight ahead under an even
// light, over grey, and its 68 landmarks in that view (fixed jaw vertices, see `SynthLandmarks`).
// People look at it to judge the shape (the render over the photo hides shape errors behind the
// photo's own pixels), and the identity judge compares it with the photo.

/// The frontal view's picture and landmarks.
public struct FrontalView {
    /// [S, S, 3] in [0, 1].
    public let image: HostTensor
    /// [68] 0-based pixel centres of the view's landmarks.
    public let landmarks: [SIMD2<Float>]

    /// The side of the view in pixels.
    public static let size = 256

    /// `vertices` [V, 3] (model units) with `texture` [T, T, 3], no rotation, framed by
    /// `MeshRenderGraph`'s rule (the mesh's bounding sphere over 90% of the side).
    public init(_ face: FitModel, vertices: HostTensor, texture: HostTensor, device: any Backend) throws {
        let mesh = try Mesh(model: face.model, vertices: vertices)
        var settings = RenderSettings(width: Self.size, height: Self.size)
        settings.ambient = [0.75, 0.75, 0.75]
        settings.lights = [([0.25, 0.25, 0.25], [0, 0.3, 1])]
        settings.background = [0.5, 0.5, 0.5]
        let render = try MeshRenderGraph(mesh: mesh, textureShape: texture.shape, settings: settings)
        let feeds = try MeshRenderGraph.feeds(mesh: mesh, texture: texture, settings: settings)
        let program = try Program(graph: render.graph, outputs: [render.image], device: device)
        for (name, value) in feeds where render.graph.leaf(named: name) != nil { try program.set(name, value) }
        try program.run()
        image = try program.read(render.image)
        // The pinhole of `Graph.project` with no rotation, on the host for 68 points.
        let t = feeds["translation"]!.values, f = settings.focalLength, half = Float(Self.size) / 2
        let screen = mesh.positions.map { v -> SIMD2<Float> in
            let depth = -(v.z + t[2])
            return SIMD2(half + f * (v.x + t[0]) / depth, half - f * (v.y + t[1]) / depth)
        }
        landmarks = SynthLandmarks.points(SynthLandmarks.vertices(face), screen: screen)
    }
}
