// `evaluate`'s geometry and protocol on constructed cases whose answers are known by hand: a
// similarity recovered, point-to-triangle distances, a mesh against moved, offset, cropped and
// scaled copies of itself, spheres of two radii, and bad inputs.
@testable import Engine
import Foundation
import XCTest

final class EvaluationTests: XCTestCase {
    /// A similarity with every part non-trivial.
    let known = Similarity(
        rotation: Matrix3(axis: SIMD3(1, 2, 3), angle: 0.7), scale: 1.3, translation: SIMD3(5, -2, 7))

    func testUmeyamaRecoversAKnownSimilarityExactly() throws {
        let source: [SIMD3<Double>] = [
            SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 2, 0), SIMD3(0, 0, 3), SIMD3(-1, 4, 2),
            SIMD3(2, -3, 1),
        ]
        let found = try Similarity.aligning(source, to: source.map(known.apply))
        assertSame(found, known, tolerance: 1e-12)
        // With a reflected target the rotation stays proper.
        let mirrored = try Similarity.aligning(source, to: source.map { SIMD3(-$0.x, $0.y, $0.z) })
        XCTAssertEqual(mirrored.rotation.determinant, 1, accuracy: 1e-12)
        XCTAssertThrowsError(try Similarity.aligning([.zero, .zero, .zero], to: [.zero, .zero, .zero]))
    }

    func testPointToTriangleRegionsAgainstHandValues() throws {
        let a = SIMD3<Double>(0, 0, 0), b = SIMD3<Double>(2, 0, 0), c = SIMD3<Double>(0, 2, 0)
        // (query, closest point, feature)
        let cases: [(SIMD3<Double>, SIMD3<Double>, TriangleFeature)] = [
            (SIMD3(-1, -1, 1), SIMD3(0, 0, 0), .vertex(0)), (SIMD3(3, -1, 0), SIMD3(2, 0, 0), .vertex(1)),
            (SIMD3(-1, 3, 0), SIMD3(0, 2, 0), .vertex(2)), (SIMD3(1, -1, 0), SIMD3(1, 0, 0), .edge(0)),
            (SIMD3(1.5, 1.5, -2), SIMD3(1, 1, 0), .edge(1)), (SIMD3(-1, 1, 0), SIMD3(0, 1, 0), .edge(2)),
            (SIMD3(0.5, 0.5, 3), SIMD3(0.5, 0.5, 0), .face),
        ]
        let index = SurfaceIndex(try SurfaceMesh(positions: [a, b, c], triangles: [SIMD3(0, 1, 2)]))
        for (query, expected, feature) in cases {
            let (w, found) = closestPointOnTriangle(query, a, b, c)
            XCTAssertEqual(found, feature, "\(query)")
            XCTAssertEqual(length(w.x * a + w.y * b + w.z * c - expected), 0, accuracy: 1e-12, "\(query)")
            let hit = index.closest(to: query)
            XCTAssertEqual(hit.distance, length(query - expected), accuracy: 1e-12)
            XCTAssertEqual(
                hit.onBoundary, feature != .face, "a lone triangle's edges and corners are all boundary")
        }
    }

    func testSpatialIndexMatchesBruteForceOnASphere() throws {
        let sphere = try SurfaceMesh(Self.sphere(radius: 50, rings: 12, segments: 24))
        let index = SurfaceIndex(sphere)
        for k in 0..<50 {
            let query = SIMD3<Double>(sin(Double(k)) * 70, cos(Double(3 * k)) * 40, Double(k % 7 - 3) * 15)
            let brute = sphere.triangles.map { t in
                let (p, q, r) = (
                    sphere.positions[Int(t.x)], sphere.positions[Int(t.y)], sphere.positions[Int(t.z)]
                )
                let w = closestPointOnTriangle(query, p, q, r).weights
                return length(query - (w.x * p + w.y * q + w.z * r))
            }.min()!
            XCTAssertEqual(index.closest(to: query).distance, brute, accuracy: 1e-9)
        }
    }

    func testClosedSphereHasNoBoundaryAndAnOpenCapHasItsRim() throws {
        // The UV sphere repeats its seam column and pole vertices: welded, it is closed.
        let sphere = try SurfaceMesh(Self.sphere(radius: 50, rings: 16, segments: 32))
        XCTAssertFalse(sphere.boundaryVertices.contains(true))
        XCTAssertFalse(sphere.boundaryEdges.contains { $0 != 0 })
        let cap = try ScanEvaluation.crop(sphere, around: SIMD3(0, 0, 50), radius: 40)
        let index = SurfaceIndex(cap)
        XCTAssertFalse(index.closest(to: SIMD3(0, 0, 60)).onBoundary, "above the cap: its inside")
        XCTAssertFalse(index.closest(to: SIMD3(5, 3, 30)).onBoundary, "below the cap's middle: its inside")
        XCTAssertTrue(index.closest(to: SIMD3(0, 0, -60)).onBoundary, "beyond the rim")
        XCTAssertTrue(index.closest(to: SIMD3(80, 0, 0)).onBoundary, "beside the rim")
    }

    func testCropKeepsExactlyTheTrianglesInsideTheRadius() throws {
        let sphere = try SurfaceMesh(Self.sphere(radius: 50, rings: 16, segments: 32))
        let centre = Matrix3(axis: SIMD3(1, 0, 0), angle: 0.4) * SIMD3(0, 50, 0)
        let cap = try ScanEvaluation.crop(sphere, around: centre, radius: 30)
        XCTAssertTrue(cap.positions.allSatisfy { length($0 - centre) <= 30 })
        let inside = sphere.triangles.filter { t in
            (0..<3).allSatisfy { length(sphere.positions[Int(t[$0])] - centre) <= 30 }
        }
        XCTAssertEqual(cap.triangles.count, inside.count)
        XCTAssertGreaterThan(inside.count, 10)
        XCTAssertThrowsError(try ScanEvaluation.crop(sphere, around: SIMD3(500, 0, 0), radius: 30))
    }

    func testMeanFaceAgainstItselfMovedAndScaledIsZero() throws {
        let (face, landmarks) = try Self.meanFace()
        let scan = try Self.moved(face, by: known)
        let result = try ScanEvaluation(
            reconstruction: face, landmarks: landmarks, scan: scan,
            scanLandmarks: Self.scanLandmarks(landmarks, known))
        XCTAssertLessThan(result.report.symmetric.meanPointToPlane, 1e-6)
        XCTAssertLessThan(result.report.symmetric.rmsePointToPoint, 1e-6)
        assertSame(result.transform, known, tolerance: 1e-6)
        XCTAssertEqual(result.report.landmarksAligned, landmarks[17...].compactMap { $0 }.count)
    }

    func testICPUndoesALandmarkErrorAndRejectsTheCropBoundary() throws {
        // The scan is the face's left half: without boundary rejection the right half's vertices
        // would pull the reconstruction onto the cut.
        let (face, landmarks) = try Self.meanFace()
        let half = try SurfaceMesh(
            positions: face.positions,
            triangles: face.triangles.filter { t in
                (0..<3).allSatisfy { face.positions[Int(t[$0])].x > -5 }
            })
        // Landmarks off by a rigid motion (the scale stays right: ICP keeps it).
        let off = Similarity(
            rotation: Matrix3(axis: SIMD3(0, 1, 0.3), angle: 0.05), translation: SIMD3(1, -1, 2))
        let noisy = Self.scanLandmarks(landmarks, known).map(off.apply)
        let result = try ScanEvaluation(
            reconstruction: face, landmarks: landmarks, scan: try Self.moved(half, by: known),
            scanLandmarks: noisy)
        XCTAssertGreaterThan(result.report.landmarkRMSEAfterICP, 1, "ICP left the landmarks' alignment")
        XCTAssertLessThan(result.report.scanToReconstruction.meanPointToPlane, 0.01)
        assertSame(result.transform, known, tolerance: 0.01)
        XCTAssertLessThan(
            result.report.icpPairsKept, result.report.icpPairs, "the right half's pairs are dropped")
    }

    func testOneMillimetreAlongTheNormalsIsOneMillimetre() throws {
        let (face, _) = try Self.meanFace()
        let offset = try SurfaceMesh(
            positions: zip(face.positions, face.normals).map { $0 + $1 }, triangles: face.triangles)
        let inward = DirectedDistances(from: offset.positions, to: SurfaceIndex(face))
        let outward = DirectedDistances(from: face.positions, to: SurfaceIndex(offset))
        for distances in [inward, outward] {
            // Vertices at the open border reach past the other surface's border: look at the inside.
            let inner = zip(distances.pointToPlane, face.boundaryVertices).filter { !$1 }.map(\.0).sorted()
            XCTAssertEqual(inner[inner.count / 2], 1, accuracy: 0.01, "median")
            XCTAssertEqual(mean(inner), 1, accuracy: 0.05)
        }
    }

    func testSpheresOfRadiusRAndRPlusDeltaAreDeltaApart() throws {
        let (r, delta): (Float, Double) = (50, 2)
        let inner = try SurfaceMesh(Self.sphere(radius: r, rings: 40, segments: 80))
        let outer = try SurfaceMesh(Self.sphere(radius: r + Float(delta), rings: 40, segments: 80))
        // The same 68 points for both, on a band of the inner sphere (so the similarity is the identity).
        let landmarks = (0..<68).map { k -> SIMD3<Double> in
            let (theta, phi) = (1.2 + 0.01 * Double(k % 9), -0.8 + 0.025 * Double(k))
            return Double(r) * SIMD3(sin(theta) * sin(phi), cos(theta), sin(theta) * cos(phi))
        }
        // The whole scan sphere, not a cap (on a cap the best rigid motion would shift the inner
        // sphere into it).
        // ICP may turn one sphere in the other (the facets' diagonals all lean one way): a few steps show it.
        var settings = EvaluationSettings()
        settings.cropRadius = 2 * Double(r) + 2 * delta
        settings.icp.maxIterations = 3
        let result = try ScanEvaluation(
            reconstruction: inner, landmarks: landmarks, scan: outer, scanLandmarks: landmarks,
            settings: settings)
        // Flat facets lie up to r·θ²/2 ≈ 0.08 mm inside a sphere (θ ≈ 0.056, half a facet's diagonal
        // angle): one direction measures a little more than δ, the other a little less.
        XCTAssertEqual(result.report.scanToReconstruction.meanPointToPlane, delta, accuracy: 0.08)
        XCTAssertEqual(result.report.reconstructionToScan.meanPointToPlane, delta, accuracy: 0.08)
        XCTAssertEqual(result.report.symmetric.meanPointToPlane, delta, accuracy: 0.01)
        XCTAssertEqual(result.report.symmetric.rmsePointToPoint, delta, accuracy: 0.08)
        XCTAssertLessThan(length(result.transform.translation), 0.01)
    }

    func testLandmarkFilesAndBadInputsAreClearErrors() throws {
        let folder = try scratchFolder(self)
        func file(_ name: String, _ text: String) throws -> String {
            let path = folder + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let rows = (1...68).map { "\($0) \(2 * $0), \(-$0)  # point \($0)" }
        let good = try file("good.txt", "# x y z in mm\n\n" + rows.joined(separator: "\n") + "\n")
        let points = try LandmarkPointsFile.read(good, scale: 10)
        XCTAssertEqual(points.count, 68)
        XCTAssertEqual(points[30], SIMD3(310, 620, -310))
        let short = try file("short.txt", rows.dropLast().joined(separator: "\n"))
        assertBadFile(try LandmarkPointsFile.read(short), path: short, mentions: ["67", "68"])
        let word = try file("word.txt", (rows[..<5] + ["1 2 x"] + rows[6...]).joined(separator: "\n"))
        assertBadFile(try LandmarkPointsFile.read(word), path: word, mentions: ["line 6", "1 2 x"])
        let nan = try file("nan.txt", (["nan 1 2"] + rows[1...]).joined(separator: "\n"))
        assertBadFile(try LandmarkPointsFile.read(nan), path: nan, mentions: ["line 1", "finite"])
        assertBadFile(
            try LandmarkPointsFile.read(folder + "/missing.txt"), path: folder + "/missing.txt", mentions: [])
        XCTAssertThrowsError(
            try SurfaceMesh(
                positions: [.zero, SIMD3(.nan, 0, 0), SIMD3(0, 1, 0)], triangles: [SIMD3(0, 1, 2)]))
        XCTAssertThrowsError(
            try SurfaceMesh(positions: [.zero, SIMD3(1, 0, 0)], triangles: [SIMD3(0, 1, 2)]))
        let (face, landmarks) = try Self.meanFace()
        XCTAssertThrowsError(
            try ScanEvaluation(
                reconstruction: face, landmarks: Array(landmarks.dropLast()), scan: face,
                scanLandmarks: landmarks.map { $0 ?? .zero }))
        var infinite = landmarks.map { $0 ?? .zero }
        infinite[40].y = .infinity
        XCTAssertThrowsError(
            try ScanEvaluation(
                reconstruction: face, landmarks: landmarks, scan: face, scanLandmarks: infinite))
        let mapping = try LandmarkMapping.read(
            Repository.path("models/sfm/ibug_to_sfm.txt"), vertexCount: 3448)
        let sphere = try SurfaceMesh(Self.sphere(radius: 50, rings: 8, segments: 16))
        XCTAssertThrowsError(
            try ScanEvaluation.modelLandmarks(sphere, mapping: mapping, modelVertexCount: 3448)
        ) { error in
            XCTAssertTrue("\(error)".contains("--landmarks"), "\(error)")
        }
    }

    func testABumpShowsInTheErrorsAndTheHeatMap() throws {
        // A 3 mm Gaussian bump (σ 8 mm) along the normals on the right cheek, at the vertex nearest
        // the middle of the right eye's outer corner (iBUG 37) and the mouth's right corner (49).
        let (face, landmarks) = try Self.meanFace()
        let middle = (landmarks[36]! + landmarks[48]!) / 2
        let centre = face.positions.min { length($0 - middle) < length($1 - middle) }!
        let bumped = try SurfaceMesh(
            positions: zip(face.positions, face.normals).map { p, n in
                p + 3 * exp(-dot(p - centre, p - centre) / (2 * 64)) * n
            }, triangles: face.triangles)
        let scanLandmarks = Self.scanLandmarks(landmarks, .identity)
        let result = try ScanEvaluation(
            reconstruction: face, landmarks: landmarks, scan: bumped, scanLandmarks: scanLandmarks)
        let near = zip(result.croppedScan.positions, result.scanErrors).filter { length($0.0 - centre) < 6 }
            .map(\.1)
        let far = zip(result.croppedScan.positions, result.scanErrors).filter { length($0.0 - centre) > 40 }
            .map(\.1)
        // ICP leans the face a little towards the bump (0.1 mm here), nothing more.
        XCTAssertGreaterThan(near.min()!, 2)
        XCTAssertLessThan(far.max()!, 0.2)
        func redPixels(_ errors: [Double]) throws -> Int {
            let image = try HeatMap.render(
                result.croppedScan, errors: errors, top: 3, frontal: HeatMap.frontalRotation(scanLandmarks),
                centre: scanLandmarks[30], size: 96, device: CPUBackend.shared)
            XCTAssertEqual(image.shape, [96, 96 + HeatMapLegend.width, 3])
            return (0..<96 * 96).filter { p in
                let (y, x) = (p / 96, p % 96), i = (y * (96 + HeatMapLegend.width) + x) * 3
                return image.values[i] > 0.6 && image.values[i + 2] < 0.3
            }.count
        }
        XCTAssertGreaterThan(try redPixels(result.scanErrors), 10)
        XCTAssertEqual(try redPixels(result.scanErrors.map { _ in 0 }), 0)
    }

    func testHeatMapFrameAndScale() throws {
        // The Surrey mean face looks along +z with y up: its frontal rotation is nearly the identity
        // (its mouth sits forward of its eyes: 8.6° of pitch), and it undoes a turn of the face.
        let (_, landmarks) = try Self.meanFace()
        let frontal = HeatMap.frontalRotation(Self.scanLandmarks(landmarks, .identity))
        XCTAssertEqual(frontal.rotationAngle, 0.15, accuracy: 0.01)
        XCTAssertEqual(frontal.rows.0.x, 1, accuracy: 1e-3, "no yaw or roll")
        let turned = HeatMap.frontalRotation(Self.scanLandmarks(landmarks, known))
        XCTAssertLessThan((turned * known.rotation * frontal.transposed).rotationAngle, 1e-9)
        XCTAssertEqual([4, 5, 0.5, 2, 10, 3].map(HeatMapLegend.tickStep), [1, 1, 0.1, 0.5, 2, 0.5])
        XCTAssertEqual(HeatMap.colour(0, top: 4), HeatMap.colour(-1, top: 4))
        XCTAssertEqual(HeatMap.colour(4, top: 4), HeatMap.colour(9, top: 4))
        XCTAssertGreaterThan(HeatMap.colour(4, top: 4).x, HeatMap.colour(4, top: 4).z, "the top is red")
        XCTAssertLessThan(HeatMap.colour(0, top: 4).x, HeatMap.colour(0, top: 4).z, "zero is blue")
    }

    // MARK: - Helpers

    func assertSame(
        _ a: Similarity, _ b: Similarity, tolerance: Double, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(a.scale, b.scale, accuracy: tolerance, file: file, line: line)
        XCTAssertLessThan(length(a.translation - b.translation), tolerance, file: file, line: line)
        XCTAssertLessThan(
            (a.rotation * b.rotation.transposed).rotationAngle, tolerance, file: file, line: line)
    }

    /// The Surrey mean face and its 68 landmarks (nil where the model has no fixed vertex).
    static func meanFace() throws -> (SurfaceMesh, [SIMD3<Double>?]) {
        let (model, mesh) = try Repository.meanMesh()
        let face = try SurfaceMesh(mesh)
        let mapping = try LandmarkMapping.read(
            Repository.path("models/sfm/ibug_to_sfm.txt"), vertexCount: model.vertexCount)
        return (
            face,
            try ScanEvaluation.modelLandmarks(face, mapping: mapping, modelVertexCount: model.vertexCount)
        )
    }

    /// All 68 of a scan's landmarks: the reconstruction's moved by `t`, the nose tip where it has none.
    static func scanLandmarks(_ landmarks: [SIMD3<Double>?], _ t: Similarity) -> [SIMD3<Double>] {
        landmarks.map { t.apply($0 ?? landmarks[30]!) }
    }

    static func moved(_ surface: SurfaceMesh, by t: Similarity) throws -> SurfaceMesh {
        try SurfaceMesh(positions: surface.positions.map(t.apply), triangles: surface.triangles)
    }

    static func sphere(radius: Float, rings: Int, segments: Int) -> Mesh {
        var mesh = Mesh.uvSphere(rings: rings, segments: segments)
        mesh.positions = mesh.positions.map { radius * $0 }
        return mesh
    }
}
