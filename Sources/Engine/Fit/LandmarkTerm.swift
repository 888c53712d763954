// The landmark loss: which model vertex answers each iBUG landmark (fixed map, pose-dependent
// jaw line, inner mouth corners skipped), and the graph of the mean squared pixel distance.
import Foundation

/// Per iBUG landmark n (row n − 1 of 68), the vertex it is compared with and whether it counts.
public struct LandmarkCorrespondences: Equatable, Sendable {
    /// [68] vertex indices (0 where unused).
    public var vertices: [Int32]
    /// [68], 1/k² for the landmarks the loss uses (k: their noise relative to the others'), 0 for the others.
    public var weights: [Float]

    /// The mapped landmarks with the jaw-line contour chosen for the current pose: both sides
    /// within `frontal` degrees of yaw, else only the side facing the camera (eos's rule); each
    /// contour landmark gets the contour vertex projecting nearest to it (`ModelContour`).
    /// `project` gives a vertex's crop-pixel position; `targets` [68] are the landmarks; the jaw
    /// line's weight is `contourWeight`, and each landmark's weight is multiplied by its
    /// `reliability` [68] where given (`FitSettings.landmarkReliability`).
    public init(
        _ face: FitModel, yawDegrees: Float, targets: [SIMD2<Float>], frontal: Float,
        contourWeight: Float = 1, reliability: [Float]? = nil,
        project: (Int) -> SIMD2<Float>
    ) {
        vertices = [Int32](repeating: 0, count: targets.count)
        weights = [Float](repeating: 0, count: targets.count)
        let sides: [Float] = Swift.abs(yawDegrees) < frontal ? [1, -1] : [yawDegrees]
        let contour = sides.flatMap {
            face.contour.correspondences(
                yawDegrees: $0, mapping: face.mapping, landmarks: targets, project: project)
        }
        for (landmark, vertex) in face.mapping.vertices.map({ ($0.key, $0.value) })
            + contour.map({ ($0.landmark, $0.vertex) })
        where landmark <= targets.count {
            vertices[landmark - 1] = Int32(vertex)
            weights[landmark - 1] = (landmark <= Self.jawLine ? contourWeight : 1) * (reliability?[landmark - 1] ?? 1)
        }
    }

    /// iBUG points 1–17 outline the jaw.
    static let jawLine = 17

    /// Mean Euclidean distance between `points` and `targets` over the used landmarks, divided by `scale`.
    public func meanError(_ points: [SIMD2<Float>], _ targets: [SIMD2<Float>], scale: Float = 1) -> Float {
        let used = weights.indices.filter { weights[$0] > 0 }
        let total = used.map { k -> Float in
            let d = points[k] - targets[k]
            return (d * d).sum().squareRoot()
        }.reduce(0, +)
        return total / Float(Swift.max(used.count, 1)) / scale
    }
}

/// The landmark term of one photo in a fit graph: inputs "landmark_vertices" [68] (Int32),
/// "landmark_weights" [68, 1] and "landmark_targets" [68, 2] (crop pixels), fed from
/// `LandmarkCorrespondences`, and "landmark_noise" [1] (crop pixels, a weight-1 landmark's standard
/// deviation); suffixed by photo as `FaceParameters.leafName` says.
struct LandmarkTerm {
    /// [68, 2] projected model landmarks in crop pixels.
    let projected: Value
    /// Σ_n w_n·|projected_n − target_n|² / Σ_n w_n (pixels²).
    let loss: Value
    /// What the objective minimises, in the same units: `loss`, or with an outlier scale c its robust
    /// form σ²/Σ w · Σ_n c²·log(1 + z_n/c²), z_n = w_n·|r_n|²/σ² (Cauchy: a point c noise deviations off
    /// pulls half as hard as a squared loss would; near 0 the same).
    let robust: Value
    /// Σ_n w_n (the weights fed), and the noise's variance σ² [1].
    let weightSum: Value
    let noiseVariance: Value
    /// [K, 2] the projections of the contour vertices (right, then left), read when re-choosing.
    let contour: Value

    init(_ g: Graph, screen: Value, face: FitModel, view: Int = 0, outlierScale: Float? = nil) throws {
        let n = FitInput.landmarkCount
        func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
        let vertices = g.input(name("landmark_vertices"), [n], .int32)
        let weights = g.input(name("landmark_weights"), [n, 1])
        let targets = g.input(name("landmark_targets"), [n, 2])
        projected = try g.slice(g.gather(screen, vertices), axis: 1, 0..<2)
        let squared = try g.sum(g.square(g.sub(projected, targets)), axes: [1], keepDims: true)
        weightSum = try g.sum(weights)
        noiseVariance = try g.square(g.input(name("landmark_noise"), [1]))
        loss = try g.div(g.sum(g.mul(squared, weights)), weightSum)
        if let c = outlierScale {
            let z = try g.div(g.mul(squared, weights), noiseVariance)
            let penalty = try g.scale(g.log(g.scale(z, 1 / (c * c), plus: 1)), c * c)
            robust = try g.div(g.mul(g.sum(penalty), noiseVariance), weightSum)
        } else {
            robust = loss
        }
        let ids = (face.contour.right + face.contour.left).map(Int32.init)
        contour = try g.slice(
            g.gather(screen, g.constant(HostTensor([ids.count], indices: ids))), axis: 1, 0..<2)
    }

    /// The MAP objective of the photos' `terms` with the coefficients' `prior` (−2 log, see
    /// `FaceGraph.prior`): Σ_photos Σ w|r|²/σ² + prior, divided by Σ_photos Σ w/σ² so it stays in the
    /// loss's units (pixels²). For one photo: loss + prior·σ²/Σ w.
    static func objective(_ g: Graph, _ terms: [LandmarkTerm], prior: Value) throws -> Value {
        let precisions = try terms.map { try g.div($0.weightSum, $0.noiseVariance) }
        let weighted = try zip(terms, precisions).map { try g.mul($0.0.robust, $0.1) }
        return try g.sum(g.div(g.add(g.add(weighted), prior), g.add(precisions)))
    }

    /// Feeds `correspondences`, `targets` [68] (crop pixels) and `noise` (crop pixels) of photo `view`
    /// to `program`.
    static func feed(
        _ program: Program, _ correspondences: LandmarkCorrespondences, targets: [SIMD2<Float>], noise: Float,
        view: Int = 0
    ) throws {
        let n = targets.count
        func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
        try program.set(name("landmark_noise"), HostTensor([1], [noise]))
        try program.set(name("landmark_vertices"), HostTensor([n], indices: correspondences.vertices))
        try program.set(name("landmark_weights"), HostTensor([n, 1], correspondences.weights))
        try program.set(name("landmark_targets"), HostTensor([n, 2], targets.flatMap { [$0.x, $0.y] }))
    }

    /// Chooses the contour for the program's current pose (see `LandmarkCorrespondences.init`):
    /// reads the contour projections (a few dozen numbers).
    func correspondences(
        _ program: Program, face: FitModel, yawDegrees: Float, frontal: Float, contourWeight: Float,
        reliability: [Float]?, targets: [SIMD2<Float>]
    ) throws -> LandmarkCorrespondences {
        let points = try program.read(contour).values
        let ids = face.contour.right + face.contour.left
        let position = Dictionary(
            ids.enumerated().map { ($0.element, SIMD2(points[2 * $0.offset], points[2 * $0.offset + 1])) },
            uniquingKeysWith: { a, _ in a })
        return LandmarkCorrespondences(
            face, yawDegrees: yawDegrees, targets: targets, frontal: frontal, contourWeight: contourWeight,
            reliability: reliability
        ) {
            position[$0] ?? SIMD2(.infinity, .infinity)
        }
    }
}

extension Array where Element == Float {
    /// [N·2] interleaved values as N points.
    var points: [SIMD2<Float>] { stride(from: 0, to: count - 1, by: 2).map { SIMD2(self[$0], self[$0 + 1]) } }
}
