// Stage 2's mirror term: a face's albedo is nearly left–right symmetric, so at each vertex the
// photo's colour over its shading should equal that at its mirror vertex. The photo is sampled where
// the current shape puts each vertex (not through a texture fixed at stage 1's shape), so the term's
// gradient moves the surface itself: where a pair's projections land on differently coloured skin
// the shape or the pose is wrong (the mirror acts as a second camera), and where the photo's
// brightness ratio differs from the shading's, the normals are. In logarithms, so the light's overall
// scale does not matter, under Cauchy's robust penalty, so hair, highlights, cast shadows and the
// crop's padding count little. Pairs count only where both vertices face the camera unoccluded at the
// stage's start (fixed weights, so the fit cannot lower the term by hiding pairs).

struct MirrorTerm {
    /// The pairs' weighted mean penalty of their log-albedo differences (per colour channel).
    let loss: Value
    /// [V, 1] input: each vertex's pair weight (`pairWeights`).
    let weights: Value

    /// Colours and shading below this are clamped before the logarithm.
    static let floor: Float = 0.02
    /// c in the penalty c²·log(1 + d²/c²) of a log-albedo difference d: quadratic below, logarithmic
    /// above (0.15: a 16% difference in albedo).
    static let outlierScale: Float = 0.15
    /// Depth (mm) behind the nearest surface at which a vertex counts as hidden.
    static let occlusionTolerance: Float = 5

    /// The term of one photo: its `screen` vertices [V, 3] on the `size`² crop `photo` [S, S, 3] and
    /// their camera-frame unit `normals` [V, 3] (a render's), lit by `light` [9, 3]; `weights` is the
    /// input named `weightsName`.
    init(
        _ g: Graph, symmetry: SymmetryMap, screen: Value, normals: Value, light: Value, photo: Value,
        size: Int, weightsName: String
    ) throws {
        let vertexCount = screen.shape[0]
        weights = g.input(weightsName, [vertexCount, 1])
        let colours = try g.sampleTexture(photo, uv: TextureProjection.photoUV(g, screen: screen, size: size))
        let shading = try g.matmul(g.apply(SphericalHarmonicsBasis(), normals), light)
        let albedo = try g.sub(
            g.log(g.clamp(colours, Self.floor, .greatestFiniteMagnitude)),
            g.log(g.clamp(shading, Self.floor, .greatestFiniteMagnitude)))
        let mirror = g.constant(HostTensor([vertexCount], indices: symmetry.counterpart.map(Int32.init)))
        let difference = try g.sub(albedo, g.gather(albedo, mirror))
        let c = Self.outlierScale
        let penalty = try g.scale(g.log(g.scale(g.square(difference), 1 / (c * c), plus: 1)), c * c)
        loss = try g.div(g.sum(g.mul(weights, penalty)), g.scale(g.sum(weights), 3, plus: 1e-6))
    }

    /// [V, 1] per vertex: how squarely and unoccluded the camera sees it and its mirror vertex at
    /// `parameters` on a `size`² crop (the product of the two; `TextureProjection`'s facing and
    /// visibility), 0 on the midline (a vertex that is its own mirror).
    static func pairWeights(
        _ face: FitModel, symmetry: SymmetryMap, parameters: FaceParameters, size s: Int,
        settings: FitSettings, device: any Backend
    ) throws -> HostTensor {
        let g = Graph()
        let view = try FaceGraph(g, face: face, settings: settings).first
        let welded = try RenderMesh(g, triangles: face.mesh.triangles, vertexCount: face.mesh.positions.count)
        let screen = try view.screen(g, size: s)
        let nearest = try g.sampleTexture(
            TextureProjection.depthImage(g, screen: screen, welded, size: s),
            uv: TextureProjection.photoUV(g, screen: screen, size: s))
        let seen = try g.mul(
            TextureProjection.facing(g, g.cameraNormals(view.vertices, rotation: view.rotation, welded)),
            TextureProjection.visibility(
                g, depth: g.slice(screen, axis: 1, 2..<3), nearest: nearest, tolerance: occlusionTolerance))
        let program = try Program(graph: g, outputs: [seen], device: device)
        for (name, value) in parameters.geometryFeeds() { try program.set(name, value) }
        try program.run()
        let values = try program.read(seen).values
        let pairs = values.indices.map { v -> Float in
            let m = symmetry.counterpart[v]
            return m == v ? 0 : values[v] * values[m]
        }
        return HostTensor([pairs.count, 1], pairs)
    }
}
