// A triangle mesh as the file formats carry it: positions, optional texture coordinates and
// normals with their own per-corner indices (as OBJ does), optional vertex colours.

/// Dimension letters: V positions, T triangles, U texture coordinates, N normals.
public struct Mesh: Equatable, Sendable {
    /// [V] of (x, y, z).
    public var positions: [SIMD3<Float>]
    /// [T] of position indices, 0-based, counter-clockwise seen from the front.
    public var triangles: [SIMD3<Int32>]
    /// [U] of (u, v) with v running top-down (image row order), as the morphable model keeps
    /// them; OBJ files store 1 − v, and the OBJ reader and writer convert. Empty if none.
    public var textureCoordinates: [SIMD2<Float>]
    /// [T] of texture-coordinate indices per corner; empty exactly when there are no UVs.
    public var textureTriangles: [SIMD3<Int32>]
    /// [N] of (x, y, z); empty if none.
    public var normals: [SIMD3<Float>]
    /// [T] of normal indices per corner; empty exactly when there are no normals.
    public var normalTriangles: [SIMD3<Int32>]
    /// [V] of RGB in [0, 1], or empty.
    public var colors: [SIMD3<Float>]

    public init(positions: [SIMD3<Float>], triangles: [SIMD3<Int32>], textureCoordinates: [SIMD2<Float>] = [],
                textureTriangles: [SIMD3<Int32>] = [], normals: [SIMD3<Float>] = [], normalTriangles: [SIMD3<Int32>] = [],
                colors: [SIMD3<Float>] = []) {
        self.positions = positions
        self.triangles = triangles
        self.textureCoordinates = textureCoordinates
        self.textureTriangles = textureTriangles
        self.normals = normals
        self.normalTriangles = normalTriangles
        self.colors = colors
    }

    /// The model's mesh with `vertices` [V, 3] (from `MorphableModel.vertices`) and its UVs.
    public init(model: MorphableModel, vertices: HostTensor) throws {
        guard vertices.shape == [model.vertexCount, 3] else {
            throw EngineError.shapeMismatch(op: "Mesh(model:vertices:)", expected: "vertices [\(model.vertexCount), 3]",
                                            got: vertices.shape.shapeText)
        }
        let v = vertices.values
        self.init(positions: (0..<model.vertexCount).map { SIMD3(v[3 * $0], v[3 * $0 + 1], v[3 * $0 + 2]) },
                  triangles: model.triangles, textureCoordinates: model.textureCoordinates,
                  textureTriangles: model.textureCoordinates.isEmpty ? []
                      : model.textureTriangles.isEmpty ? model.triangles : model.textureTriangles)
    }
}
