// Distances between two aligned surfaces, per point and summarised: point-to-plane (along the
// interpolated normal at the closest surface point) and point-to-point, with no rejection.

/// One direction's distances, in the scan's unit (mm).
public struct DirectedDistances: Sendable {
    /// [N] |(p − q)·n̂| with q the closest surface point and n̂ its normal.
    public var pointToPlane: [Double]
    /// [N] |p − q|.
    public var pointToPoint: [Double]

    /// The distances from `points`, taken into `surface`'s frame by `map`, to that surface;
    /// `unit` scales them back (the scale of `map`'s inverse, 1 when `map` keeps lengths).
    public init(
        from points: [SIMD3<Double>], mappedBy map: Similarity = .identity, to surface: SurfaceIndex,
        unit: Double = 1
    ) {
        let queries = points.map(map.apply)
        let hits = surface.closest(to: queries)
        pointToPlane = zip(queries, hits).map { q, hit in unit * abs(dot(q - hit.point, hit.normal)) }
        pointToPoint = hits.map { unit * $0.distance }
    }

    public var summary: DistanceSummary {
        DistanceSummary(
            points: pointToPlane.count, meanPointToPlane: mean(pointToPlane),
            rmsePointToPoint: rootMeanSquare(pointToPoint))
    }
}

/// A direction's summary: how many points, their mean point-to-plane distance and the RMS of the
/// point-to-point distances.
public struct DistanceSummary: Codable, Sendable {
    public var points: Int
    public var meanPointToPlane: Double
    public var rmsePointToPoint: Double
}

/// The symmetric scores: the two directions' mean point-to-plane distances averaged, and the
/// point-to-point RMSE over both directions' mean squares averaged.
public struct SymmetricDistance: Codable, Sendable {
    public var meanPointToPlane: Double
    public var rmsePointToPoint: Double

    public init(_ a: DistanceSummary, _ b: DistanceSummary) {
        meanPointToPlane = (a.meanPointToPlane + b.meanPointToPlane) / 2
        rmsePointToPoint =
            ((a.rmsePointToPoint * a.rmsePointToPoint + b.rmsePointToPoint * b.rmsePointToPoint) / 2)
            .squareRoot()
    }
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

func rootMeanSquare(_ values: [Double]) -> Double { mean(values.map { $0 * $0 }).squareRoot() }
