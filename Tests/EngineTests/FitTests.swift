// The fit: stage 1 recovers a known face's pose and shape from its projected landmarks, stage 2
// lowers its loss on a tiny crop, and bad input gets clear errors.
@testable import Engine
import Foundation
import XCTest

final class FitTests: XCTestCase {
    private static let face = Result { try FitModel(folder: Repository.path("models/sfm")) }

    /// Landmarks of the model with `truth` parameters in a `size`² crop: mapped vertices, and
    /// the jaw-line landmarks on every second contour vertex (1…8 down the right, 17…10 down the left).
    static func landmarks(_ face: FitModel, _ truth: FaceParameters, size: Int) throws -> [SIMD2<Float>] {
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: FitSettings())
        let screen = try geometry.first.screen(g, size: size)
        let program = try Program(graph: g, outputs: [screen], device: CPUBackend.shared)
        for (name, value) in truth.geometryFeeds() { try program.set(name, value) }
        try program.run()
        let points = try program.read(screen).values
        func at(_ vertex: Int) -> SIMD2<Float> { SIMD2(points[3 * vertex], points[3 * vertex + 1]) }
        var targets = [SIMD2<Float>](repeating: SIMD2(Float(size) / 2, Float(size) / 2), count: 68)
        for (landmark, vertex) in face.mapping.vertices { targets[landmark - 1] = at(vertex) }
        for j in 0..<8 {
            targets[j] = at(face.contour.right[2 * j])
            targets[16 - j] = at(face.contour.left[2 * j])
        }
        return targets
    }

    /// Stage 1 on a face drawn from the model (exact landmarks at 20° of yaw, one expression), with
    /// `change` applied to its settings.
    private func knownFaceFit(_ change: (inout FitSettings) -> Void = { _ in }) throws
        -> (fit: LandmarkFit, truth: FaceParameters)
    {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.size, settings.landmarkIterations, settings.logInterval) = (128, 300, 1000)
        settings.landmarkNoise = 0.005  // the landmarks are exact projections: little noise, a weak prior
        change(&settings)
        var truth = FaceParameters.initial(face, targets: [], focal: 2.5 * 128, principalPoint: SIMD2(64, 64))
        truth.shape = (0..<truth.shape.count).map { k in k < 10 ? 0.8 * Foundation.sin(Float(k) * 1.3) : 0 }
        truth.expression = [0, 0, 0, 0.4, 0, 0]
        truth.rotation = [0.1, 0.35, -0.05]
        truth.translation = [6, -4, -700]
        let targets = try Self.landmarks(face, truth, size: settings.size)
        let start = FaceParameters.initial(face, targets: targets, focal: 2.5 * Float(settings.size),
                                           principalPoint: SIMD2(repeating: Float(settings.size) / 2))
        let fit = try LandmarkStage.run(face, targets: [targets], from: [start], settings: settings, device: CPUBackend.shared) { _ in }
        return (fit, truth)
    }

    func testLandmarkStageRecoversAKnownFace() throws {
        let (fit, truth) = try knownFaceFit()
        print("stage 1 on a synthetic face: mean landmark error \(fit.initialErrors) → \(fit.finalErrors) px (128² crop), "
              + "rotation \(fit.parameters[0].rotation) (truth \(truth.rotation))")
        XCTAssertGreaterThan(fit.initialErrors[0], 2)
        XCTAssertLessThan(fit.finalErrors[0], 1, "the priors pull the coefficients towards 0, so not to zero")
        XCTAssertEqual(fit.correspondences[0].weights.filter { $0 > 0 }.count, 66, "both jaw sides at 20° yaw, 61 and 65 skipped")
        for k in 0..<3 { XCTAssertEqual(fit.parameters[0].rotation[k], truth.rotation[k], accuracy: 0.06) }
    }

    /// With `non_negative_expressions` no expression weight ends below 0 (unconstrained, some do
    /// on this face), and the face is fitted as well.
    func testNonNegativeExpressionsStayAtOrAboveZero() throws {
        let free = try knownFaceFit().fit, projected = try knownFaceFit { $0.nonNegativeExpressions = true }.fit
        print("expressions: free \(free.parameters[0].expression), non-negative \(projected.parameters[0].expression)")
        XCTAssertLessThan(free.parameters[0].expression.min()!, 0, "the unconstrained fit should need the projection")
        XCTAssertGreaterThanOrEqual(projected.parameters[0].expression.min()!, 0)
        XCTAssertLessThan(projected.finalErrors[0], 1)
    }

    /// A few joint iterations on a 32² crop of the sample, with a small stand-in identity network.
    private func jointFit(device: any Backend, iterations: Int, texture: TextureModelKind = .projected,
                          randomViewWeight: Float = 0, contentWeight: Float = 0, mirrorWeight: Float = 0,
                          identityInterval: Int = 1)
        throws -> JointFit
    {
        try jointRun(device: device, iterations: iterations, texture: texture, randomViewWeight: randomViewWeight,
                     contentWeight: contentWeight, mirrorWeight: mirrorWeight,
                     identityInterval: identityInterval).fit
    }

    /// `jointFit` with what went into it: the texture model, the photo crop and the settings.
    private func jointRun(device: any Backend, iterations: Int, texture: TextureModelKind = .projected,
                          randomViewWeight: Float = 0, contentWeight: Float = 0,
                          mirrorWeight: Float = 0, identityInterval: Int = 1) throws
        -> (fit: JointFit, model: any TextureModel, photo: HostTensor, settings: FitSettings)
    {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.randomViewWeight, settings.contentWeight, settings.mirrorWeight) =
            (randomViewWeight, contentWeight, mirrorWeight)
        settings.identityInterval = identityInterval
        (settings.size, settings.textureSize, settings.textureOffsetSize, settings.texture) = (32, 32, 8, texture)
        (settings.landmarkIterations, settings.jointIterations, settings.logInterval) = (100, iterations, 2)
        let input = try FitInput.read(photo: Repository.path("samples/image_0010.png"), landmarks: Repository.path("samples/image_0010.pts"),
                                      size: settings.size)
        let targets = input.cropLandmarks
        let start = FaceParameters.initial(face, targets: targets, focal: 2.5 * Float(settings.size),
                                           principalPoint: SIMD2(repeating: Float(settings.size) / 2))
        let first = try LandmarkStage.run(face, targets: [targets], from: [start], settings: settings, device: CPUBackend.shared) { _ in }
        let model = try TextureModels.make(face, parameters: first.parameters, photos: [input.crop], settings: settings,
                                           device: device)
        let fit = try JointStage.run(face, photos: [input.crop], targets: [targets], correspondences: first.correspondences,
                                     from: first.parameters, texture: model, network: StandInIdentity(), settings: settings,
                                     device: device) { print($0) }
        return (fit, model, input.crop, settings)
    }

    /// A photo whose detected points the detector is unsure of keeps stage 1's shape and expression
    /// through stage 2 (its pose, light and texture still fitted); a sure one's shape moves.
    func testAnUnsureDetectorHoldsTheShapeInTheJointStage() throws {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.size, settings.textureSize) = (32, 32)
        (settings.landmarkIterations, settings.jointIterations) = (60, 4)
        (settings.textureDetailIterations, settings.logInterval) = (0, 2)
        var input = try FitInput.read(
            photo: Repository.path("samples/image_0010.png"),
            landmarks: Repository.path("samples/image_0010.pts"), size: settings.size)
        func fit(spread: Float) throws -> FaceFitResult {
            input.landmarkSpread = [Float](repeating: spread, count: 68)
            return try FaceFit.run(
                [input], face: face, network: StandInIdentity(), settings: settings, device: CPUBackend.shared
            ) { _ in }
        }
        let unsure = try fit(spread: 0.05)
        XCTAssertTrue(unsure.shapeHeld)
        let (before, after) = (unsure.landmarkStage.parameters[0], unsure.jointStage.parameters[0])
        XCTAssertEqual(after.shape, before.shape)
        XCTAssertEqual(after.expression, before.expression)
        XCTAssertNotEqual(after.rotation, before.rotation, "the pose is still fitted")
        let sure = try fit(spread: 0.02)
        XCTAssertFalse(sure.shapeHeld)
        XCTAssertNotEqual(sure.jointStage.parameters[0].shape, sure.landmarkStage.parameters[0].shape)

        input.landmarkSpread = [0.05, 0.03]
        XCTAssertEqual(try XCTUnwrap(input.meanLandmarkSpread), 0.04, accuracy: 1e-7)
        input.landmarkSpread = nil
        XCTAssertNil(input.meanLandmarkSpread)
        XCTAssertFalse(settings.holdsShape(meanSpreads: [nil]), "landmarks from a file have no spread")
        XCTAssertFalse(settings.holdsShape(meanSpreads: [0.05, 0.02]), "one photo's sure points are enough")
        XCTAssertTrue(settings.holdsShape(meanSpreads: [0.05, 0.04]))
        settings.holdShapeAboveSpread = nil
        XCTAssertFalse(settings.holdsShape(meanSpreads: [0.5]))
    }

    func testJointStageLowersItsLoss() throws {
        let fit = try jointFit(device: CPUBackend.shared, iterations: 8)
        let totals = fit.report.losses.map { $0.losses["total"]! }
        XCTAssertLessThan(totals.last!, totals.first!, "total loss over the joint iterations: \(totals)")
        XCTAssertEqual(fit.renders[0].shape, [32, 32, 3])
        XCTAssertEqual(fit.texture.shape, [32, 32, 3])
        XCTAssertTrue(fit.renders[0].values.allSatisfy(\.isFinite))
    }

    func testJointStageWithTheFreeTextureLowersItsLoss() throws {
        let fit = try jointFit(device: CPUBackend.shared, iterations: 8, texture: .free)
        let totals = fit.report.losses.map { $0.losses["total"]! }
        XCTAssertLessThan(totals.last!, totals.first!, "total loss over the joint iterations: \(totals)")
        XCTAssertNotNil(fit.report.losses.last!.losses["symmetry"])
        XCTAssertEqual(fit.texture.shape, [32, 32, 3])
        XCTAssertEqual(Set(fit.parameters[0].texture.keys), ["texture_initial", "texture_level_16", "texture_level_32"])
        // Where the time went, by part, adding up to the loop's time less its reads and logging.
        let parts = try XCTUnwrap(fit.report.secondsByPart)
        for part in ["model", "renderer", "texture", "identity network", "identity network backward", "optimiser"] {
            XCTAssertGreaterThan(parts[part] ?? 0, 0, "\(part) in \(parts)")
        }
        XCTAssertLessThanOrEqual(parts.values.reduce(0, +), fit.report.seconds)
        XCTAssertNotNil(fit.report.partsText)
    }

    /// With the identity network run every third iteration, the recorded identity loss (the value at
    /// its last run) changes only where it ran, and the loss still falls.
    func testJointStageRunsTheIdentityNetworkEveryIntervalAndLowersItsLoss() throws {
        let fit = try jointFit(device: CPUBackend.shared, iterations: 8, texture: .free, identityInterval: 3)
        let records = fit.report.losses  // iterations 0, 2, 4, 6 and the end (8); runs at 0, 3, 6 and 8
        let identities = records.map { $0.losses["identity"]! }
        XCTAssertEqual(records.map(\.iteration), [0, 2, 4, 6, 8])
        XCTAssertEqual(identities[1], identities[0], "no run since iteration 0: \(identities)")
        for k in 2..<identities.count { XCTAssertNotEqual(identities[k], identities[k - 1], "\(identities)") }
        XCTAssertLessThan(records.last!.losses["total"]!, records.first!.losses["total"]!)
        XCTAssertEqual(fit.initialCosine, 1 - identities[0])
        XCTAssertEqual(fit.finalCosine, 1 - identities.last!)
    }

    /// GANFIT's second render joins the joint stage's objective as its own recorded loss.
    func testJointStageWithTheRandomViewLowersItsLoss() throws {
        let fit = try jointFit(device: CPUBackend.shared, iterations: 8, texture: .free, randomViewWeight: 1)
        let records = fit.report.losses
        XCTAssertTrue(records.allSatisfy { $0.losses["random_view"]?.isFinite == true }, "\(records)")
        XCTAssertLessThan(records.last!.losses["total"]!, records.first!.losses["total"]!)
        XCTAssertNil(try jointFit(device: CPUBackend.shared, iterations: 1).report.losses[0].losses["random_view"])
    }

    func testJointStageWithTheContentLossLowersItsLoss() throws {
        let fit = try jointFit(device: CPUBackend.shared, iterations: 8, texture: .free, contentWeight: 1)
        let records = fit.report.losses
        XCTAssertTrue(records.allSatisfy { ($0.losses["content"] ?? -1) > 0 }, "\(records)")
        XCTAssertLessThan(records.last!.losses["total"]!, records.first!.losses["total"]!)
        XCTAssertNil(try jointFit(device: CPUBackend.shared, iterations: 1).report.losses[0].losses["content"])
    }

    /// Stage 3 fits the free texture alone: it starts from the joint stage's map (its first render is
    /// the joint stage's last), lowers the pixel loss, and leaves every other value as it was.
    func testTextureStageLowersThePixelLossAndHoldsTheGeometry() throws {
        var joint = try jointRun(device: CPUBackend.shared, iterations: 8, texture: .free)
        joint.settings.textureDetailIterations = 40
        // Eight joint iterations leave the map far from symmetric, and a symmetry term would trade
        // pixel loss for symmetry here; without it the map alone must follow the photo.
        joint.settings.textureDetailSymmetry = 0
        let detail = try TextureStage.run(
            try Self.face.get(), photos: [joint.photo], joint: joint.fit,
            texture: try XCTUnwrap(joint.model as? FreeTexture), settings: joint.settings,
            device: CPUBackend.shared) { print($0) }
        let pixels = detail.report.losses.map { $0.losses["pixel"]! }
        let totals = detail.report.losses.map { $0.losses["total"]! }
        XCTAssertLessThan(pixels.last!, pixels.first!, "pixel loss over the texture iterations: \(pixels)")
        XCTAssertLessThan(totals.last!, totals.first!, "total loss over the texture iterations: \(totals)")
        var held = detail.parameters[0]
        held.texture = joint.fit.parameters[0].texture
        XCTAssertEqual(held, joint.fit.parameters[0], "only the texture leaves move")
        XCTAssertNotEqual(detail.parameters[0].texture, joint.fit.parameters[0].texture)
        XCTAssertEqual(detail.texture.shape, joint.fit.texture.shape)
        XCTAssertNotEqual(detail.texture, joint.fit.texture)
        func mean(_ t: HostTensor) -> Float { t.values.reduce(0, +) / Float(t.values.count) }
        XCTAssertEqual(mean(detail.texture), mean(joint.fit.texture), accuracy: 0.05, "the map is the start plus a change")
    }

    /// The GAN (a random 32² generator) and linear (PCA of four 16² maps, resampled to 32²) texture
    /// models: their latent or coefficients move and the loss falls; the settings name their files.
    func testJointStageWithTheGANAndLinearTexturesLowersItsLoss() throws {
        let folder = try scratchFolder(self)
        let config = try ProgressiveGeneratorConfig(latent: 16, widths: [8, 6, 4, 4])
        let generator = try ProgressiveGenerator.random(config, seed: 4)
        try generator.write(to: folder + "/g.safetensors")
        let maps = try (1...4).map {
            try generator.textures(generator.latents(seed: UInt64($0)), side: 16, device: CPUBackend.shared)
        }
        try LinearTextureModel.build(maps.map { HostTensor([16, 16, 3], $0.values) })
            .write(to: folder + "/linear.safetensors")
        // Each model, its fitted leaf and where that starts.
        let kinds: [(TextureModelKind, String, HostTensor)] = [
            (.gan(folder + "/g.safetensors"), "texture_latent", generator.latents(seed: 0)),
            (.linear(folder + "/linear.safetensors"), "texture_coefficients", HostTensor.zeros([3, 1])),
        ]
        for (kind, leaf, start) in kinds {
            let fit = try jointFit(device: CPUBackend.shared, iterations: 8, texture: kind)
            let totals = fit.report.losses.map { $0.losses["total"]! }
            XCTAssertLessThan(totals.last!, totals.first!, "\(kind): total loss over the joint iterations: \(totals)")
            XCTAssertEqual(fit.texture.shape, [32, 32, 3])
            XCTAssertNotEqual(try XCTUnwrap(fit.parameters[0].texture[leaf]), start, "\(kind) moved its \(leaf)")
            var settings = FitSettings()
            settings.texture = kind
            XCTAssertEqual(try FitSettings.read(settings.json(), source: "printed.json").texture, kind)
        }
        var seeded = FitSettings()
        seeded.seed = 7  // the GAN's starting latent, the fit's only random choice
        XCTAssertEqual(GANTexture(generator: generator, file: "g", settings: seeded).leaves["texture_latent"],
                       generator.latents(seed: 7))
        XCTAssertEqual(try FitSettings.read(Data(#"{"seed": 7}"#.utf8), source: "seed.json").seed, 7)
        XCTAssertThrowsError(try FitSettings.read(Data(#"{"texture": "gan"}"#.utf8), source: "bad.json")) {
            XCTAssertTrue("\($0)".contains("texture"), "\($0)")
        }
    }

    /// On an OpenCL device the loop moves nothing to the device and only the loss scalars back (the
    /// mirror term on, so that its weights are fed once, before the loop).
    func testJointLoopMovesOnlyTheLossScalars() throws {
        _ = try TestDevice.openCL()
        // Without sentinel guards: the shared test device writes them into every buffer it allocates.
        let fit = try jointFit(
            device: try OpenCLBackend(device: OpenCLDiscovery.devices()[0]), iterations: 3, mirrorWeight: 1)
        XCTAssertEqual(fit.report.bytesToDevice, 0)
        let names = fit.report.losses.first.map { Set($0.losses.keys) } ?? []
        XCTAssertEqual(names, ["total", "pixel", "identity", "landmark", "prior", "mirror", "smoothness"])
        XCTAssertEqual(
            fit.report.bytesToHost, fit.report.losses.count * 7 * 4, "7 losses of 4 bytes per record")
        XCTAssertGreaterThan(fit.report.kernelLaunches, 0)
        let text = fit.report.launchesText
        XCTAssertTrue(text.contains("MB of op traffic per iteration"), text)
    }

    /// The frontal view of the (symmetric) mean face: its nose on the centre column, the eyes level
    /// and mirrored about it, the face drawn where its landmarks say, grey background around.
    func testFrontalViewShowsTheFaceWhereItsLandmarksAre() throws {
        let face = try Self.face.get()
        let mean = face.model.meanVertices
        let texture = HostTensor([16, 16, 3], [Float](repeating: 0.8, count: 16 * 16 * 3))
        let view = try FrontalView(face, vertices: HostTensor([mean.count, 3], mean.flatMap { [$0.x, $0.y, $0.z] }), texture: texture,
                                   device: CPUBackend.shared)
        let half = Float(FrontalView.size) / 2 - 0.5  // the centre as a 0-based pixel centre
        let (nose, rightEye, leftEye) = (view.landmarks[30], view.landmarks[36], view.landmarks[45])
        XCTAssertEqual(nose.x, half, accuracy: 1.5)
        XCTAssertEqual(rightEye.y, leftEye.y, accuracy: 0.5)
        XCTAssertEqual((rightEye.x + leftEye.x) / 2, half, accuracy: 1.5)
        XCTAssertGreaterThan(leftEye.x - rightEye.x, 40, "the eyes are apart: the face fills a good part of the view")
        func pixel(_ p: SIMD2<Float>) -> [Float] {
            let (x, y) = (Int(p.x.rounded()), Int(p.y.rounded()))
            return (0..<3).map { view.image.values[(y * FrontalView.size + x) * 3 + $0] }
        }
        XCTAssertGreaterThan(pixel(nose)[0], 0.6, "lit skin (texture 0.8) at the nose")
        XCTAssertEqual(pixel(SIMD2(2, 2)), [0.5, 0.5, 0.5], "grey background in the corner")
    }

    func testCropFrameMapsPhotoPixelsToTheCropAndBack() {
        let points: [SIMD2<Float>] = [SIMD2(99.5, 49.5), SIMD2(299.5, 149.5)]   // box [100, 300] × [50, 150]
        let frame = CropFrame.around(points, margin: 0.25, size: 150)
        XCTAssertEqual(frame.box, FaceBox(x: 50, y: -50, width: 300, height: 300), "square of 1.5 × the longer side, centred")
        XCTAssertEqual(frame.scale, 0.5)
        XCTAssertEqual(frame.toCrop(SIMD2(99.5, 49.5)), SIMD2(25, 50), "pixel centre (99.5, 49.5) is the continuous point (100, 50)")
        for p in points + [SIMD2(0, 0), SIMD2(-3.25, 7)] {
            let back = frame.toPhoto(frame.toCrop(p))
            XCTAssertEqual(back.x, p.x, accuracy: 1e-4)
            XCTAssertEqual(back.y, p.y, accuracy: 1e-4)
        }
    }

    func testAFitStartsWhereItsStartSays() throws {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.size, settings.textureSize) = (32, 32)
        (settings.landmarkIterations, settings.jointIterations, settings.textureDetailIterations) = (0, 0, 0)
        var input = try FitInput.read(
            photo: Repository.path("samples/image_0010.png"),
            landmarks: Repository.path("samples/image_0010.pts"), size: settings.size)
        let shape = (0..<face.model.shapeComponentCount).map { Float($0 % 5) * 0.1 - 0.2 }
        let json = try JSONSerialization.data(withJSONObject: [
            "shape": shape, "expression": [0.1, 0, 0, 0, 0, -0.1],
            "camera": ["rotation_axis_angle": [0, 0.3, 0], "translation": [5, -10, -1200]],
        ])
        let start = try FitStart(parametersJSON: json, source: "start.json")
        XCTAssertEqual(start.shape, shape)
        func fitted() throws -> FaceFitResult {
            try FaceFit.run(
                [input], face: face, network: StandInIdentity(), settings: settings, device: CPUBackend.shared
            ) { _ in }
        }
        let guessed = try fitted().parameters
        input.start = start
        let startedFit = try fitted()
        let started = startedFit.parameters
        XCTAssertEqual(started.shape, start.shape)
        XCTAssertEqual(started.expression, start.expression)
        XCTAssertEqual(started.rotation, start.rotation)
        XCTAssertEqual(started.translation, start.translation)
        XCTAssertEqual(started.focal, guessed.focal, "the camera stays the fit's own")
        XCTAssertNotEqual(started.translation, guessed.translation)
        let report = FitReport(
            startedFit, sources: [.init(photo: "photo.png", landmarksFile: "photo.pts")], network: "stand-in",
            settings: settings, totalSeconds: 0)
        XCTAssertEqual(report.photos[0].start, "start.json", "report.json says where the fit started")

        // A fit's own parameters.json round-trips; bad files name the problem.
        let folder = try scratchFolder(self)
        input.start = nil
        settings.jointIterations = 1
        let result = try fitted()
        try FitParametersFile.json(result).write(to: URL(fileURLWithPath: folder + "/parameters.json"))
        let reread = try FitStart(contentsOf: folder + "/parameters.json")
        XCTAssertEqual(reread.shape, result.parameters.shape)
        XCTAssertEqual(reread.rotation, result.parameters.rotation)
        XCTAssertEqual(reread.translation, result.parameters.translation)
        func problem(_ object: Any) -> String {
            do {
                _ = try FitStart(
                    parametersJSON: try JSONSerialization.data(withJSONObject: object), source: "bad.json")
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(problem(["shape": [1]]).contains("expression is missing"))
        XCTAssertTrue(
            problem([
                "shape": [1], "expression": [0],
                "camera": ["rotation_axis_angle": [0, 0], "translation": [0, 0, 1]],
            ]).contains("camera.rotation_axis_angle has 2 numbers, not 3"))
        XCTAssertTrue(problem(["shape": ["a"], "expression": [0]]).contains("shape is missing or not a list"))
        XCTAssertThrowsError(try FitStart(parametersJSON: Data("[1]".utf8), source: "bad.json"))
        let short = FitStart(
            shape: [0, 1], expression: [0], rotation: [0, 0, 0], translation: [0, 0, 1], source: "s")
        XCTAssertThrowsError(try short.applied(to: guessed)) {
            XCTAssertTrue("\($0)".contains("63 shape and 6 expression"), "\($0)")
        }
    }

    func testBadInputGetsClearErrors() throws {
        let photo = Repository.path("samples/image_0010.png"), folder = try scratchFolder(self)
        assertBadFile(try FitInput.read(photo: photo, landmarks: folder + "/missing.pts", size: 64), path: folder + "/missing.pts",
                      mentions: [])
        let five = folder + "/five.pts"
        try PTSFile.write([SIMD2<Float>](repeating: SIMD2(1, 2), count: 5), to: five)
        assertBadFile(try FitInput.read(photo: photo, landmarks: five, size: 64), path: five, mentions: ["5 points", "68"])
        let collapsed = folder + "/collapsed.pts"  // all 68 points on one pixel: no face to crop
        try PTSFile.write([SIMD2<Float>](repeating: SIMD2(100, 100), count: 68), to: collapsed)
        assertBadFile(try FitInput.read(photo: photo, landmarks: collapsed, size: 64), path: collapsed, mentions: ["less than 4 pixels"])
        let elsewhere = folder + "/elsewhere.pts"  // a face far outside the 1280×1024 photo
        try PTSFile.write((0..<68).map { SIMD2(5e6 + Float($0 % 9) * 40, 5e6 + Float($0 / 9) * 40) }, to: elsewhere)
        assertBadFile(try FitInput.read(photo: photo, landmarks: elsewhere, size: 64), path: elsewhere, mentions: ["inside the 1280×1024 photo"])
        XCTAssertThrowsError(try FitInput.read(photo: photo, landmarks: Repository.path("samples/image_0010.pts"), size: 100_000))
        let notAnImage = folder + "/photo.png"
        try "not an image".write(toFile: notAnImage, atomically: false, encoding: .utf8)
        assertBadFile(try FitInput.read(photo: notAnImage, landmarks: Repository.path("samples/image_0010.pts"), size: 64),
                      path: notAnImage, mentions: ["PNG", "JPEG"])
        assertBadFile(try FitModel(folder: folder), path: folder + "/sfm_shape_3448.bin", mentions: [])
    }

    func testPartsThatNeedTheSymmetryListFailBeforeAnyStageWithoutIt() throws {
        let folder = try scratchFolder(self), names = FitModel.fileNames
        for file in [names.shape, names.blendshapes, names.mapping, names.contours] {
            try FileManager.default.copyItem(
                atPath: Repository.path("models/sfm/" + file), toPath: folder + "/" + file)
        }
        let face = try FitModel(folder: folder)
        XCTAssertNil(face.symmetry)
        var settings = FitSettings()
        (settings.size, settings.textureSize, settings.texture) = (32, 32, .projected)
        let input = try FitInput.read(
            photo: Repository.path("samples/image_0010.png"),
            landmarks: Repository.path("samples/image_0010.pts"), size: settings.size)
        func problem(_ settings: FitSettings) -> String? {
            var logged: [String] = []
            do {
                _ = try FaceFit.run(
                    [input], face: face, network: StandInIdentity(), settings: settings,
                    device: CPUBackend.shared
                ) { logged.append($0) }
            } catch {
                return logged.isEmpty ? "\(error)" : "failed after \(logged.count) progress lines: \(error)"
            }
            return nil
        }
        settings.mirrorWeight = 1
        let mirror = try XCTUnwrap(problem(settings))
        for phrase in ["mirror_weight", names.symmetry, "set mirror_weight to 0"] {
            XCTAssertTrue(mirror.contains(phrase), mirror)
        }
        (settings.mirrorWeight, settings.texture) = (0, .free)
        let free = try XCTUnwrap(problem(settings))
        for phrase in ["free texture", names.symmetry, "--texture projected"] {
            XCTAssertTrue(free.contains(phrase), free)
        }
    }
}

/// An identity network small enough for tests: a fixed random projection of the 160² image to 16
/// values, L2-normalised; its one feature map is the projection before normalising, [1, 16, 1, 1].
struct StandInIdentity: IdentityNetwork {
    var name: String { "stand-in" }
    var inputSize: (height: Int, width: Int) { (160, 160) }
    var featureLayers: [String] { ["projection"] }

    func build(_ g: Graph, image: Value) throws -> IdentityOutputs {
        let n = 3 * 160 * 160
        let weights = (0..<n * 16).map { Float(Foundation.sin(Double($0) * 12.9898) * 43758.5453).truncatingRemainder(dividingBy: 1) }
        let projection = try g.matmul(g.reshape(image, [1, n]), g.constant(HostTensor([n, 16], weights)))
        return IdentityOutputs(embedding: try g.l2Normalize(projection, axis: 1),
                               features: [try g.reshape(projection, [1, 16, 1, 1])])
    }
}
