// Wavefront OBJ meshes: read v, vt, vn and f (any slash form, negative indices, polygons
// fan-triangulated); write OBJ with an MTL file and a PNG texture beside it.
import Foundation

public enum OBJFile {
    /// Reads positions (`v x y z`, or `v x y z r g b` with vertex colours), `vt`, `vn` and faces.
    /// Texture v is turned to top-down (1 − v). Other statements (o, g, s, usemtl, mtllib, l)
    /// are skipped. Every face must use the same corner form (all with vt or none, likewise vn).
    public static func read(_ path: String) throws -> Mesh {
        let text = try FileInput.text(path, what: "an OBJ mesh")
        var mesh = Mesh(positions: [], triangles: [])
        var faceForm: (uv: Bool, normal: Bool)?
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            func bad(_ problem: String) -> EngineError { .badFile(path: path, problem: "line \(index + 1): \(problem)") }
            let words = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let keyword = words.first else { continue }
            func numbers<T: BinaryFloatingPoint & LosslessStringConvertible>(_ counts: Set<Int>, _: T.Type = Float.self) throws -> [T] {
                let values = words.dropFirst().compactMap { T(String($0)) }.filter(\.isFinite)
                guard values.count == words.count - 1, counts.contains(values.count) else {
                    throw bad("'\(raw)' needs \(counts.sorted().map(String.init).joined(separator: " or ")) finite numbers")
                }
                return values
            }
            switch keyword {
            case "v":
                let p = try numbers([3, 4, 6])
                mesh.positions.append(SIMD3(p[0], p[1], p[2]))
                if p.count == 6 { mesh.colors.append(SIMD3(p[3], p[4], p[5])) }
            case "vt":
                let t = try numbers([1, 2, 3], Double.self)   // 1 − v in Double: exact for a written Float v
                mesh.textureCoordinates.append(SIMD2(Float(t[0]), Float(1 - (t.count > 1 ? t[1] : 0))))
            case "vn":
                let n = try numbers([3])
                mesh.normals.append(SIMD3(n[0], n[1], n[2]))
            case "f":
                let corners = try words.dropFirst().map { try corner($0, mesh, bad) }
                guard corners.count >= 3 else { throw bad("a face needs at least 3 corners, got \(corners.count)") }
                let form = (uv: corners[0].uv != nil, normal: corners[0].normal != nil)
                guard corners.allSatisfy({ ($0.uv != nil, $0.normal != nil) == form }),
                      faceForm.map({ $0 == form }) ?? true else {
                    throw bad("faces mix corner forms (with and without vt or vn); use one form throughout")
                }
                faceForm = form
                for k in 1..<corners.count - 1 {
                    let (a, b, c) = (corners[0], corners[k], corners[k + 1])
                    mesh.triangles.append(SIMD3(a.position, b.position, c.position))
                    if form.uv { mesh.textureTriangles.append(SIMD3(a.uv!, b.uv!, c.uv!)) }
                    if form.normal { mesh.normalTriangles.append(SIMD3(a.normal!, b.normal!, c.normal!)) }
                }
            default:
                continue
            }
        }
        guard !mesh.positions.isEmpty else { throw EngineError.badFile(path: path, problem: "has no vertices (v lines); not an OBJ mesh") }
        guard mesh.colors.isEmpty || mesh.colors.count == mesh.positions.count else {
            throw EngineError.badFile(path: path, problem: "only some vertices have colours (v x y z r g b)")
        }
        return mesh
    }

    /// One face corner `v`, `v/vt`, `v//vn` or `v/vt/vn`: 1-based, or negative counting back
    /// from the last element so far; returned 0-based and checked.
    private static func corner(_ word: Substring, _ mesh: Mesh, _ bad: (String) -> EngineError) throws
        -> (position: Int32, uv: Int32?, normal: Int32?) {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        func index(_ k: Int, _ count: Int, _ what: String) throws -> Int32? {
            guard k < parts.count, !parts[k].isEmpty else { return nil }
            guard let n = Int(parts[k]), n != 0 else { throw bad("'\(word)': '\(parts[k])' is not a \(what) index") }
            let zeroBased = n > 0 ? n - 1 : count + n
            guard (0..<count).contains(zeroBased) else {
                throw bad("'\(word)': \(what) index \(n) is out of range (there are \(count) so far)")
            }
            return Int32(zeroBased)
        }
        guard parts.count <= 3, let position = try index(0, mesh.positions.count, "vertex") else {
            throw bad("'\(word)' is not a face corner (v, v/vt, v//vn or v/vt/vn)")
        }
        return (position, try index(1, mesh.textureCoordinates.count, "texture"),
                try index(2, mesh.normals.count, "normal"))
    }

    /// Writes `mesh` as OBJ at `path` (vt written as 1 − v). With a `texture` [H, W, C], also
    /// writes `<textureName>.png` (default `<name>.png`) and `<name>.mtl` beside it (material "face",
    /// map_Kd the PNG) and refers to them, so the mesh opens textured in Blender or MeshLab. Each file is written
    /// atomically. Numbers are written in full (shortest round-tripping) precision, so reading
    /// the file back gives the same mesh.
    public static func write(_ mesh: Mesh, to path: String, texture: HostTensor? = nil, textureName: String? = nil) throws {
        let base = URL(fileURLWithPath: path).deletingPathExtension()
        let name = base.lastPathComponent, png = (textureName ?? name) + ".png"
        var text = "# written by ganfit-gpu\n"
        if let texture {
            try PNGFile.write(texture, to: base.deletingLastPathComponent().path + "/" + png)
            try AtomicWrite.write(text: "newmtl face\nKa 1 1 1\nKd 1 1 1\nKs 0 0 0\nd 1\nillum 1\nmap_Kd \(png)\n",
                                  to: base.path + ".mtl")
            text += "mtllib \(name).mtl\nusemtl face\n"
        }
        for (k, p) in mesh.positions.enumerated() {
            text += "v \(p.x) \(p.y) \(p.z)"
            text += mesh.colors.isEmpty ? "\n" : " \(mesh.colors[k].x) \(mesh.colors[k].y) \(mesh.colors[k].z)\n"
        }
        for t in mesh.textureCoordinates { text += "vt \(t.x) \(1 - Double(t.y))\n" }
        for n in mesh.normals { text += "vn \(n.x) \(n.y) \(n.z)\n" }
        for (k, t) in mesh.triangles.enumerated() {
            text += "f"
            for c in 0..<3 {
                text += " \(t[c] + 1)"
                if !mesh.textureTriangles.isEmpty { text += "/\(mesh.textureTriangles[k][c] + 1)" }
                if !mesh.normalTriangles.isEmpty { text += (mesh.textureTriangles.isEmpty ? "//" : "/") + "\(mesh.normalTriangles[k][c] + 1)" }
            }
            text += "\n"
        }
        try AtomicWrite.write(text: text, to: path)
    }
}
