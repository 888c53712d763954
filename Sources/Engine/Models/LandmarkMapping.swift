// The iBUG-68 → model vertex mapping of eos's ibug_to_sfm.txt: a small TOML subset with the
// tables [landmark_mappings] (number = vertex) and [contour_landmarks] (right/left arrays).
import Foundation

/// Which model vertex each iBUG landmark corresponds to, and which landmarks are jaw contour.
///
/// iBUG numbers are 1-based (1…68, as in the 300-W annotations); vertex indices are 0-based.
public struct LandmarkMapping: Sendable {
    /// iBUG number → vertex index, for the landmarks with a fixed vertex.
    public let vertices: [Int: Int]
    /// iBUG numbers of the subject's right and left jaw contour; their vertices depend on the
    /// pose (see `ModelContour.correspondences`).
    public let rightContour: [Int]
    public let leftContour: [Int]

    /// Reads the mapping and checks each vertex index against `vertexCount`.
    ///
    /// Accepted syntax: `# comments`, `[table]` headers, `key = integer` and `key = [a, b, …]`
    /// (arrays may span lines). Tables other than the two above are skipped.
    public static func read(_ path: String, vertexCount: Int) throws -> LandmarkMapping {
        let text = try FileInput.text(path, what: "a landmark mapping (TOML)")
        var table = "", vertices: [Int: Int] = [:], contours: [String: [Int]] = [:]
        var pending: (key: String, line: Int, text: String)?
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            func bad(_ problem: String) -> EngineError { .badFile(path: path, problem: "line \(number): \(problem)") }
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            if var open = pending {
                open.text += " " + line
                pending = line.contains("]") ? nil : open
                if pending == nil { contours[open.key] = try integers(open.text, bad) }
                continue
            }
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw bad("a table header must end with ]") }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw bad("expected key = value, got '\(line)'") }
            switch table {
            case "landmark_mappings":
                guard let landmark = Int(parts[0]), landmark >= 1, let vertex = Int(parts[1]) else {
                    throw bad("expected iBUG number (≥ 1) = vertex index, got '\(line)'")
                }
                guard (0..<vertexCount).contains(vertex) else {
                    throw bad("landmark \(landmark) maps to vertex \(vertex), outside the model's 0..<\(vertexCount)")
                }
                vertices[landmark] = vertex
            case "contour_landmarks":
                guard parts[1].hasPrefix("[") else { throw bad("\(parts[0]) must be an array [ … ]") }
                if parts[1].contains("]") {
                    contours[parts[0]] = try integers(parts[1], bad)
                } else {
                    pending = (parts[0], number, parts[1])
                }
            default:
                continue
            }
        }
        if let open = pending {
            throw EngineError.badFile(path: path, problem: "line \(open.line): the array \(open.key) is never closed with ]")
        }
        return LandmarkMapping(vertices: vertices, rightContour: contours["right"] ?? [], leftContour: contours["left"] ?? [])
    }

    /// `points` [68] with the inner mouth corners 61 and 65, which have no model vertex, set to the
    /// mean of the outer corner and the two inner lip points beside it (49, 62, 68 and 55, 64, 66).
    public static func withInnerMouthCorners(_ points: [SIMD2<Float>]) -> [SIMD2<Float>] {
        var points = points
        for (corner, neighbours) in [(61, [49, 62, 68]), (65, [55, 64, 66])] {
            points[corner - 1] = neighbours.map { points[$0 - 1] }.reduce(.zero, +) / Float(neighbours.count)
        }
        return points
    }

    /// The integers of "[1, 2, 3]" (a trailing comma allowed), each ≥ 1.
    private static func integers(_ array: String, _ bad: (String) -> EngineError) throws -> [Int] {
        let inner = array.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }
        return try inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            guard let value = Int($0), value >= 1 else { throw bad("'\($0)' is not an iBUG landmark number (≥ 1)") }
            return value
        }
    }
}
