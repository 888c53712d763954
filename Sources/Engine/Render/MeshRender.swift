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

    /// Builds the render of `mesh`, textured when `textureShape` is given (the mesh must have UVs).
    public init(mesh: Mesh, textureShape: Shape?, settings: RenderSettings) throws {
        let g = Graph()
        vertices = g.input("vertices", [mesh.positions.count, 3])
        texture = textureShape.map { g.input("texture", $0) }
        image = try g.renderMesh(mesh, vertices: vertices, rotation: g.input("rotation", [3]), translation: g.input("translation", [3]),
                                 focal: g.input("focal", [1]), texture: texture, settings: settings)
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

/// A render as graph values: the image and what losses over it need.
public struct MeshRenderOutputs {
    /// [H, W, 3], antialiased, composited over the background.
    public let image: Value
    /// [H, W, 1]: 1 where the mesh is visible, 0 elsewhere (before antialiasing).
    public let coverage: Value
    /// [V, 3]: the vertices' (x_px, y_px, depth) (see `project`).
    public let screen: Value
    /// [V, 3]: the unit vertex normals in the camera's frame (`cameraNormals`).
    public let normals: Value
}

/// The lights of a render as graph values: ambient colour [3] and directional lights.
public struct SceneLights {
    public let ambient: Value
    public let directional: [DirectionalLight]

    public init(ambient: Value, directional: [DirectionalLight]) { (self.ambient, self.directional) = (ambient, directional) }
}

public extension Graph {
    /// The image [H, W, 3] of `mesh` (its triangles and UVs) with `vertices` [V, 3], seen by the
    /// camera (rotation [3], translation [3], focal [1]; see `project`), with the albedo sampled
    /// from `texture` [Ht, Wt, 3] where given (the mesh must have UVs), else `settings.colour`, lit by
    /// the settings' ambient and directional lights, over their background, antialiased.
    func renderMesh(_ mesh: Mesh, vertices: Value, rotation: Value, translation: Value, focal: Value, texture: Value?,
                    settings s: RenderSettings) throws -> Value {
        let lights = SceneLights(ambient: constant(HostTensor([3], s.ambient)), directional: s.lights.map {
            DirectionalLight(colour: constant(HostTensor([3], $0.colour)), direction: constant(HostTensor([3], $0.direction)))
        })
        return try renderMesh(mesh, vertices: vertices, rotation: rotation, translation: translation, focal: focal,
                              albedo: texture.map { .texture($0) } ?? .colour(constant(HostTensor([3], s.colour))), lights: lights,
                              background: constant(HostTensor([3], s.background)), width: s.width, height: s.height).image
    }

    /// The render of `mesh` lit by `lights` (Lambert); see the `shading:` form.
    func renderMesh(_ mesh: Mesh, vertices: Value, rotation: Value, translation: Value, focal: Value, albedo source: MeshAlbedo,
                    lights: SceneLights, background: Value, width: Int, height: Int, principalPoint: Value? = nil) throws
        -> MeshRenderOutputs {
        try renderMesh(mesh, vertices: vertices, rotation: rotation, translation: translation, focal: focal, albedo: source,
                       shading: .lambert(lights), background: background, width: width, height: height, principalPoint: principalPoint)
    }

    /// The render of `mesh` with `vertices` [V, 3] seen by the camera (rotation [3], translation
    /// [3], focal [1], principal point [2] or the image centre; see `project`), its albedo from `albedo`, shaded by `shading`, composited
    /// over `background` ([3], or [H, W, 3] such as a photo), antialiased; all operands may be
    /// parameters (the fit differentiates them).
    func renderMesh(_ mesh: Mesh, vertices: Value, rotation: Value, translation: Value, focal: Value, albedo source: MeshAlbedo,
                    shading: MeshShading, background: Value, width: Int, height: Int, principalPoint: Value? = nil) throws
        -> MeshRenderOutputs {
        let f = mesh.triangles.count
        let welded = try RenderMesh(self, triangles: mesh.triangles, vertexCount: mesh.positions.count)
        let screen = try project(vertices, rotation: rotation, translation: translation, focal: focal, width: width, height: height,
                                 principalPoint: principalPoint)
        let normals = try cameraNormals(vertices, rotation: rotation, welded)
        let raster: Rasterization, pixelNormals: Value, albedo: Value, rasterScreen: Value
        switch source {
        case .texture(let texture):
            guard !mesh.textureCoordinates.isEmpty else {
                throw EngineError.shapeMismatch(op: "render", expected: "texture coordinates for the texture", got: "a mesh without uv")
            }
            // UVs are per corner (seams): rasterize the unwelded mesh, one vertex per corner.
            let corners = welded.unwelded(self)
            let uv = mesh.textureTriangles.flatMap { t in [t.x, t.y, t.z].flatMap { [mesh.textureCoordinates[Int($0)].x, mesh.textureCoordinates[Int($0)].y] } }
            rasterScreen = try cornerGather(screen, welded)
            raster = try rasterize(rasterScreen, corners, width: width, height: height)
            pixelNormals = try interpolate(cornerGather(normals, welded), raster)
            albedo = try sampleTexture(texture, uv: interpolate(constant(HostTensor([3 * f, 2], uv)), raster))
        case .colour(let colour), .vertexColours(let colour):
            rasterScreen = screen
            raster = try rasterize(screen, welded, width: width, height: height)
            pixelNormals = try interpolate(normals, raster)
            if case .colour = source {
                albedo = try broadcast(colour, to: [height, width, 3])
            } else {
                albedo = try interpolate(colour, raster)
            }
        }
        let shaded: Value
        switch shading {
        case .lambert(let lights):
            shaded = try lambert(albedo: albedo, normals: pixelNormals, ambient: lights.ambient, lights: lights.directional)
        case .sphericalHarmonics(let coefficients):
            shaded = try sphericalHarmonics(albedo: albedo, normals: pixelNormals, coefficients: coefficients)
        }
        let image = try antialias(composite(shaded, over: background, raster), raster, screen: rasterScreen)
        return MeshRenderOutputs(
            image: image, coverage: try coverage(raster), screen: screen, normals: normals)
    }
}

/// Where a render's albedo comes from.
public enum MeshAlbedo {
    /// A UV map [Ht, Wt, 3] sampled at the mesh's texture coordinates.
    case texture(Value)
    /// One colour [3] everywhere.
    case colour(Value)
    /// A colour per vertex [V, 3], interpolated across the triangles (heat maps).
    case vertexColours(Value)
}

/// How a render shades its albedo.
public enum MeshShading {
    /// Ambient plus directional lights (Lambert).
    case lambert(SceneLights)
    /// Irradiance from 9 spherical-harmonics coefficients [9, 3] per colour channel.
    case sphericalHarmonics(Value)
}
