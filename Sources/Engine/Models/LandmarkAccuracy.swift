// How far predicted landmarks are from the true ones, as 300-W reports it: the normalised mean error.

public enum LandmarkAccuracy {
    /// The normalised mean error of 68 iBUG points (300-W convention): the mean distance between
    /// `points` and `truth`, divided by the outer inter-ocular distance of `truth` (points 37 and 46
    /// 1-based, the outer eye corners). Both [68] of (x, y) in the same pixels.
    public static func nme(_ points: [SIMD2<Double>], _ truth: [SIMD2<Double>]) throws -> Double {
        guard points.count == 68, truth.count == 68 else {
            throw EngineError.invalidValue("NME needs 68 iBUG points on each side, got \(points.count)"
                + " and \(truth.count)")
        }
        let interOcular = distance(truth[36], truth[45])
        guard interOcular > 0, interOcular.isFinite else {
            throw EngineError.invalidValue("NME needs distinct outer eye corners (points 37 and 46)"
                + " in the truth")
        }
        let total = zip(points, truth).reduce(0) { $0 + distance($1.0, $1.1) }
        return total / 68 / interOcular
    }

    private static func distance(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
        let d = a - b
        return (d * d).sum().squareRoot()
    }
}
