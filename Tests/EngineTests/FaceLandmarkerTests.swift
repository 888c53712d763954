// Photo in, landmarks out: dlib's detector and shape predictor together give dlib's boxes and points;
// no face, grey and RGBA photos, the box calibration, the report and the overlay.
@testable import Engine
import Foundation
import XCTest

final class FaceLandmarkerTests: XCTestCase {
    static func landmarker() throws -> FaceLandmarker {
        let folder = URL(fileURLWithPath: try DlibModels.path("mmod_human_face_detector.dat")).deletingLastPathComponent()
        return try FaceLandmarker.dlib(detectorModel: folder.path + "/mmod_human_face_detector.dat",
                                       landmarkModel: folder.path + "/shape_predictor_68_face_landmarks.dat",
                                       device: CPUBackend.shared, calibration: .identity)
    }

    func testThePortraitGetsDlibsBoxAndPoints() throws {
        let fixture = try DlibFixture.named("astronaut")
        let (box, parts) = try XCTUnwrap(fixture.mmodFirstFace)
        let image = try Image.read(fixture.photoPath)
        let landmarker = try Self.landmarker()
        let run = try landmarker.faces(in: RGBImage8(image))
        XCTAssertEqual(run.faces.count, 1)
        let face = try landmarker.face(0, among: run.faces, source: "astronaut")
        XCTAssertEqual(face.detection.iou(box), 1, accuracy: 1e-9)
        XCTAssertEqual(face.predictorBox, face.detection)  // no calibration asked for
        // dlib rounds its points to whole pixels (floor(v + 0.5)); ours are unrounded.
        for (k, (ours, dlibs)) in zip(face.points, parts).enumerated() {
            XCTAssertEqual(Double(ours.x), dlibs.x, accuracy: 0.5 + 1e-3, "point \(k + 1) x")
            XCTAssertEqual(Double(ours.y), dlibs.y, accuracy: 0.5 + 1e-3, "point \(k + 1) y")
        }
        let report = LandmarkReport(photo: "astronaut.png", image: image, landmarker: landmarker, run: run,
                                    faces: run.faces)
        let decoded = try JSONDecoder.snakeCase.decode(LandmarkReport.self, from: Data(try report.json().utf8))
        XCTAssertEqual(decoded.faces.first?.points.count, 68)
        XCTAssertEqual(decoded.faces.first?.box, [box.left, box.top, box.right, box.bottom])
        XCTAssertEqual(decoded.facesFound, 1)
        XCTAssertEqual(decoded.faces.first?.weak, false)
        XCTAssertEqual(decoded.detectionThreshold, 0)
    }

    /// The astronaut turned by each quarter is turned back upright: the same pixels and the same face as
    /// the photo as it was, also when the turns are judged on the photo reduced. On its side it is found
    /// with a score of 0.96, so the detection alone would keep it there; its points' spread gives it
    /// away. A fixed turn is applied without judging.
    func testAPhotoLyingOnItsSideIsStoodUpright() throws {
        let image = try Image.read(try DlibFixture.named("astronaut").photoPath)
        let landmarker = try Self.landmarker()
        let upright = try landmarker.faces(in: RGBImage8(image))
        let face = try XCTUnwrap(upright.faces.first)
        XCTAssertTrue(landmarker.isSure(face))
        for lying in QuarterTurn.allCases {
            let photo = lying.apply(to: image)
            let found = try landmarker.uprightFaces(in: photo)
            let lyingBy = "lying \(lying.rawValue)°"
            XCTAssertEqual((found.turn.rawValue + lying.rawValue) % 360, 0, "\(lyingBy): turned \(found.turn)")
            XCTAssertEqual(found.image.pixels.shape, image.pixels.shape)
            XCTAssertTrue(found.image.pixels.values == image.pixels.values, "\(lyingBy): other pixels")
            XCTAssertEqual(found.run.faces.first?.detection, face.detection)
            XCTAssertTrue(found.run.faces.first?.points == face.points, "\(lyingBy): other points")
        }
        // Judged at a reduced size, the chosen turn still runs at full size: the same face again.
        let sideways = QuarterTurn.quarter.apply(to: image)
        let judgedSmaller = try landmarker.uprightFaces(in: sideways, judgedSide: 460)
        XCTAssertEqual(judgedSmaller.turn, .threeQuarters)
        XCTAssertEqual(judgedSmaller.run.faces.first?.detection, face.detection)
        let kept = try landmarker.uprightFaces(in: sideways, fixed: QuarterTurn.unturned)
        XCTAssertEqual(kept.turn, QuarterTurn.unturned)
        XCTAssertFalse(try landmarker.isSure(XCTUnwrap(kept.run.faces.first)))
    }

    /// Turns compose as they should, and the focal length read from EXIF stays.
    func testQuarterTurnsCompose() {
        var image = Image(pixels: HostTensor([2, 3, 1], [1, 2, 3, 4, 5, 6]), bitDepth: 8)
        image.focal35mm = 85
        let quarter = QuarterTurn.quarter.apply(to: image)
        XCTAssertEqual(quarter.pixels.shape, [3, 2, 1])
        XCTAssertEqual(quarter.pixels.values, [4, 1, 5, 2, 6, 3])  // the left column becomes the top row
        XCTAssertEqual(quarter.focal35mm, 85)
        XCTAssertEqual(QuarterTurn.half.apply(to: image).pixels.values, [6, 5, 4, 3, 2, 1])
        XCTAssertEqual(QuarterTurn.threeQuarters.apply(to: quarter).pixels.values, image.pixels.values)
        let halfTwice = QuarterTurn.half.apply(to: QuarterTurn.half.apply(to: image))
        XCTAssertEqual(halfTwice.pixels.values, image.pixels.values)
    }

    /// A face at or below the detector's threshold (the best window of a photo where none passed) is weak,
    /// and its warning says what to check and what to do; one above it has none.
    func testAWeakDetectionIsFlaggedWithWhatToDo() throws {
        let landmarker = try Self.landmarker()
        func face(score: Double) -> LandmarkedFace {
            let box = DetectedFace(left: 10, top: 10, right: 89, bottom: 89, score: score)
            return LandmarkedFace(
                detection: box, predictorBox: box, points: Array(repeating: .zero, count: 68),
                spread: Array(repeating: 0, count: 68))
        }
        XCTAssertTrue(landmarker.isWeak(face(score: -0.39)))
        XCTAssertTrue(landmarker.isWeak(face(score: 0)))
        XCTAssertFalse(landmarker.isWeak(face(score: 0.01)))
        XCTAssertNil(landmarker.weakWarning(face(score: 0.5), source: "turned.jpg"))
        let warning = try XCTUnwrap(landmarker.weakWarning(face(score: -0.39), source: "turned.jpg"))
        for word in ["turned.jpg", "weak detection", "-0.390", "--upsample 1", "--landmarks"] {
            XCTAssertTrue(warning.contains(word), "\(warning) does not mention \(word)")
        }
    }

    func testTheIdentityJudgeTellsTheSamePersonFromAnother() throws {
        let network = try DlibFaceDescriptor(path: try DlibModels.path("dlib_face_recognition_resnet_model_v1.dat"))
        let astronaut = try DlibFixture.named("astronaut"), hopper = try DlibFixture.named("grace_hopper")
        func face(_ fixture: DlibFixture) throws -> (Image, [SIMD2<Float>]) {
            (try Image.read(fixture.photoPath), try XCTUnwrap(fixture.mmodFirstFace).1.map { SIMD2<Float>($0) })
        }
        let (a, aPoints) = try face(astronaut), (h, hPoints) = try face(hopper)
        // The same photo shifted by 3 pixels (its landmarks with it) is the same person; another person is not.
        let shifted = HostTensor(a.pixels.shape, (0..<a.pixels.values.count).map { k in
            let row = k / (a.width * 3), rest = k % (a.width * 3)
            return rest >= 9 ? a.pixels.values[row * a.width * 3 + rest - 9] : 0
        })
        let distances = try IdentityJudge.distances(network, device: CPUBackend.shared, photo: a, photoLandmarks: aPoints,
                                                    views: [(shifted, aPoints.map { $0 + SIMD2(3, 0) }), (h.pixels, hPoints)])
        XCTAssertLessThan(distances[0], 0.1)
        XCTAssertGreaterThan(distances[1], DlibFaceDescriptor.samePersonDistance)
        XCTAssertEqual(DlibFaceDescriptor.samePersonDistance, 0.6)
    }

    func testAPhotoWithoutAFaceIsAClearError() throws {
        let landmarker = try Self.landmarker()
        let grey = RGBImage8(width: 160, height: 120, samples: [UInt8](repeating: 128, count: 160 * 120 * 3))
        let run = try landmarker.faces(in: grey)
        XCTAssertTrue(run.faces.isEmpty)
        XCTAssertThrowsError(try landmarker.face(0, among: run.faces, source: "grey.png")) { error in
            for word in ["grey.png", "no face", "--upsample 1", "--landmarks"] {
                XCTAssertTrue("\(error)".contains(word), "\(error) does not mention \(word)")
            }
        }
    }

    func testGreyAndRGBAPhotosBecomeDlibsRGB() {
        let grey = Image(pixels: HostTensor([1, 2, 1], [0, 1]), bitDepth: 8)
        XCTAssertEqual(RGBImage8(grey).samples, [0, 0, 0, 255, 255, 255])
        let rgba = Image(pixels: HostTensor([1, 1, 4], [10 / 255, 20 / 255, 30 / 255, 0]), bitDepth: 8)
        XCTAssertEqual(RGBImage8(rgba).samples, [10, 20, 30])
        XCTAssertEqual(RGBImage8(width: 1, height: 1, samples: [10, 20, 31]).intensity(x: 0, y: 0), 20)
    }

    func testTheBoxCalibrationMovesAndScalesAboutTheCentre() {
        // A 100-pixel box centred at (149.5, 249.5): moved by 0.1 and 0.2 of its size, scaled by 0.9.
        let box = DetectedFace(left: 100, top: 200, right: 199, bottom: 299, score: 1)
        let moved = BoxCalibration(dx: 0.1, dy: 0.2, scale: 0.9).apply(box)
        XCTAssertEqual([moved.left, moved.top, moved.right, moved.bottom], [115, 225, 204, 314])  // 159.5 ± 44.5 …
        XCTAssertEqual(moved.score, 1)
        XCTAssertEqual(BoxCalibration.identity.apply(box), box)
    }

    func testTheOverlayDrawsInsideThePhotoWhateverTheBoxes() {
        let photo = Image(pixels: HostTensor([20, 30, 3], [Float](repeating: 0, count: 20 * 30 * 3)), bitDepth: 8)
        let edge = DetectedFace(left: -5, top: 2, right: 40, bottom: 9, score: 1)
        let face = LandmarkedFace(detection: edge, predictorBox: edge,
                                  points: [SIMD2(3, 4), SIMD2(-10, 50), SIMD2(.nan, 1)] + Array(repeating: SIMD2(29, 19), count: 65),
                                  spread: Array(repeating: 0, count: 68))
        let drawn = LandmarkOverlay.draw(photo, faces: [face])
        XCTAssertEqual(drawn.shape, [20, 30, 3])
        let pixel = { (x: Int, y: Int) in Array(drawn.values[(y * 30 + x) * 3..<(y * 30 + x) * 3 + 3]) }
        XCTAssertEqual(pixel(3, 4), [1, 0.15, 0.1])  // a landmark dot
        XCTAssertEqual(pixel(10, 2), [0.1, 0.9, 0.2])  // the box's top edge
        XCTAssertEqual(pixel(10, 14), [0, 0, 0])  // untouched
    }
}

extension JSONDecoder {
    /// Reads what the reports write (snake_case keys).
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
