// A whole render of a mesh as one graph: project, rasterize, albedo from a UV texture (or a
// plain colour), vertex normals, Lambert lights, composite over a background, antialias. Used by
// `ganfit-gpu render` and the renderer's benchmark.

/// Camera and lights of a render (see `Graph.project` for the camera conventions).
public struct RenderSettings {
    public var width: Int
    public var height: Int
    /// Axis-angle [3], radians.
    public var rotation: [Float] = [0, 0, 0]
    /// [3]; nil frames the mesh (centred, filling about 90% of the shorter side).
    public var translation: [Float]?
    /// Pixels; nil is 2·width (a field of view of about 28° across the width).
    public var focal: Float?
    public var ambient: [Float] = [0.25, 0.25, 0.25]
    /// (colour [3], direction [3]) per directional light.
    public var lights: [(colour: [Float], direction: [Float])] = [([0.6, 0.6, 0.55], [-0.5, 0.4, 1]), ([0.25, 0.25, 0.3], [0.7, -0.2, 0.6])]
    /// Albedo where there is no texture.
    public var colour: [Float] = [0.8, 0.65, 0.55]
    public var background: [Float] = [0, 0, 0]

    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }

    public var focalLength: Float { focal ?? 2 * Float(width) }
}

/// The graph of one render: its image [H, W, 3] and the leaves a caller may feed or differentiate.
public struct MeshRenderGraph {
    public let graph: Graph
    /// [H, W, 3].
    public let image: Value
    /// Inputs: "vertices" [V, 3], "rotation" [3], "translation" [3], "focal" [1], and
    /// "texture" [Ht, Wt, 3] when the render is textured.
    public let vertices: Value
    public let texture: Value?

    /// Builds the render of `mesh` (textured when `textureShape` is given and the mesh has UVs).
    public init(mesh: Mesh, textureShape: Shape?, settings s: RenderSettings) throws {
        let g = Graph()
        let v = mesh.positions.count, f = mesh.triangles.count
        let welded = try RenderMesh(g, triangles: mesh.triangles, vertexCount: v)
        vertices = g.input("vertices", [v, 3])
        let rotation = g.input("rotation", [3])
        let screen = try g.project(vertices, rotation: rotation, translation: g.input("translation", [3]),
                                   focal: g.input("focal", [1]), width: s.width, height: s.height)
        let normals = try g.matmul(g.vertexNormals(vertices, welded), g.rotationMatrix(axisAngle: rotation), transB: true)
        let raster: Rasterization, pixelNormals: Value, albedo: Value, rasterScreen: Value
        if let textureShape, !mesh.textureCoordinates.isEmpty {
            // UVs are per corner (seams): rasterize the unwelded mesh, one vertex per corner.
            let corners = try RenderMesh(g, triangles: (0..<Int32(f)).map { SIMD3(3 * $0, 3 * $0 + 1, 3 * $0 + 2) }, vertexCount: 3 * f)
            let uv = mesh.textureTriangles.flatMap { t in [t.x, t.y, t.z].flatMap { [mesh.textureCoordinates[Int($0)].x, mesh.textureCoordinates[Int($0)].y] } }
            rasterScreen = try g.cornerGather(screen, welded)
            raster = try g.rasterize(rasterScreen, corners, width: s.width, height: s.height)
            pixelNormals = try g.interpolate(g.cornerGather(normals, welded), raster)
            let texture = g.input("texture", textureShape)
            self.texture = texture
            albedo = try g.sampleTexture(texture, uv: g.interpolate(g.constant(HostTensor([3 * f, 2], uv)), raster))
        } else {
            rasterScreen = screen
            raster = try g.rasterize(screen, welded, width: s.width, height: s.height)
            pixelNormals = try g.interpolate(normals, raster)
            texture = nil
            albedo = try g.broadcast(g.constant(HostTensor([3], s.colour)), to: [s.height, s.width, 3])
        }
        let lights = s.lights.map { DirectionalLight(colour: g.constant(HostTensor([3], $0.colour)),
                                                     direction: g.constant(HostTensor([3], $0.direction))) }
        let shaded = try g.lambert(albedo: albedo, normals: pixelNormals, ambient: g.constant(HostTensor([3], s.ambient)), lights: lights)
        let background = try g.broadcast(g.constant(HostTensor([3], s.background)), to: [s.height, s.width, 3])
        image = try g.antialias(g.composite(shaded, over: background, raster), raster, screen: rasterScreen)
        graph = g
    }

    /// The feeds for `mesh` under `settings` (framing the mesh when no translation is given).
    public static func feeds(mesh: Mesh, texture: HostTensor?, settings s: RenderSettings) throws -> [String: HostTensor] {
        var feeds = [
            "vertices": HostTensor([mesh.positions.count, 3], mesh.positions.flatMap { [$0.x, $0.y, $0.z] }),
            "rotation": HostTensor([3], s.rotation),
            "translation": HostTensor([3], try s.translation ?? framingTranslation(mesh, s)),
            "focal": HostTensor([1], [s.focalLength]),
        ]
        feeds["texture"] = texture
        return feeds
    }

    /// t = (0, 0, −d) − R·centre: the bounding-box centre on the optical axis, at the distance d
    /// where the bounding sphere spans 90% of the shorter image side.
    static func framingTranslation(_ mesh: Mesh, _ s: RenderSettings) throws -> [Float] {
        guard let first = mesh.positions.first else {
            throw EngineError.shapeMismatch(op: "render", expected: "a mesh with vertices", got: "none")
        }
        let low = mesh.positions.reduce(first) { pointwiseMin($0, $1) }, high = mesh.positions.reduce(first) { pointwiseMax($0, $1) }
        let centre = (low + high) / 2
        let radius = mesh.positions.map { (($0 - centre) * ($0 - centre)).sum().squareRoot() }.max() ?? 1
        let rot = try Rodrigues().reference([HostTensor([3], s.rotation)])[0].values
        let distance = s.focalLength * radius / (0.45 * Float(Swift.min(s.width, s.height))) + radius
        return (0..<3).map { i in (i == 2 ? -distance : 0) - (rot[3 * i] * centre.x + rot[3 * i + 1] * centre.y + rot[3 * i + 2] * centre.z) }
    }
}
