// iBUG .pts landmark files (300-W): `version: 1`, `n_points: N`, `{`, N lines `x y`, `}`.
import Foundation

/// Landmark files in the iBUG / 300-W convention.
///
/// Coordinates: a .pts file counts pixels from 1 (the centre of the top-left pixel is
/// (1, 1), as the 300-W annotations and Matlab do). In memory they are 0-based pixel
/// centres (the top-left pixel's centre is (0, 0)): reading subtracts 1, writing adds it
/// back, so a read–write round trip reproduces the file's values.
public enum PTSFile {
    /// The points in file order, [N] of (x, y), 0-based pixel centres.
    public static func read(_ path: String) throws -> [SIMD2<Float>] {
        let text = try FileInput.text(path, what: "an iBUG .pts landmark file")
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        func bad(_ problem: String) -> EngineError { .badFile(path: path, problem: problem + " (expected an iBUG .pts file)") }
        guard let countLine = lines.firstIndex(where: { $0.hasPrefix("n_points") }),
              let n = Int(lines[countLine].drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)), n >= 0 else {
            throw bad("no 'n_points: N' line")
        }
        guard let open = lines.firstIndex(of: "{"), open > countLine else { throw bad("no '{' after n_points") }
        guard let close = lines.lastIndex(of: "}"), close > open else { throw bad("no closing '}'") }
        let body = lines[open + 1..<close]
        guard body.count == n else { throw bad("n_points says \(n) but \(body.count) point lines follow") }
        return try body.enumerated().map { k, line in
            let numbers = line.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard numbers.count == 2, numbers.allSatisfy(\.isFinite) else {
                throw bad("point \(k + 1) is '\(line)', not two finite numbers x y")
            }
            return SIMD2(Float(numbers[0] - 1), Float(numbers[1] - 1))
        }
    }

    /// Writes `points` [N] of (x, y), 0-based pixel centres, as a 1-based .pts file, atomically.
    public static func write(_ points: [SIMD2<Float>], to path: String) throws {
        let body = points.map { "\(Double($0.x) + 1) \(Double($0.y) + 1)\n" }.joined()
        try AtomicWrite.write(text: "version: 1\nn_points: \(points.count)\n{\n" + body + "}\n", to: path)
    }
}
