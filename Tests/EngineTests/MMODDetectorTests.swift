// dlib's MMOD face detector on the engine: the tiled pyramid's layout and coordinate maps against
// values worked out by hand from dlib's image_pyramid.h, the network file's structure check, and
// boxes and scores against dlib's own (Fixtures/dlib, tools/dlib_reference.py) on CPU and OpenCL.
@testable import Engine
import Foundation
import XCTest

final class MMODDetectorTests: XCTestCase {
    static let fixtures = Repository.path("Tests/EngineTests/Fixtures/dlib")

    /// A 100 × 60 photo, padding 10, outer padding 11. Levels shrink by 5/6 (floored) to 5 rows:
    /// rows 60 50 41 34 28 23 19 15 12 10 8 6 5, columns 100 83 69 57 47 39 32 26 21 17 14 11 9.
    /// Total height Σ(rows + 10) − 20 = 421; the first column stops before level 5 (39 ≤ 100 − 47
    /// − 10 and (263 − 60)·2 ≥ 421 − 60) at height 263 − 10 = 253, so the tiled image is
    /// 275 × 122; the rest climb the right edge from y = 263.
    func testPyramidLayoutFollowsDlibsTilingRules() {
        let p = MMODPyramid(width: 100, height: 60, padding: 10, outerPadding: 11)
        XCTAssertEqual(p.rows, 275)
        XCTAssertEqual(p.cols, 122)
        func r(_ l: Double, _ t: Double, _ r: Double, _ b: Double) -> DlibRect {
            DlibRect(left: l, top: t, right: r, bottom: b)
        }
        XCTAssertEqual(p.levels, [
            r(11, 11, 110, 70), r(11, 81, 93, 130), r(11, 141, 79, 181), r(11, 192, 67, 225),
            r(11, 236, 57, 263),
            r(72, 241, 110, 263), r(79, 212, 110, 230), r(85, 187, 110, 201), r(90, 165, 110, 176),
            r(94, 145, 110, 154), r(97, 127, 110, 134), r(100, 111, 110, 116), r(102, 96, 110, 100),
        ])
    }

    /// Level k's pixel (x, y) is the photo's (x·1.2 + 0.3) k times (pyramid_down<6>::point_up),
    /// found through the level nearest the box centre; the photo → tiled map inverts it.
    func testTiledBoxesMapToThePhotoAndBack() {
        let p = MMODPyramid(width: 100, height: 60, padding: 10, outerPadding: 11)
        let onLevel1 = DlibRect(left: 11, top: 81, right: 21, bottom: 91)  // level 1's (0, 0)…(10, 10)
        let photo = p.toPhoto(onLevel1)
        for (a, e) in zip([photo.left, photo.top, photo.right, photo.bottom], [0.3, 0.3, 12.3, 12.3]) {
            XCTAssertEqual(a, e, accuracy: 1e-12)
        }
        // Centre (100, 149) lies in level 9 only, at (94, 145)…(110, 154): nine steps up.
        let onLevel9 = p.toPhoto(DlibRect(left: 95, top: 146, right: 105, bottom: 152))
        func up(_ v: Double) -> Double { (0..<9).reduce(v) { x, _ in x * 1.2 + 0.3 } }
        let corners = [onLevel9.left, onLevel9.top, onLevel9.right, onLevel9.bottom]
        for (a, e) in zip(corners, [up(1), up(1), up(11), up(7)]) {
            XCTAssertEqual(a, e, accuracy: 1e-9)
        }
        for level in 0..<4 {
            let box = DlibRect(left: 20, top: 10, right: 40, bottom: 30)
            let back = p.toPhoto(p.toTiled(box, scale: pow(5.0 / 6, Double(level))))
            for (a, e) in zip([back.left, back.top, back.right, back.bottom], [20.0, 10, 40, 30]) {
                XCTAssertEqual(a, e, accuracy: 1e-9, "level \(level)")
            }
        }
    }

    func testAnotherNetworkFileIsAClearError() throws {
        let resnet = try DlibModels.path("dlib_face_recognition_resnet_model_v1.dat")
        XCTAssertThrowsError(try MMODDetector(path: resnet)) { error in
            guard case let EngineError.badFile(path, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, resnet)
            XCTAssertTrue(problem.contains("mmod_human_face_detector.dat"), problem)
        }
    }

    /// loss_mmod's decoding with a weak floor: when no window scores above the threshold (0) the best
    /// one above `weakThreshold` (−0.5) comes alone; a window above the threshold hides the weak ones;
    /// windows below the floor, or no floor, give nothing. Score maps made by hand (−2 elsewhere), two
    /// windows 20 cells (160 photo pixels) apart on the first pyramid level, so they do not overlap.
    func testTheBestWeakWindowComesAloneWhenNoneScoresAboveTheThreshold() throws {
        let detector = try MMODDetector(path: try DlibModels.path("mmod_human_face_detector.dat"))
        let pyramid = MMODPyramid(width: 400, height: 300, padding: detector.padding,
                                  outerPadding: detector.outerPadding)
        let (rows, cols) = (pyramid.rows / 8, pyramid.cols / 8)
        func scores(_ a: Float, _ b: Float) -> HostTensor {
            var values = [Float](repeating: -2, count: rows * cols)
            values[10 * cols + 10] = a
            values[10 * cols + 30] = b
            return HostTensor([1, 1, rows, cols], values)
        }
        let weak = detector.decode(scores(-0.3, -0.45), pyramid: pyramid)
        XCTAssertEqual(weak.map(\.score), [Double(Float(-0.3))])
        XCTAssertEqual(detector.decode(scores(-0.3, 0.5), pyramid: pyramid).map(\.score), [0.5])
        XCTAssertEqual(detector.decode(scores(0.25, 0.5), pyramid: pyramid).map(\.score), [0.5, 0.25])
        XCTAssertTrue(detector.decode(scores(-0.7, -1), pyramid: pyramid).isEmpty)
        detector.weakThreshold = nil
        XCTAssertTrue(detector.decode(scores(-0.3, -0.45), pyramid: pyramid).isEmpty)
    }

    func testAPhotoTooSmallForTheWindowIsAClearError() throws {
        let detector = try MMODDetector(path: try DlibModels.path("mmod_human_face_detector.dat"))
        let small = RGBImage8(width: 120, height: 60, samples: [UInt8](repeating: 128, count: 120 * 60 * 3))
        XCTAssertThrowsError(try detector.detect(small)) { error in
            XCTAssertTrue("\(error)".contains("80×80"), "\(error)")
        }
        XCTAssertNoThrow(try detector.detect(small, upsample: 1))
    }

    /// A photo over the pixel cap is detected on an area-reduced copy: reduced boxes scale back
    /// by the reduction in continuous pixels ([left, right + 1) · 2), and the face still lands
    /// on dlib's full-photo box as well as dlib's own boxes at two scales agree (IoU 0.65 between
    /// its upsample 0 and 1 boxes on this photo; 0.81 measured here).
    func testPhotosOverThePixelCapAreDetectedOnAReducedCopy() throws {
        let photo = RGBImage8(try Image.read(Repository.path("samples/image_0010.png")))
        let work = WorkingPhoto(photo, upsample: 1, maxPixels: 640 * 512)
        XCTAssertEqual([work.image.width, work.image.height, work.upsampled], [640, 512, 0])
        XCTAssertEqual(work.toPhoto(DetectedFace(left: 10, top: 20, right: 49, bottom: 69, score: 1)),
                       DetectedFace(left: 20, top: 40, right: 99, bottom: 139, score: 1))
        let detector = try MMODDetector(path: try DlibModels.path("mmod_human_face_detector.dat"))
        detector.maxPixels = 640 * 512
        let faces = try detector.detect(photo, upsample: 1)
        // image_0010.json, upsample 0:
        let dlib = DetectedFace(left: 532, top: 153, right: 871, bottom: 493, score: 1.044)
        XCTAssertEqual(faces.count, 1, "\(faces)")
        XCTAssertGreaterThanOrEqual(faces.first?.iou(dlib) ?? 0, 0.65, "\(faces) vs dlib \(dlib)")
        print("MMOD image_0010 reduced to 640×512: \(faces), IoU \(faces.first?.iou(dlib) ?? 0) with dlib")
    }

    /// The photos dlib_reference.py ran dlib on (decoded PNG copies of its JPEGs).
    static func photo(_ name: String) -> String {
        name == "image_0010" ? Repository.path("samples/image_0010.png")
            : fixtures + "/" + (name == "astronaut" ? "astronaut.png" : name + ".decoded.png")
    }

    /// Every dlib box has one of ours with IoU ≥ 0.95 (dlib's inclusive pixels) and a score within
    /// `scoreTolerance`, and there are no others.
    func check(_ detector: MMODDetector, _ name: String, upsample: Int, on device: String) throws {
        let url = URL(fileURLWithPath: Self.fixtures + "/\(name).json")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let boxes = (fixture["mmod"] as! [String: Any])["\(upsample)"] as! [[String: Any]]
        let expected = boxes.map { box in
            let v = { (key: String) in (box[key] as! NSNumber).doubleValue }
            return DetectedFace(left: v("left"), top: v("top"), right: v("right"), bottom: v("bottom"),
                                score: v("confidence"))
        }
        let faces = try detector.detect(RGBImage8(try Image.read(Self.photo(name))), upsample: upsample)
        let label = "\(name) upsample \(upsample) on \(device)"
        XCTAssertEqual(faces.count, expected.count, "\(label): \(faces) vs dlib \(expected)")
        for e in expected {
            guard let best = faces.max(by: { $0.iou(e) < $1.iou(e) }) else { continue }
            XCTAssertGreaterThanOrEqual(best.iou(e), 0.95, "\(label): \(best) vs dlib \(e)")
            XCTAssertEqual(best.score, e.score, accuracy: Self.scoreTolerance, "\(label): score")
            print("MMOD \(label): IoU \(best.iou(e)) score \(best.score) vs \(e.score)")
        }
    }

    /// Measured: at most 2.1e-6 (t1's fifth face on the CPU backend).
    static let scoreTolerance = 1e-4

    func testBoxesAndScoresMatchDlibOnTheCPU() throws {
        let detector = try MMODDetector(path: try DlibModels.path("mmod_human_face_detector.dat"))
        for name in ["astronaut", "grace_hopper", "image_0010", "t1"] {
            try check(detector, name, upsample: 0, on: "CPU")
        }
    }

    func testUpsampledBoxesAndScoresMatchDlibOnTheCPU() throws {
        let detector = try MMODDetector(path: try DlibModels.path("mmod_human_face_detector.dat"))
        for name in ["astronaut", "grace_hopper"] { try check(detector, name, upsample: 1, on: "CPU") }
    }

    func testBoxesAndScoresMatchDlibOnOpenCL() throws {
        let device = try TestDevice.openCL()
        let path = try DlibModels.path("mmod_human_face_detector.dat")
        let detector = try MMODDetector(path: path, device: device)
        for name in ["astronaut", "grace_hopper"] { try check(detector, name, upsample: 0, on: device.name) }
    }
}
