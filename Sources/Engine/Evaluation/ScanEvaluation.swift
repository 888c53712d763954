// `evaluate`'s protocol, MICC-style: a reconstruction aligned to a scan by a similarity over
// the inner iBUG landmarks, the scan cropped around the nose tip, rigid ICP at that scale, then
// symmetric surface distances in the scan's unit (mm).
import Foundation

public struct EvaluationSettings: Sendable {
    /// The scan is kept within this distance of its nose tip (mm).
    public var cropRadius = 95.0
    /// iBUG number (1-based) of the nose tip, the crop's centre.
    public var noseTip = 31
    /// iBUG numbers (1-based) aligned by the similarity: the 51 inner points (no jaw contour).
    public var alignedLandmarks = Array(18...68)
    public var icp = ICPSettings()

    public init() {}
}

/// A reconstruction measured against a scan.
public struct ScanEvaluation: Sendable {
    public struct Report: Codable, Sendable {
        /// The headline score: (scan → reconstruction + reconstruction → scan) / 2, point-to-plane.
        public var symmetric: SymmetricDistance
        public var scanToReconstruction: DistanceSummary
        /// From the reconstruction's vertices inside the crop sphere.
        public var reconstructionToScan: DistanceSummary
        public var landmarksAligned: Int
        /// RMS landmark distance after the similarity alignment and after ICP (mm).
        public var landmarkRMSEAligned: Double
        public var landmarkRMSEAfterICP: Double
        /// The scale that takes the reconstruction into the scan, fixed through ICP.
        public var scale: Double
        public var icpIterations: Int
        /// Pairs ICP kept in its last iteration, of all pairs.
        public var icpPairsKept: Int
        public var icpPairs: Int
        public var cropRadius: Double
        public var scanVerticesInCrop: Int
        public var scanTrianglesInCrop: Int
        /// The protocol's time (alignment, crop, ICP, distances; not reading files), seconds.
        public var seconds: Double
    }

    public let report: Report
    /// The cropped scan (positions in the scan's frame and unit) and its per-vertex point-to-plane
    /// error, for the heat map.
    public let croppedScan: SurfaceMesh
    public let scanErrors: [Double]
    /// Reconstruction → scan after ICP.
    public let transform: Similarity

    /// Measures `reconstruction` (with its 68 iBUG landmarks, nil where it has none) against
    /// `scan` and its 68 landmarks, both in the scan's unit.
    public init(
        reconstruction: SurfaceMesh, landmarks: [SIMD3<Double>?], scan: SurfaceMesh,
        scanLandmarks: [SIMD3<Double>],
        settings: EvaluationSettings = EvaluationSettings()
    ) throws {
        let start = Date()
        guard landmarks.count == 68, scanLandmarks.count == 68 else {
            throw EngineError.invalidValue(
                "evaluate needs 68 landmarks on each side, got \(landmarks.count) and \(scanLandmarks.count)")
        }
        guard
            (landmarks.compactMap { $0 } + scanLandmarks).allSatisfy({ p in
                (0..<3).allSatisfy { p[$0].isFinite }
            })
        else { throw EngineError.invalidValue("evaluate needs finite landmark coordinates") }
        let pairs = settings.alignedLandmarks.compactMap { n in
            landmarks[n - 1].map { ($0, scanLandmarks[n - 1]) }
        }
        let initial = try Similarity.aligning(pairs.map(\.0), to: pairs.map(\.1))
        let nose = scanLandmarks[settings.noseTip - 1]
        croppedScan = try Self.crop(scan, around: nose, radius: settings.cropRadius)
        let scanIndex = SurfaceIndex(croppedScan), reconstructionIndex = SurfaceIndex(reconstruction)
        let scanPoints = croppedScan.positions
        let used = Set(reconstruction.triangles.flatMap { [$0.x, $0.y, $0.z] })
        let reconstructionPoints = used.sorted().map { reconstruction.positions[Int($0)] }
        func inside(_ t: Similarity) -> [SIMD3<Double>] {
            reconstructionPoints.filter { length(t.apply($0) - nose) <= settings.cropRadius }
        }
        let icp = try rigidICP(
            inside(initial), on: reconstructionIndex, scanPoints: scanPoints, on: scanIndex,
            from: initial, settings: settings.icp)
        transform = icp.transform
        let toScan = DirectedDistances(from: inside(transform), mappedBy: transform, to: scanIndex)
        let toReconstruction = DirectedDistances(
            from: scanPoints, mappedBy: transform.inverse, to: reconstructionIndex,
            unit: transform.scale)
        scanErrors = toReconstruction.pointToPlane
        func landmarkRMSE(_ t: Similarity) -> Double {
            rootMeanSquare(pairs.map { length(t.apply($0.0) - $0.1) })
        }
        report = Report(
            symmetric: SymmetricDistance(toReconstruction.summary, toScan.summary),
            scanToReconstruction: toReconstruction.summary, reconstructionToScan: toScan.summary,
            landmarksAligned: pairs.count, landmarkRMSEAligned: landmarkRMSE(initial),
            landmarkRMSEAfterICP: landmarkRMSE(transform), scale: transform.scale,
            icpIterations: icp.iterations, icpPairsKept: icp.kept, icpPairs: icp.pairs,
            cropRadius: settings.cropRadius, scanVerticesInCrop: scanPoints.count,
            scanTrianglesInCrop: croppedScan.triangles.count, seconds: Date().timeIntervalSince(start))
    }

    /// The 68 iBUG landmarks of a mesh in the model's vertex order: the mapped vertices' positions,
    /// nil for points without a vertex (the jaw contour, two inner-mouth corners).
    public static func modelLandmarks(
        _ mesh: SurfaceMesh, mapping: LandmarkMapping, modelVertexCount: Int
    ) throws
        -> [SIMD3<Double>?]
    {
        guard mesh.positions.count == modelVertexCount else {
            throw EngineError.invalidValue(
                "the reconstruction has \(mesh.positions.count) vertices, not the model's "
                    + "\(modelVertexCount), so its landmarks are unknown: "
                    + "pass --landmarks FILE with its 68 iBUG points (x y z)")
        }
        return (1...68).map { mapping.vertices[$0].map { mesh.positions[$0] } }
    }

    /// The triangles of `scan` with every corner within `radius` of `centre`, and only the vertices
    /// they use (renumbered).
    static func crop(_ scan: SurfaceMesh, around centre: SIMD3<Double>, radius: Double) throws -> SurfaceMesh
    {
        let inside = scan.positions.map { length($0 - centre) <= radius }
        let kept = scan.triangles.filter { inside[Int($0.x)] && inside[Int($0.y)] && inside[Int($0.z)] }
        var renumber = [Int32](repeating: -1, count: scan.positions.count), positions: [SIMD3<Double>] = []
        for t in kept {
            for k in 0..<3 where renumber[Int(t[k])] < 0 {
                renumber[Int(t[k])] = Int32(positions.count)
                positions.append(scan.positions[Int(t[k])])
            }
        }
        guard !kept.isEmpty else {
            throw EngineError.invalidValue(
                "no scan triangle lies within \(radius) of the nose tip \(centre): check the scan's "
                    + "landmarks and its unit (millimetres; see --scan-scale)")
        }
        return try SurfaceMesh(
            positions: positions,
            triangles: kept.map {
                SIMD3(
                    renumber[Int($0.x)], renumber[Int($0.y)],
                    renumber[Int($0.z)])
            })
    }
}

extension ScanEvaluation.Report {
    /// The report as JSON: snake_case keys, distances in mm.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
