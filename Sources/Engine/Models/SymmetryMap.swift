// The vertex symmetry map: each vertex's mirror counterpart across the face's midplane, from
// eos's reference symmetry list where given, elsewhere from a mirror-symmetric UV layout or by
// mirroring the mean shape.
import Foundation

/// counterpart[i] is the vertex mirroring vertex i (0-based), [V].
public struct SymmetryMap: Sendable {
    public let counterpart: [Int]
    /// How many leading vertices the file gave (845 for the Surrey reference); the rest are derived.
    public let givenCount: Int

    /// Reads a symmetry list (one 1-based vertex number per line, a comment may follow the
    /// number) for the first n vertices, and derives the others: vertex i's counterpart is the
    /// vertex whose UV is i's mirrored about u = 0.5 (within `uvTolerance`) when per-vertex
    /// `textureCoordinates` [V] are given and such a vertex exists (exact for the Surrey layout,
    /// which is mirror-symmetric: every vertex and triangle has its mirror at (1 − u, v)), else
    /// the vertex of `meanVertices` [V] nearest to i mirrored in x about the mean's centroid.
    public static func read(_ path: String, meanVertices: [SIMD3<Float>], textureCoordinates: [SIMD2<Float>] = [])
        throws -> SymmetryMap
    {
        let text = try FileInput.text(path, what: "a vertex symmetry list")
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let v = meanVertices.count
        guard lines.count <= v else {
            throw EngineError.badFile(path: path, problem: "lists \(lines.count) vertices but the model has \(v)")
        }
        var counterpart = try lines.enumerated().map { k, line -> Int in
            let first = line.prefix { !$0.isWhitespace }
            guard let number = Int(first), (1...lines.count).contains(number) else {
                throw EngineError.badFile(path: path, problem: "line \(k + 1): '\(first)' is not a vertex number in "
                                          + "1...\(lines.count) (1-based)")
            }
            return number - 1
        }
        let centre = meanVertices.reduce(SIMD3<Float>(), +).x / Float(Swift.max(v, 1))
        let uv = textureCoordinates.count == v ? textureCoordinates : []
        let byV = uv.indices.sorted { uv[$0].y < uv[$1].y }
        for i in lines.count..<v {
            if let j = uvMirror(of: i, uv, byV: byV) {
                counterpart.append(j)
                continue
            }
            var mirrored = meanVertices[i]
            mirrored.x = 2 * centre - mirrored.x
            var nearest = 0, best = Float.infinity
            for (j, vertex) in meanVertices.enumerated() {
                let d = vertex - mirrored, distance = (d * d).sum()
                if distance < best { (nearest, best) = (j, distance) }
            }
            counterpart.append(nearest)
        }
        return SymmetryMap(counterpart: counterpart, givenCount: lines.count)
    }

    /// UVs closer than this (in UV units) count as the same point.
    public static let uvTolerance: Float = 1e-5

    /// The vertex whose UV is vertex i's mirrored about u = 0.5, if one is within `uvTolerance`;
    /// `byV` lists the vertices in increasing v.
    private static func uvMirror(of i: Int, _ uv: [SIMD2<Float>], byV: [Int]) -> Int? {
        guard i < uv.count else { return nil }
        let target = SIMD2(1 - uv[i].x, uv[i].y)
        var low = 0, high = byV.count  // the first vertex with v ≥ target.v − tolerance
        while low < high {
            let mid = (low + high) / 2
            if uv[byV[mid]].y < target.y - uvTolerance { low = mid + 1 } else { high = mid }
        }
        for j in byV[low...] {
            if uv[j].y > target.y + uvTolerance { break }
            let d = uv[j] - target
            if (d * d).sum() <= uvTolerance * uvTolerance { return j }
        }
        return nil
    }
}
