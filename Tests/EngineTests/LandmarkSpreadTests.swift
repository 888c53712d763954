import Foundation
import XCTest

// The detector's per-point spread (LandmarkSpread): the mirror map of iBUG's layout on dlib's mean shape
// and on a real photo, the box changes and mirrored photo it is made of, the spread's size on a
// frontal face and where half the face is hidden, and the fit's weights from it.
@testable import Engine

final class LandmarkSpreadTests: XCTestCase {
    /// dlib's mean shape (the unit square, a frontal face) is symmetric: each point's mirror partner
    /// sits at x → 1 − x, the same height; the map is its own inverse.
    func testTheMirrorMapPairsDlibsMeanShapeAcrossTheMidline() throws {
        let model = try ShapePredictorTests.model.get()
        let mean = model.initialShape
        let mirror = LandmarkSpread.iBUGMirror
        XCTAssertEqual(mirror.map { mirror[$0] }, Array(0..<68))
        let centre = (0..<68).map { mean[2 * $0] }.reduce(0, +) / 68
        for n in 0..<68 {
            XCTAssertEqual(
                mean[2 * n] - centre, centre - mean[2 * mirror[n]], accuracy: 0.02, "iBUG \(n + 1)")
            XCTAssertEqual(mean[2 * n + 1], mean[2 * mirror[n] + 1], accuracy: 0.02, "iBUG \(n + 1)")
        }
    }

    func testBoxChangesAndTheMirroredPhoto() {
        let box = DetectedFace(left: 10, top: 20, right: 109, bottom: 139, score: 0.5)
        XCTAssertEqual(box.changed(by: (0, 0, 1)), box)
        let moved = box.changed(by: (0.05, -0.05, 1))
        XCTAssertEqual([moved.left, moved.top, moved.width, moved.height], [15, 14, 100, 120])
        let grown = box.changed(by: (0, 0, 1.1))
        XCTAssertEqual(grown.width, 110, accuracy: 1e-9)
        XCTAssertEqual((grown.left + grown.right) / 2, (box.left + box.right) / 2, accuracy: 1e-9)
        let photo = RGBImage8(width: 3, height: 2, samples: (0..<18).map(UInt8.init))
        let mirrored = photo.mirrored()
        XCTAssertEqual(Array(mirrored.samples[0..<9]), [6, 7, 8, 3, 4, 5, 0, 1, 2])
        XCTAssertEqual(mirrored.mirrored().samples, photo.samples)
    }

    /// On the bundled frontal photo the predictor's points on the mirrored photo, mapped back, land on its
    /// points on the photo (the mirror map is right on real points: a wrong pairing moves them by a
    /// face's width), and the spread stays small: median under 1% of the box.
    func testTheSpreadOfAFrontalFaceIsSmall() throws {
        let model = try ShapePredictorTests.model.get()
        let fixture = try DlibFixture.named("image_0010")
        let (box, _) = try XCTUnwrap(fixture.mmodFirstFace)
        let photo = RGBImage8(try Image.read(fixture.photoPath))
        let predictor = DlibShapePredictor(model, path: "shape_predictor_68_face_landmarks.dat")
        let direct = model.predict(photo, face: box)
        let last = Double(photo.width - 1)
        let mirroredBox = DetectedFace(
            left: last - box.right, top: box.top, right: last - box.left, bottom: box.bottom, score: 1)
        let back = model.predict(photo.mirrored(), face: mirroredBox)
        let gap = (0..<68).map { n -> Double in
            let q = back[LandmarkSpread.iBUGMirror[n]]
            return ((SIMD2(last - q.x, q.y) - direct[n]) * (SIMD2(last - q.x, q.y) - direct[n])).sum()
                .squareRoot()
        }
        print(
            "mirrored − direct: mean \(gap.reduce(0, +) / 68) px, max \(gap.max()!) px, box \(box.width) px")
        XCTAssertLessThan(gap.reduce(0, +) / 68, 0.02 * box.width)
        let (points, spread) = try LandmarkSpread(photo).landmarks(
            in: box, calibration: .identity, predictor: predictor)
        XCTAssertEqual(points, direct.map { SIMD2<Float>($0) })  // the detection's own box comes first
        XCTAssertEqual(spread.count, 68)
        let median = spread.sorted()[34]
        print("spread on image_0010: median \(median), max \(spread.max()!)")
        XCTAssertLessThan(median, 0.01)
        XCTAssertGreaterThan(median, 0)
    }

    /// With the left half of the face painted over, the points there have nothing to hold them: their
    /// spread grows several times over that of the same points on the intact photo.
    func testPointsWithoutEvidenceSpreadMore() throws {
        let model = try ShapePredictorTests.model.get()
        let fixture = try DlibFixture.named("image_0010")
        let (box, _) = try XCTUnwrap(fixture.mmodFirstFace)
        let photo = RGBImage8(try Image.read(fixture.photoPath))
        var samples = photo.samples
        let middle = Int((box.left + box.right) / 2)
        for y in Int(box.top)...Int(box.bottom) where y >= 0 && y < photo.height {
            for x in middle..<min(photo.width, Int(box.right) + 20) {
                samples.replaceSubrange(
                    (y * photo.width + x) * 3..<(y * photo.width + x) * 3 + 3, with: [128, 128, 128])
            }
        }
        let hidden = RGBImage8(width: photo.width, height: photo.height, samples: samples)
        let predictor = DlibShapePredictor(model, path: "shape_predictor_68_face_landmarks.dat")
        let intact = try LandmarkSpread(photo).landmarks(in: box, calibration: .identity, predictor: predictor).spread
        let covered = try LandmarkSpread(hidden).landmarks(in: box, calibration: .identity, predictor: predictor)
            .spread
        // The subject's left eye (iBUG 43–48) lies on the image's right half.
        let eye = Array(42..<48)
        let before = eye.map { intact[$0] }.reduce(0, +) / 6
        let after = eye.map { covered[$0] }.reduce(0, +) / 6
        print("left eye's spread: intact \(before), covered \(after)")
        XCTAssertGreaterThan(after, 3 * before)
    }

    func testTheFitWeighsUnsteadyLandmarksLess() {
        var settings = FitSettings()
        XCTAssertNil(settings.landmarkReliability(spread: nil))
        let steady = settings.landmarkNoise / settings.landmarkSpreadFactor
        let weights = try! XCTUnwrap(settings.landmarkReliability(spread: [0, steady, 3 * steady]))
        XCTAssertEqual(weights[0], 1)
        XCTAssertEqual(weights[1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(weights[2], 0.1, accuracy: 1e-6)
        settings.landmarkSpreadFactor = 0
        XCTAssertEqual(settings.landmarkReliability(spread: [0.5, 1]), [1, 1])
    }
}
