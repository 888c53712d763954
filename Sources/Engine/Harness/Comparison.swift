// Comparing a result with its reference: elementwise bound, normalised MSE, finiteness, and a
import Foundation
// report that names the worst index and shows a few pairs.

public struct Comparison: CustomStringConvertible {
    public let passed: Bool
    public let worstIndex: Int
    public let worstError: Double
    public let normalizedMSE: Double
    public let detail: String

    public var description: String { detail }

    /// Compares `actual` with `reference` under `tolerance`; `label` names the tensor.
    public static func compare<A: BinaryFloatingPoint, R: BinaryFloatingPoint>(
        _ actual: [A], _ reference: [R], tolerance: Tolerance, label: String) -> Comparison {
        guard actual.count == reference.count else {
            return Comparison(passed: false, worstIndex: -1, worstError: .infinity, normalizedMSE: .infinity,
                              detail: "\(label): \(actual.count) values, reference has \(reference.count)")
        }
        var worst = 0, worstExcess = -Double.infinity, worstError = 0.0
        var squaredError = 0.0, squaredReference = 0.0
        var firstNonFinite: Int?
        for i in actual.indices {
            let a = Double(actual[i]), r = Double(reference[i])
            if a.isFinite != r.isFinite || (!a.isFinite && a != r && !(a.isNaN && r.isNaN)) {
                if firstNonFinite == nil { firstNonFinite = i }
                continue
            }
            guard r.isFinite else { continue }
            let error = Swift.abs(a - r)
            let excess = error - (tolerance.absolute + tolerance.relative * Swift.abs(r))
            if excess > worstExcess { worstExcess = excess; worst = i; worstError = error }
            squaredError += error * error
            squaredReference += r * r
        }
        let nmse = squaredReference > 0 ? squaredError / squaredReference : squaredError
        if let bad = firstNonFinite {
            return Comparison(passed: false, worstIndex: bad, worstError: .infinity, normalizedMSE: nmse,
                              detail: "\(label): non-finite mismatch at \(bad): \(actual[bad]) vs reference \(reference[bad])")
        }
        let passed = worstExcess <= 0 && nmse <= tolerance.normalizedMSE
        var detail = "\(label): max |err| \(format(worstError)) at \(worst), NMSE \(format(nmse))"
        if !passed {
            let around = Swift.max(0, worst - 2)..<Swift.min(actual.count, worst + 3)
            detail += "; pairs " + around.map { "[\($0)] \(actual[$0]) vs \(reference[$0])" }.joined(separator: ", ")
        }
        return Comparison(passed: passed, worstIndex: worst, worstError: worstError, normalizedMSE: nmse, detail: detail)
    }

    static func format(_ x: Double) -> String {
        x == 0 ? "0" : String(format: "%.2e", x)
    }
}
