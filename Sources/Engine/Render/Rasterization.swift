// The rasterization pipeline as graph builders: setup (bounds), ids, differentiable
// barycentrics, and interpolation of attributes through them.

/// One rasterized view: ids [H, W] (−1 where empty), bounds [F, 4], barycentrics [H, W, 3]
/// (differentiable w.r.t. the screen vertices), and the mesh they index.
public struct Rasterization {
    public let mesh: RenderMesh
    public let ids: Value
    public let bounds: Value
    public let barycentrics: Value
    public var height: Int { ids.shape[0] }
    public var width: Int { ids.shape[1] }
}

public extension Graph {
    /// Rasterizes screen vertices [V, 3] (x_px, y_px, depth, from `project`) of `mesh` into a
    /// `width`×`height` image; triangles with a vertex nearer than `near` are culled.
    func rasterize(_ screen: Value, _ mesh: RenderMesh, width: Int, height: Int, near: Float = 1e-3) throws -> Rasterization {
        guard screen.shape == [mesh.vertexCount, 3] else {
            throw EngineError.shapeMismatch(op: "rasterize", expected: "screen [\(mesh.vertexCount), 3]", got: screen.type.description)
        }
        let bounds = try apply(TriangleBounds(width: width, height: height, near: near), screen, mesh.triangles)
        let ids = try apply(Rasterize(width: width, height: height), screen, mesh.triangles, bounds)
        let bary = try apply(Barycentrics(), screen, mesh.triangles, mesh.cornersByVertex, ids, bounds)
        return Rasterization(mesh: mesh, ids: ids, bounds: bounds, barycentrics: bary)
    }

    /// `mesh`'s UV layout rasterized into a `size`² texel grid: the unwelded corners of `welded` (the
    /// mesh's triangles) placed at their UVs, so a texel interpolates per-corner attributes of the
    /// surface point it shows (`cornerGather` turns per-vertex ones into per-corner).
    func rasterizeUVLayout(_ mesh: Mesh, _ welded: RenderMesh, size: Int) throws -> Rasterization {
        let corners = mesh.textureTriangles.flatMap { [$0.x, $0.y, $0.z] }.flatMap { k -> [Float] in
            let c = mesh.textureCoordinates[Int(k)]
            return [c.x * Float(size), c.y * Float(size), 1]
        }
        return try rasterize(constant(HostTensor([corners.count / 3, 3], corners)), welded.unwelded(self), width: size, height: size)
    }

    /// Per-pixel attributes [H, W, C] of per-vertex attributes [V, C] (zero where empty).
    func interpolate(_ attributes: Value, _ raster: Rasterization) throws -> Value {
        try apply(Interpolate(), attributes, raster.mesh.triangles, raster.mesh.cornersByVertex, raster.ids,
                  raster.bounds, raster.barycentrics)
    }
}
