import Foundation
import XCTest

// The synthetic-face generator: the same seed gives the same files, the true landmarks lie on the
// rendered face, drawn poses and cameras stay in their ranges, the albedo has the photo's skin
// colour, bad arguments are clear errors. Tiny images, a one-colour albedo, a black photo.
@testable import Engine

final class SynthTests: XCTestCase {
    private static let face = Result { try FitModel(folder: Repository.path("models/sfm")) }

    /// A black 200×150 photo with one made-up face in its top-left corner, and a green albedo.
    private func sources() -> ([SynthPhoto], [SynthAlbedo]) {
        let points = (0..<68).map { (k: Int) -> SIMD2<Float> in
            SIMD2(Float(10 + k % 10 * 3), Float(10 + k / 10 * 4))
        }
        let photo = SynthPhoto(
            name: "black", image: Image(pixels: HostTensor.zeros([150, 200, 3]), bitDepth: 8), faces: [points]
        )
        let green = HostTensor([16, 16, 3], (0..<16 * 16).flatMap { _ in [Float(0.1), 0.9, 0.2] })
        return ([photo], [SynthAlbedo(photo: 0, face: 0, texture: green)])
    }

    private func run(_ settings: SynthSettings, into folder: String) throws -> SynthTruth {
        let (photos, albedos) = sources()
        return try FaceSynth.run(
            settings, face: Self.face.get(), photos: photos, albedos: albedos, device: CPUBackend.shared,
            to: folder
        ) { _ in }
    }

    private func small(count: Int, seed: UInt64) -> SynthSettings {
        var settings = SynthSettings(count: count, seed: seed)
        (settings.width, settings.height, settings.supersampling) = (96, 72, 1)
        return settings
    }

    func testTheSameSeedWritesTheSameFilesAndAnotherSeedOthers() throws {
        let (a, b, c) = (try scratchFolder(self), try scratchFolder(self), try scratchFolder(self))
        _ = try run(small(count: 2, seed: 7), into: a)
        _ = try run(small(count: 2, seed: 7), into: b)
        _ = try run(small(count: 2, seed: 8), into: c)
        for name in ["face_0.png", "face_1.png", "face_1.pts", "face_1.obj", "truth.json"] {
            let first = try Data(contentsOf: URL(fileURLWithPath: a + "/" + name))
            XCTAssertEqual(first, try Data(contentsOf: URL(fileURLWithPath: b + "/" + name)), name)
            XCTAssertNotEqual(first, try Data(contentsOf: URL(fileURLWithPath: c + "/" + name)), name)
        }
    }

    func testTrueLandmarksLieOnTheRenderedFaceInsideTheFrame() throws {
        let folder = try scratchFolder(self)
        var settings = small(count: 4, seed: 3)
        (settings.width, settings.height) = (160, 120)
        let truth = try run(settings, into: folder)
        for face in truth.faces {
            let image = try PNGFile.read(folder + "/face_\(face.index).png").pixels
            let points = try PTSFile.read(folder + "/face_\(face.index).pts")
            XCTAssertEqual(points.count, 68)
            // The green albedo, lit, at iBUG point n's pixel or one beside it.
            func covered(_ n: Int) -> Bool {
                let p = points[n - 1]
                let (i, j) = (Int(p.y.rounded()), Int(p.x.rounded()))
                return (i - 1...i + 1).contains { y in
                    (j - 1...j + 1).contains { x in
                        (0..<120).contains(y) && (0..<160).contains(x)
                            && image.values[(y * 160 + x) * 3 + 1] > 0.1
                    }
                }
            }
            // The nose tip, the mouth's middle and the eye corners of the side facing the camera (both
            // sides within 30° of yaw; positive yaw shows the subject's right, points 37 and 40).
            let eyes = abs(face.yaw) < 30 ? [37, 40, 43, 46] : face.yaw > 0 ? [37, 40] : [43, 46]
            for n in [31, 52, 58] + eyes {
                XCTAssertTrue(covered(n), "face \(face.index) (yaw \(face.yaw)°): point \(n)")
            }
            let ys = points.map(\.y)
            let xs = points.map(\.x)
            XCTAssertTrue(
                xs.min()! > 0 && xs.max()! < 160 && ys.min()! > 0 && ys.max()! < 120,
                "face \(face.index) leaves the frame: x \(xs.min()!)…\(xs.max()!), "
                    + "y \(ys.min()!)…\(ys.max()!)"
            )
            // The brows-to-chin height follows the drawn fraction of the shorter side (shapes and
            // pitch vary it).
            let height = (points[8].y - points[17...26].map(\.y).min()!) / 120
            XCTAssertEqual(
                height, face.faceFraction, accuracy: 0.35 * face.faceFraction, "face \(face.index)")
        }
        XCTAssertEqual(try PNGFile.read(folder + "/face_0.png").pixels.shape, [120, 160, 3])
    }

    func testDrawnPosesCamerasAndLightStayInTheirRanges() throws {
        let (photos, _) = sources()
        let layout = SynthLayout(try Self.face.get())
        let ranges = SynthRanges()
        let faces = (0..<300).map {
            SynthFace.draw(
                index: $0, seed: 11, width: 640, height: 480, layout: layout, ranges: ranges, albedoCount: 3,
                photos: photos)
        }
        for face in faces {
            XCTAssertLessThanOrEqual(abs(face.yaw), 60)
            XCTAssertLessThanOrEqual(abs(face.pitch), 20)
            XCTAssertTrue((24...135).contains(face.focal35mm) && (0.15...0.6).contains(face.faceFraction))
            XCTAssertTrue((0..<3).contains(face.albedo))
            // The axis-angle holds the drawn yaw in the fit's own convention.
            let parameters = FaceParameters(
                shape: [], expression: [], rotation: face.rotation, translation: face.translation, focal: 1,
                principalPoint: [0, 0])
            XCTAssertEqual(parameters.yawDegrees, face.yaw, accuracy: 0.01)
            // Frontal irradiance stays plausible: ambient plus at most the directional light.
            let front = zip(SynthLight.basis([0, 0, 1]), face.sphericalHarmonics).map { Float($0) * $1[1] }
                .reduce(0, +)
            XCTAssertTrue((0.3...1.5).contains(front), "irradiance \(front)")
        }
        XCTAssertGreaterThan(faces.map(\.yaw).max()!, 50)
        XCTAssertLessThan(faces.map(\.yaw).min()!, -50)
        XCTAssertEqual(
            faces.map(\.shape).joined().map { $0 * $0 }.reduce(0, +) / Float(300 * 63), 1, accuracy: 0.05)
    }

    func testJawPointsRunFromTheEyeCornersHeightToTheChin() throws {
        let face = try Self.face.get()
        let vertices = SynthLandmarks.vertices(face)
        let mean = face.model.meanVertices
        XCTAssertEqual(Set(vertices.keys), Set(1...68).subtracting([61, 65]))
        XCTAssertEqual(Set((1...8).map { vertices[$0]! }).count, 8)
        XCTAssertTrue((1...8).allSatisfy { face.contour.right.contains(vertices[$0]!) })
        XCTAssertTrue((10...17).allSatisfy { face.contour.left.contains(vertices[$0]!) })
        let eye = mean[vertices[37]!].y
        let chin = mean[vertices[9]!].y
        XCTAssertEqual(mean[vertices[1]!].y, eye, accuracy: 0.1 * (eye - chin))
        XCTAssertTrue(
            (2...8).allSatisfy { mean[vertices[$0]!].y < mean[vertices[$0 - 1]!].y },
            "the jaw goes down to the chin")
    }

    func testAlbedoHasThePhotosSkinColour() throws {
        let face = try Self.face.get()
        let photo = try SynthPhoto.read(
            photo: Repository.path("samples/image_0010.png"),
            points: Repository.path("samples/image_0010.pts"))
        var settings = FitSettings()
        (settings.size, settings.landmarkIterations, settings.textureSize) = (128, 60, 128)
        let albedo = try XCTUnwrap(
            SynthAlbedo.project([photo], face: face, settings: settings, device: CPUBackend.shared) { _ in }
                .first)
        XCTAssertEqual(albedo.texture.shape, [128, 128, 3])
        // The texture's mean colour (the seen texels and the mean skin filling the rest) against the
        // photo's over the face's middle (between the outer eye corners, from the eyes to the mouth).
        let points = photo.faces[0]
        let w = photo.image.width
        let (left, right) = (Int(points[36].x), Int(points[45].x))
        let (top, bottom) = (Int(points[37].y), Int(points[57].y))
        for c in 0..<3 {
            var total: Float = 0
            for y in top...bottom {
                for x in left...right { total += photo.image.pixels.values[(y * w + x) * 3 + c] }
            }
            let photoMean = total / Float((bottom - top + 1) * (right - left + 1))
            let texture = stride(from: c, to: albedo.texture.values.count, by: 3).map {
                albedo.texture.values[$0]
            }
            XCTAssertEqual(
                texture.reduce(0, +) / Float(texture.count), photoMean, accuracy: 0.06, "channel \(c)")
        }
    }

    func testBadArgumentsAreClearErrors() throws {
        func assertInvalid(_ settings: SynthSettings, mentions flag: String) {
            XCTAssertThrowsError(try settings.validate()) { error in
                guard case .invalidValue(let message)? = error as? EngineError else {
                    return XCTFail("\(error)")
                }
                XCTAssertTrue(message.contains(flag), message)
            }
        }
        assertInvalid(SynthSettings(count: 0, seed: 1), mentions: "--count")
        var tiny = SynthSettings(count: 1, seed: 1)
        tiny.width = 8
        assertInvalid(tiny, mentions: "--size")
        let folder = try scratchFolder(self)
        let json = folder + "/points.json"
        try Data("{\"faces\": []}".utf8).write(to: URL(fileURLWithPath: json))
        assertBadFile(
            try SynthPhoto.read(photo: Repository.path("samples/image_0010.png"), points: json), path: json,
            mentions: ["mmod", ".pts"])
        XCTAssertThrowsError(
            try FaceSynth.run(
                SynthSettings(count: 1, seed: 1), face: Self.face.get(), photos: [], albedos: [],
                device: CPUBackend.shared, to: folder
            ) { _ in })
    }
}
