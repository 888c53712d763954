// 3D landmark files for `evaluate`: 68 rows of `x y z` in iBUG order (1…68), `#` comments and
// blank lines allowed (commas between numbers too), read in Double.
import Foundation

public enum LandmarkPointsFile {
    /// iBUG-68: the number of rows a file must have.
    public static let count = 68

    /// The 68 points in file order, each scaled by `scale`.
    public static func read(_ path: String, scale: Double = 1) throws -> [SIMD3<Double>] {
        let text = try FileInput.text(path, what: "a 3D landmark file (68 rows of x y z)")
        var points: [SIMD3<Double>] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated()
        {
            let words = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .split(whereSeparator: { $0.isWhitespace || $0 == "," })
            if words.isEmpty { continue }
            let numbers = words.compactMap { Double($0) }.filter(\.isFinite)
            guard words.count == 3, numbers.count == 3 else {
                throw EngineError.badFile(
                    path: path, problem: "line \(index + 1) is '\(raw)', not three finite numbers x y z")
            }
            points.append(scale * SIMD3(numbers[0], numbers[1], numbers[2]))
        }
        guard points.count == count else {
            throw EngineError.badFile(
                path: path,
                problem: "has \(points.count) rows of x y z, expected \(count) "
                    + "(the iBUG-68 points in order, one per line)")
        }
        return points
    }
}
