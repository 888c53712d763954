// A latitude-longitude sphere with per-vertex UVs, generated in code: the renderer's synthetic
// test object and its large benchmark mesh.
import Numerics

public extension Mesh {
    /// A unit sphere of `rings` latitude bands and `segments` longitude bands: (rings + 1)·(segments + 1)
    /// vertices (the seam column repeated so UVs are per vertex) and 2·rings·segments triangles,
    /// counter-clockwise seen from outside (those touching a pole are degenerate and get culled).
    /// Vertex (i, j) is at polar angle θ = π·i/rings from +y and azimuth φ = 2π·j/segments from +z
    /// towards +x, with uv = (j/segments, i/rings) (v top-down: the north pole is the top row).
    static func uvSphere(rings: Int, segments: Int) -> Mesh {
        var positions: [SIMD3<Float>] = [], uv: [SIMD2<Float>] = []
        for i in 0...rings {
            let theta = Float.pi * Float(i) / Float(rings)
            for j in 0...segments {
                let phi = 2 * Float.pi * Float(j) / Float(segments)
                positions.append(SIMD3(Float.sin(theta) * Float.sin(phi), Float.cos(theta), Float.sin(theta) * Float.cos(phi)))
                uv.append(SIMD2(Float(j) / Float(segments), Float(i) / Float(rings)))
            }
        }
        var triangles: [SIMD3<Int32>] = []
        for i in 0..<rings {
            for j in 0..<segments {
                let a = Int32(i * (segments + 1) + j), c = a + Int32(segments + 1)
                triangles.append(SIMD3(a, c, c + 1))
                triangles.append(SIMD3(a, c + 1, a + 1))
            }
        }
        return Mesh(positions: positions, triangles: triangles, textureCoordinates: uv, textureTriangles: triangles)
    }
}
