import Foundation
import XCTest

// Several photos of one person: the landmark stage recovers a known shape better from two views
// than from either alone, and a whole fit of two photos shares its shape and texture, keeps each
// photo's pose, and writes each photo's outputs.
@testable import Engine

final class MultiPhotoFitTests: XCTestCase {
    private static let face = Result { try FitModel(folder: Repository.path("models/sfm")) }

    func testTwoViewsRecoverTheShapeBetterThanEitherAlone() throws {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.size, settings.landmarkIterations, settings.logInterval) = (128, 300, 1000)
        settings.landmarkNoise = 0.005  // exact projections: little noise, a weak prior
        let camera = (focal: 2.5 * Float(settings.size), centre: SIMD2(repeating: Float(settings.size) / 2))
        var truth = FaceParameters.initial(
            face, targets: [], focal: camera.focal, principalPoint: camera.centre)
        truth.shape = (0..<truth.shape.count).map { k in k < 12 ? 0.9 * Foundation.cos(Float(k) * 0.9) : 0 }
        truth.translation = [4, -3, -650]
        var views = [truth, truth]
        (views[0].rotation, views[0].expression) = ([0.05, 0.6, 0.02], [0, 0, 0, 0.3, 0, 0])
        (views[1].rotation, views[1].expression) = ([-0.1, -0.5, -0.03], [0.2, 0, 0, 0, 0, 0])
        let targets = try views.map { try FitTests.landmarks(face, $0, size: settings.size) }
        func fit(_ chosen: [Int]) throws -> LandmarkFit {
            let starts = chosen.map {
                FaceParameters.initial(
                    face, targets: targets[$0], focal: camera.focal, principalPoint: camera.centre)
            }
            return try LandmarkStage.run(
                face, targets: chosen.map { targets[$0] }, from: starts, settings: settings,
                device: CPUBackend.shared
            ) { _ in }
        }
        /// Squared distance of the fitted shape coefficients from the truth's (standard deviations²).
        func shapeError(_ fit: LandmarkFit) -> Float {
            zip(fit.parameters[0].shape, truth.shape).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        }
        let first = try fit([0])
        let second = try fit([1])
        let both = try fit([0, 1])
        print(
            "shape error (sd²): first view \(shapeError(first)), second \(shapeError(second)), both \(shapeError(both))"
        )
        XCTAssertEqual(both.parameters[0].shape, both.parameters[1].shape, "one shape for both photos")
        XCTAssertLessThan(shapeError(both), Swift.min(shapeError(first), shapeError(second)))
        for view in 0..<2 {
            XCTAssertLessThan(both.finalErrors[view], 1, "each photo's landmarks are met")
            XCTAssertEqual(
                both.parameters[view].yawDegrees, views[view].yawDegrees, accuracy: 3,
                "each photo keeps its pose")
        }
    }

    func testAFitOfTwoPhotosSharesShapeAndTextureAndWritesEachPhotosOutputs() throws {
        let face = try Self.face.get()
        var settings = FitSettings()
        (settings.size, settings.textureSize, settings.textureOffsetSize) = (32, 32, 8)
        (settings.landmarkIterations, settings.jointIterations, settings.logInterval) = (60, 4, 2)
        let photo = Repository.path("samples/image_0010.png")
        let points = Repository.path("samples/image_0010.pts")
        // The sample photo twice, cropped differently: two cameras on one face.
        let inputs = try [0.25, 0.45].map {
            try FitInput.read(photo: photo, landmarks: points, size: settings.size, margin: $0)
        }
        let result = try FaceFit.run(
            inputs, face: face, network: StandInIdentity(), settings: settings,
            device: CPUBackend.shared
        ) { _ in }
        let fit = result.jointStage
        XCTAssertEqual(fit.renders.count, 2)
        XCTAssertEqual(fit.parameters[0].shape, fit.parameters[1].shape)
        XCTAssertEqual(fit.parameters[0].texture.keys.sorted(), fit.parameters[1].texture.keys.sorted())
        XCTAssertNotEqual(
            fit.parameters[0].translation, fit.parameters[1].translation,
            "each crop has its own camera placement")
        let totals = fit.report.losses.map { $0.losses["total"]! }
        XCTAssertLessThan(totals.last!, totals.first!, "total loss over the joint iterations: \(totals)")
        let detail = try XCTUnwrap(result.textureStage, "the free texture's detail stage runs after the joint stage")
        XCTAssertEqual(detail.renders.count, 2)
        XCTAssertEqual(result.stages.map(\.name), ["landmarks", "joint", "texture"])
        for (k, input) in inputs.enumerated() {
            let error = zip(result.landmarks[k], input.landmarks).map {
                (($0 - $1) * ($0 - $1)).sum().squareRoot()
            }
            XCTAssertLessThan(
                error.reduce(0, +) / Float(error.count), 40,
                "photo \(k + 1)'s fitted landmarks lie on its face")
        }

        let folder = try scratchFolder(self)
        let sources = [
            FitReport.Source(photo: photo, landmarksFile: points),
            FitReport.Source(photo: photo, landmarksFile: points),
        ]
        let report = FitReport(
            result, sources: sources, network: "stand-in", settings: settings, totalSeconds: 1)
        try FitOutputs.write(result, face: face, report: report, device: CPUBackend.shared, to: folder)
        for name in FitOutputs.files(photos: 2) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name) written")
        }
        XCTAssertTrue(FitOutputs.files(photos: 2).contains("render.2.png"))
        let saved = Set(try SafetensorsFile(folder + "/parameters.safetensors").entries.map(\.name))
        XCTAssertTrue(
            saved.isSuperset(of: ["shape", "rotation", "rotation_2", "light_2", "texture"]), "\(saved)"
        )
        XCTAssertFalse(saved.contains("shape_2"), "one shape")
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json")))
        XCTAssertEqual(((json as? [String: Any])?["photos"] as? [Any])?.count, 2)
    }
}
