import Foundation
import XCTest

// The synthetic-face generator: the same seed gives the same files, the true landmarks lie on the
// rendered face, drawn poses, cameras and degradations stay in their ranges and are recorded, the
// bumps are smooth and seeded, the floor is the best model mesh, the albedo has the photo's skin
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
        for name in [
            "face_0.jpg", "face_1.jpg", "face_1.pts", "face_1.obj", "face_1.floor.obj", "truth.json",
        ] {
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
            let image = try JPEGFile.read(folder + "/face_\(face.index).jpg").pixels
            let points = try PTSFile.read(folder + "/face_\(face.index).pts")
            XCTAssertEqual(points.count, 68)
            // The green albedo, lit, at iBUG point n's pixel or one beside it (greener than red: a
            // highlight adds white, noise and JPEG a little of every colour).
            func covered(_ n: Int) -> Bool {
                let p = points[n - 1]
                let (i, j) = (Int(p.y.rounded()), Int(p.x.rounded()))
                return (i - 1...i + 1).contains { y in
                    (j - 1...j + 1).contains { (x: Int) -> Bool in
                        guard (0..<120).contains(y), (0..<160).contains(x) else { return false }
                        let k: Int = (y * 160 + x) * 3
                        return image.values[k + 1] > image.values[k] + 0.1
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
        XCTAssertEqual(try JPEGFile.read(folder + "/face_0.jpg").pixels.shape, [120, 160, 3])
    }

    func testDrawnPosesCamerasAndLightStayInTheirRanges() throws {
        let (photos, _) = sources()
        let layout = try SynthLayout(Self.face.get())
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
            let front = zip(SphericalHarmonics.basis(SIMD3(0, 0, 1)), face.sphericalHarmonics).map { Float($0) * $1[1] }
                .reduce(0, +)
            XCTAssertTrue((0.3...1.5).contains(front), "irradiance \(front)")
            // The degradations and bumps, in their ranges.
            let c = face.capture
            XCTAssertTrue((0.05...0.35).contains(c.specular) && (8...64).contains(c.shininess), "\(c)")
            XCTAssertTrue((0...1).contains(c.blur) && (0.002...0.02).contains(c.noise), "\(c)")
            XCTAssertTrue((70...95).contains(c.jpegQuality), "\(c)")
            XCTAssertEqual(face.bumps.count, ranges.bumpCount)
            XCTAssertTrue(
                face.bumps.allSatisfy {
                    (5...12).contains($0.radius) && layout.bumpVertices.contains($0.vertex)
                })
        }
        XCTAssertEqual(Set(faces.map(\.capture.jpegQuality)).count, 26, "every quality 70–95 is drawn")
        XCTAssertGreaterThan(faces.map(\.yaw).max()!, 50)
        XCTAssertLessThan(faces.map(\.yaw).min()!, -50)
        let variance = Float(ranges.shape * ranges.shape)
        XCTAssertEqual(
            faces.map(\.shape).joined().map { $0 * $0 }.reduce(0, +) / Float(300 * 63), variance,
            accuracy: 0.05 * variance)
        let heights = faces.flatMap(\.bumps).map(\.height)
        XCTAssertEqual(
            (heights.map { $0 * $0 }.reduce(0, +) / Float(heights.count)).squareRoot(),
            Float(ranges.bumpHeight),
            accuracy: 0.05 * Float(ranges.bumpHeight))
    }

    func testBumpsAreSmoothSeededAndOnTheFace() throws {
        let face = try Self.face.get()
        let layout = try SynthLayout(face)
        let (photos, _) = sources()
        func draw(_ seed: UInt64, _ index: Int) -> SynthFace {
            SynthFace.draw(
                index: index, seed: seed, width: 640, height: 480, layout: layout, ranges: SynthRanges(),
                albedoCount: 1, photos: photos)
        }
        XCTAssertEqual(draw(5, 2).bumps, draw(5, 2).bumps)
        XCTAssertNotEqual(draw(5, 2).bumps, draw(5, 3).bumps)
        XCTAssertNotEqual(draw(5, 2).bumps, draw(6, 2).bumps)
        let bumps = draw(5, 2).bumps
        let field = SynthBump.displacement(bumps, mean: layout.mean, normals: layout.normals).values
        // Along the normals: the height h_v = d_v·n_v; a sum of Gaussians changes along an edge by at
        // most Σ|h_k|/(r_k·√e) per mm.
        let height = layout.mean.indices.map { v in
            (0..<3).map { field[3 * v + $0] * layout.normals[v][$0] }.reduce(0, +)
        }
        for v in layout.mean.indices {
            let d = SIMD3(field[3 * v], field[3 * v + 1], field[3 * v + 2])
            XCTAssertEqual((d * d).sum().squareRoot(), Swift.abs(height[v]), accuracy: 1e-4)
        }
        let slope = bumps.map { Swift.abs($0.height) / ($0.radius * Float(M_E).squareRoot()) }.reduce(0, +)
        for t in face.model.triangles {
            for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] {
                let edge = layout.mean[Int(a)] - layout.mean[Int(b)]
                let change = Swift.abs(height[Int(a)] - height[Int(b)])
                XCTAssertLessThanOrEqual(change, slope * (edge * edge).sum().squareRoot() + 1e-4)
            }
        }
        // Far from every bump (beyond 4 radii) the face is untouched.
        let far = layout.mean.indices.filter { v in
            bumps.allSatisfy { b in
                let d = layout.mean[v] - layout.mean[b.vertex]
                return (d * d).sum().squareRoot() > 4 * b.radius
            }
        }
        XCTAssertFalse(far.isEmpty)
        XCTAssertLessThan(
            far.map { Swift.abs(height[$0]) }.max()!, 0.01 * bumps.map { Swift.abs($0.height) }.max()!)
    }

    func testProjectionRecoversAModelMesh() throws {
        let model = try Self.face.get().model
        var random = SynthRandom(seed: 4)
        let shape = (0..<model.shapeComponentCount).map { _ in Float(random.normal()) }
        let expression = (0..<model.expressionCount).map { _ in Float(random.uniform(0, 0.5)) }
        let g = Graph()
        let vertices = try model.vertices(
            g, shapeCoefficients: g.constant(HostTensor([shape.count], shape)),
            expressionCoefficients: g.constant(HostTensor([expression.count], expression)))
        let program = try Program(graph: g, outputs: [vertices], device: CPUBackend.shared)
        try program.run()
        let values = try program.read(vertices).values
        // In the model's frame, as a synthetic truth is (a large pose is absorbed only slowly).
        let target = (0..<model.vertexCount).map { v in
            SIMD3(Double(values[3 * v]), Double(values[3 * v + 1]), Double(values[3 * v + 2]))
        }
        let fit = try ModelProjection(model).project(target)
        let worst = zip(fit.vertices, target).map { length($0 - $1) }.max()!
        XCTAssertLessThan(worst, 0.01, "mm")
        for (k, value) in shape.enumerated() {
            XCTAssertEqual(
                fit.coefficients[k], Double(value),
                accuracy: 0.02 * Swift.abs(Double(value)) + 0.02)
        }
    }

    func testFloorIsNearerTheTruthThanTheMeanFaceAndDegradationsAreRecorded() throws {
        let folder = try scratchFolder(self)
        let truth = try run(small(count: 2, seed: 9), into: folder)
        let model = try Self.face.get().model
        let mean = model.meanVertices
        for face in truth.faces {
            let name = folder + "/face_\(face.index)"
            let truthMesh = try OBJFile.read(name + ".obj").positions
            let floorMesh = try OBJFile.read(name + ".floor.obj").positions
            func rms(_ a: [SIMD3<Float>], _ b: [SIMD3<Float>]) -> Float {
                (zip(a, b).map { (($0 - $1) * ($0 - $1)).sum() }.reduce(0, +) / Float(a.count)).squareRoot()
            }
            let floor = try XCTUnwrap(face.floor)
            XCTAssertEqual(rms(floorMesh, truthMesh), floor.vertexRMS, accuracy: 1e-3)
            // The undisplaced truth is a model mesh, so the least-squares floor is at least as near.
            XCTAssertLessThanOrEqual(floor.vertexRMS, floor.displacementRMS + 1e-3)
            XCTAssertGreaterThan(
                floor.vertexRMS, 0.1 * floor.displacementRMS, "the bumps are not all expressible")
            XCTAssertLessThan(floor.vertexRMS, 0.5 * rms(mean, truthMesh))
            XCTAssertEqual(floor.shape.count, model.shapeComponentCount)
            XCTAssertEqual(floor.expression.count, model.expressionCount)
        }
        // truth.json records every face's degradations and floor as drawn.
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json"))
        let read = try JSONDecoder().decode(SynthTruth.self, from: data)
        XCTAssertEqual(read.faces, truth.faces)
        XCTAssertNotNil(read.faces[0].floor)
        XCTAssertTrue(read.faces.allSatisfy { (70...95).contains($0.capture.jpegQuality) })
    }

    func testDegradationsBlurNoiseAndHighlight() {
        // The blur keeps a flat image flat and spreads an impulse symmetrically, keeping its sum.
        var impulse = [Float](repeating: 0, count: 9 * 9 * 3)
        impulse[3 * (4 * 9 + 4)] = 1
        let blurred = SynthCapture.gaussianBlur(impulse, width: 9, height: 9, sigma: 1)
        XCTAssertEqual(blurred.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(blurred[3 * (4 * 9 + 3)], blurred[3 * (4 * 9 + 5)], accuracy: 1e-7)
        XCTAssertEqual(blurred[3 * (3 * 9 + 4)], blurred[3 * (5 * 9 + 4)], accuracy: 1e-7)
        XCTAssertLessThan(blurred[3 * (4 * 9 + 4)], 0.2)
        let flat = SynthCapture.gaussianBlur(
            [Float](repeating: 0.5, count: 243), width: 9, height: 9, sigma: 0.7)
        XCTAssertTrue(flat.allSatisfy { Swift.abs($0 - 0.5) < 1e-5 })
        // The noise is seeded and has its standard deviation.
        let capture = SynthCapture(
            specular: 0.3, shininess: 20, blur: 0, noise: 0.01, jpegQuality: 90, noiseSeed: 3)
        let grey = [Float](repeating: 0.5, count: 3 * 64 * 64)
        let noisy = capture.degrade(grey, width: 64, height: 64)
        XCTAssertEqual(noisy, capture.degrade(grey, width: 64, height: 64))
        let sd = (noisy.map { ($0 - 0.5) * ($0 - 0.5) }.reduce(0, +) / Float(noisy.count)).squareRoot()
        XCTAssertEqual(sd, 0.01, accuracy: 0.001)
        // A surface facing the camera under a light behind the camera shines at the image's centre,
        // not where it faces away from the light.
        var image = [Float](repeating: 0, count: 3 * 8 * 8)
        var normals = [Float](repeating: 0, count: 3 * 8 * 8)
        for p in 0..<64 { normals[3 * p + 2] = 1 }
        normals[3 * 0 + 2] = -1
        capture.addSpecular(
            to: &image, normals: normals, width: 8, height: 8, focal: 8, direction: [0, 0, 1],
            colour: [1, 1, 1])
        XCTAssertGreaterThan(image[3 * (4 * 8 + 4)], 0.25)
        XCTAssertEqual(image[0], 0)
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
