// The vertex symmetry map: each vertex's mirror counterpart across the face's midplane, from
// eos's reference symmetry list where given and by mirroring the mean shape elsewhere.
import Foundation

/// counterpart[i] is the vertex mirroring vertex i (0-based), [V].
public struct SymmetryMap: Sendable {
    public let counterpart: [Int]
    /// How many leading vertices the file gave (845 for the Surrey reference); the rest are derived.
    public let givenCount: Int

    /// Reads a symmetry list (one 1-based vertex number per line, a comment may follow the
    /// number) for the first n vertices, and derives the others from `meanVertices` [V]:
    /// vertex i's counterpart is the vertex nearest to i mirrored in x about the mean's centroid.
    public static func read(_ path: String, meanVertices: [SIMD3<Float>]) throws -> SymmetryMap {
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
        for i in lines.count..<v {
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
}
