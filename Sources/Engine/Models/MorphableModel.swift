// A 3D morphable model as eos stores it: shape PCA, optional colour PCA, optional expression
// model, landmark definitions and texture coordinates, checked for consistency on creation.

/// A linear face model: vertices S = mean + B_s·p_s + B_e·p_e over a fixed triangle mesh.
///
/// Dimension letters: V vertices, D = 3·V, Ks shape components, Ke expression coefficients.
public struct MorphableModel: Sendable {
    /// Identity shape model; its triangles are the mesh.
    public let shape: PCAModel
    /// Per-vertex colour (albedo) model; empty for shape-only models such as the Surrey one.
    public let color: PCAModel
    /// Blendshapes or expression PCA, if any.
    public let expression: ExpressionModel?
    /// Named landmarks (eos archive version ≥ 3) → vertex index, 0-based.
    public let landmarkDefinitions: [String: Int]
    /// (u, v) per vertex, or per UV-index when `textureTriangles` is given; v runs top-down
    /// (image row order), so an OBJ `vt` is (u, 1 − v).
    public let textureCoordinates: [SIMD2<Float>]
    /// Triangles into `textureCoordinates` (eos version 4); empty when UVs are per vertex.
    public let textureTriangles: [SIMD3<Int32>]

    /// Checks that the parts agree (sizes, index ranges); errors name `source`, the file they came from.
    public init(shape: PCAModel, color: PCAModel, expression: ExpressionModel?, landmarkDefinitions: [String: Int],
                textureCoordinates: [SIMD2<Float>], textureTriangles: [SIMD3<Int32>], source: String) throws {
        func bad(_ problem: String) -> EngineError { EngineError.badFile(path: source, problem: problem) }
        guard shape.dimension > 0, shape.dimension % 3 == 0 else {
            throw bad("the shape mean has \(shape.dimension) rows; expected 3 per vertex (x, y, z), at least one vertex")
        }
        let vertices = shape.dimension / 3
        guard !shape.triangles.isEmpty else { throw bad("the shape model has no triangles") }
        try Self.checkTriangles(shape.triangles, below: vertices, what: "shape triangle", source: source)
        guard color.isEmpty || color.dimension == shape.dimension else {
            throw bad("the colour model has \(color.dimension) rows but the shape model \(shape.dimension)")
        }
        if let expression, expression.dimension != shape.dimension {
            throw bad("the expression model displaces \(expression.dimension) rows but the shape has \(shape.dimension)")
        }
        if let (name, index) = landmarkDefinitions.first(where: { !(0..<vertices).contains($0.value) }) {
            throw bad("landmark '\(name)' names vertex \(index), outside 0..<\(vertices)")
        }
        if textureTriangles.isEmpty {
            guard textureCoordinates.isEmpty || textureCoordinates.count == vertices else {
                throw bad("\(textureCoordinates.count) texture coordinates for \(vertices) vertices (and no texture triangles)")
            }
        } else {
            guard textureTriangles.count == shape.triangles.count else {
                throw bad("\(textureTriangles.count) texture triangles for \(shape.triangles.count) shape triangles")
            }
            try Self.checkTriangles(textureTriangles, below: textureCoordinates.count, what: "texture triangle", source: source)
        }
        self.shape = shape
        self.color = color
        self.expression = expression
        self.landmarkDefinitions = landmarkDefinitions
        self.textureCoordinates = textureCoordinates
        self.textureTriangles = textureTriangles
    }

    private static func checkTriangles(_ triangles: [SIMD3<Int32>], below count: Int, what: String, source: String) throws {
        for (t, triangle) in triangles.enumerated() {
            for k in 0..<3 where !(0..<count).contains(Int(triangle[k])) {
                throw EngineError.badFile(path: source, problem: "\(what) \(t) has index \(triangle[k]), outside 0..<\(count)")
            }
        }
    }

    /// The same model with `expression` in place of its own (blendshapes loaded from their own file).
    public func replacingExpression(_ expression: ExpressionModel, source: String) throws -> MorphableModel {
        try MorphableModel(shape: shape, color: color, expression: expression, landmarkDefinitions: landmarkDefinitions,
                           textureCoordinates: textureCoordinates, textureTriangles: textureTriangles, source: source)
    }

    /// V.
    public var vertexCount: Int { shape.dimension / 3 }
    /// The mesh's triangles, 0-based vertex indices.
    public var triangles: [SIMD3<Int32>] { shape.triangles }
    /// Ks.
    public var shapeComponentCount: Int { shape.componentCount }
    /// Ke (0 without an expression model).
    public var expressionCount: Int { expression?.count ?? 0 }

    /// The mean shape's vertices, [V] of (x, y, z).
    public var meanVertices: [SIMD3<Float>] {
        (0..<vertexCount).map { SIMD3(shape.mean[3 * $0], shape.mean[3 * $0 + 1], shape.mean[3 * $0 + 2]) }
    }
}
