// PLY meshes, binary little-endian: float x y z and (if the mesh has them) uchar red green
// blue per vertex, and a uchar-counted int list per triangle.

public enum PLYFile {
    /// Writes `mesh` (positions, triangles, and `colors` [V] in [0, 1] when present, rounded to
    /// 0–255) as a binary little-endian PLY, atomically. UVs and normals are not written.
    public static func write(_ mesh: Mesh, to path: String) throws {
        let colored = !mesh.colors.isEmpty
        guard !colored || mesh.colors.count == mesh.positions.count else {
            throw EngineError.badFile(path: path, problem: "cannot write \(mesh.colors.count) colours for \(mesh.positions.count) vertices")
        }
        var header = "ply\nformat binary_little_endian 1.0\ncomment written by ganfit-gpu\n"
        header += "element vertex \(mesh.positions.count)\nproperty float x\nproperty float y\nproperty float z\n"
        if colored { header += "property uchar red\nproperty uchar green\nproperty uchar blue\n" }
        header += "element face \(mesh.triangles.count)\nproperty list uchar int vertex_indices\nend_header\n"
        var out = ByteWriter()
        out.append(text: header)
        for (k, p) in mesh.positions.enumerated() {
            out.append([p.x, p.y, p.z])
            if colored {
                for c in 0..<3 { out.append(UInt8((Swift.min(Swift.max(mesh.colors[k][c], 0), 1) * 255).rounded())) }
            }
        }
        for t in mesh.triangles {
            out.append(UInt8(3))
            for c in 0..<3 { out.append(t[c]) }
        }
        try AtomicWrite.write(out.data, to: path)
    }
}
