// The left–right mirror of a UV layout: for each texel, the UV of its surface point's mirror image
// across the face's midplane (the same barycentrics on the mirror triangle, through the vertex
// symmetry map), and which texels the layout covers. The Surrey layout is itself mirror-symmetric,
// so there the mirror of (u, v) is exactly (1 − u, v); the construction does not assume it.

/// Per texel of a T×T UV map: where its mirror point lies, and whether the layout covers it.
struct UVSymmetry {
    /// [T, T, 2] the UV of each texel's mirror point (the texel's own centre outside the layout).
    let mirror: HostTensor
    /// [T, T, 1]: 1 where the layout covers the texel, 0 elsewhere.
    let coverage: HostTensor
    /// Triangles with no mirror triangle (their corners take their mirror vertices' first UVs).
    let unpairedTriangles: Int

    var size: Int { mirror.shape[0] }

    /// The mirror map of `mesh`'s UV layout at `size`² texels, through `symmetry`; rasterized on `device`.
    init(mesh: Mesh, symmetry: SymmetryMap, size t: Int, device: any Backend) throws {
        guard !mesh.textureCoordinates.isEmpty, mesh.textureTriangles.count == mesh.triangles.count,
            symmetry.counterpart.count == mesh.positions.count
        else {
            throw EngineError.shapeMismatch(
                op: "UVSymmetry",
                expected: "a mesh with UVs and a symmetry map of its \(mesh.positions.count) vertices",
                got: "\(mesh.textureTriangles.count) UV triangles, a map of "
                    + "\(symmetry.counterpart.count) vertices")
        }
        let (mirrorCorners, unpaired) = Self.mirrorCornerUVs(mesh, symmetry)
        let g = Graph()
        let raster = try g.rasterizeUVLayout(
            mesh, RenderMesh(g, triangles: mesh.triangles, vertexCount: mesh.positions.count), size: t)
        let attributes: [Float] = mirrorCorners.flatMap { [$0.x, $0.y, 1] }
        let texel = try g.interpolate(g.constant(HostTensor([mirrorCorners.count, 3], attributes)), raster)
        let program = try Program(graph: g, outputs: [texel], device: device)
        try program.run()
        let values = try program.read(texel).values
        var mirror = [Float](repeating: 0, count: t * t * 2)
        var coverage = [Float](repeating: 0, count: t * t)
        for i in 0..<t * t {
            let covered = values[3 * i + 2] > 0.5
            let centre = texelCentre(i, side: t)
            coverage[i] = covered ? 1 : 0
            mirror[2 * i] = covered ? values[3 * i] : centre.x
            mirror[2 * i + 1] = covered ? values[3 * i + 1] : centre.y
        }
        self.mirror = HostTensor([t, t, 2], mirror)
        self.coverage = HostTensor([t, t, 1], coverage)
        unpairedTriangles = unpaired
    }

    /// Per corner [3F] of `mesh`, the UV of the same corner of the mirror triangle (the triangle of
    /// the corners' mirror vertices); and how many triangles have none.
    static func mirrorCornerUVs(_ mesh: Mesh, _ symmetry: SymmetryMap) -> ([SIMD2<Float>], Int) {
        func key(_ a: Int32, _ b: Int32, _ c: Int32) -> [Int32] { [a, b, c].sorted() }
        var triangleOf: [[Int32]: Int] = [:]
        var firstUV: [Int32: Int32] = [:]
        for (f, tri) in mesh.triangles.enumerated() {
            triangleOf[key(tri.x, tri.y, tri.z)] = f
            for k in 0..<3 where firstUV[tri[k]] == nil { firstUV[tri[k]] = mesh.textureTriangles[f][k] }
        }
        var uvs: [SIMD2<Float>] = []
        var unpaired = 0
        for tri in mesh.triangles {
            let m = (0..<3).map { Int32(symmetry.counterpart[Int(tri[$0])]) }
            let partner = triangleOf[key(m[0], m[1], m[2])]
            if partner == nil { unpaired += 1 }
            for k in 0..<3 {
                var index = firstUV[m[k]] ?? 0
                if let f = partner, let j = (0..<3).first(where: { mesh.triangles[f][$0] == m[k] }) {
                    index = mesh.textureTriangles[f][j]
                }
                uvs.append(mesh.textureCoordinates[Int(index)])
            }
        }
        return (uvs, unpaired)
    }
}
