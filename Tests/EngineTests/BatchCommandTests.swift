import Foundation
import XCTest

// The built `ganfit-gpu` run as users run it, from a folder outside the repository: a batch of small
// photos (crops of the sample with their landmarks, a corrupt file, a line of two photos fitted
// together) killed with SIGKILL mid-way and started again, then every line has exactly one complete
// output set; a fit's pictures, provenance and OpenCV camera; a diverging fit's exit status; a failed
// fit's output folder; a photo lying on its side; and every face of a group photo.
@testable import Engine

final class BatchCommandTests: XCTestCase {
    /// Tiny fits: a 64² crop, 5 + 2 iterations.
    static let settings = """
        {"size": 64, "landmark_iterations": 5, "joint_iterations": 2,
         "texture_size": 64, "texture_offset_size": 16, "texture_detail_iterations": 2}
        """

    func testABatchKilledMidwayAndRestartedLeavesOneCompleteSetPerPhoto() throws {
        let binary = try Self.binary()
        let folder = try scratchFolder(self)
        let out = folder + "/out"
        let photos = ["p1/img.png", "p2/img.png", "p3/face.png"]
        for (k, photo) in photos.enumerated() { try Self.writeCrop(k, to: folder + "/" + photo) }
        try AtomicWrite.write(
            Data((0..<500).map { UInt8(truncatingIfNeeded: $0 * 7) }), to: folder + "/corrupt.png")
        try AtomicWrite.write(
            text: "p1/img.png\ncorrupt.png\np2/img.png\np1/img.png p2/img.png\np3/face.png\n",
            to: folder + "/list.txt")
        try AtomicWrite.write(text: Self.settings, to: folder + "/settings.json")
        let arguments = [
            "fit", "--batch", folder + "/list.txt", "-o", out, "--settings", folder + "/settings.json",
        ]

        let first = try Self.start(binary, arguments, log: folder + "/first.log")
        let entries = BatchList.parse(
            try String(contentsOfFile: folder + "/list.txt", encoding: .utf8), folder: folder)
        // Kill it a moment after the third line's fit began (its partial folder exists).
        let killed = Self.wait(seconds: 300) {
            FileManager.default.fileExists(atPath: out + "/" + BatchRun.partialName(entries[2]))
        }
        usleep(UInt32.random(in: 0...2_000_000))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertTrue(killed, "the batch never reached its third line: " + Self.log(folder + "/first.log"))
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: out + "/" + entries[2].name), "killed before it finished")

        let second = try Self.start(binary, arguments, log: folder + "/second.log")
        second.waitUntilExit()
        let log = Self.log(folder + "/second.log")
        XCTAssertEqual(second.terminationStatus, 5, "a line failed: exit status 5\n" + log)
        XCTAssertTrue(log.contains("2 already done (skipped)"), log)  // p1 and the corrupt file
        XCTAssertFalse(log.contains("line 1:"), "the finished line is not fitted again")

        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let fitted = [entries[0], entries[2], entries[3], entries[4]]
        XCTAssertEqual(
            names, (fitted.map(\.name) + ["batch.0-of-1.json"]).sorted(),
            "one folder per line, no partial folder left")
        for entry in fitted {
            for file in FitOutputs.files(photos: entry.photos.count) {
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: out + "/" + entry.name + "/" + file),
                    entry.name + "/" + file)
            }
        }
        XCTAssertTrue(
            FitOutputs.files(photos: entries[3].photos.count).contains("render.2.png"), "two photos, one fit")
        let merged = try BatchSummary.merged(folder: out)
        XCTAssertEqual(merged.records.map(\.status), [.fitted, .failed, .fitted, .fitted, .fitted])
        XCTAssertTrue(merged.records[1].error?.contains("corrupt.png") ?? false, "\(merged.records[1])")
        XCTAssertEqual(merged.records[2].output, entries[2].name)
        XCTAssertNotEqual(entries[0].name, entries[2].name, "two img.png in different folders")
    }

    /// A learning rate that blows the shape up: the landmark stage's loss turns infinite, the fit
    /// stops, writes its outputs marked "diverged" and exits with status 4.
    func testADivergingFitWritesItsOutputsMarkedAndExitsFour() throws {
        let binary = try Self.binary()
        let folder = try scratchFolder(self)
        try Self.writeCrop(0, to: folder + "/face.png")
        try AtomicWrite.write(
            text: String(Self.settings.dropLast(1))
                + #", "log_interval": 1, "landmark_rates": {"shape": 1e30}}"#, to: folder + "/nan.json")
        let run = try Self.start(
            binary,
            [
                "fit", folder + "/face.png", "--landmarks", folder + "/face.pts", "-o",
                folder + "/out", "--settings", folder + "/nan.json",
            ], log: folder + "/log")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 4, Self.log(folder + "/log"))
        let report = try Self.jsonObject(folder + "/out/report.json")
        XCTAssertEqual(report?["status"] as? String, "diverged")
        let divergence = report?["divergence"] as? [String: Any]
        XCTAssertEqual(divergence?["stage"] as? String, "landmarks")
        XCTAssertEqual(divergence?["kept_iteration"] as? Int, 0)
        XCTAssertTrue(Self.log(folder + "/log").contains("diverged"))
    }

    /// A fit that fails after its output folder was made (no face in a grey photo) removes the folder
    /// it created, and keeps one the user had.
    func testAFailedFitLeavesNoEmptyFolderItCreated() throws {
        let binary = try Self.binary()
        let folder = try scratchFolder(self)
        let grey = HostTensor([96, 96, 3], [Float](repeating: 0.5, count: 96 * 96 * 3))
        try PNGFile.write(grey, to: folder + "/grey.png")
        try FileManager.default.createDirectory(atPath: folder + "/mine", withIntermediateDirectories: false)
        for output in ["new", "mine"] {
            let log = folder + "/\(output).log"
            let run = try Self.start(
                binary, ["fit", folder + "/grey.png", "-o", folder + "/" + output], log: log)
            run.waitUntilExit()
            XCTAssertNotEqual(run.terminationStatus, 0, Self.log(log))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/new"), "the fit's folder is gone")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/mine"), "the user's folder stays")
    }

    /// One photo fitted: every output is there, report.json's provenance names the models with their
    /// SHA-256, and parameters.json's OpenCV camera projects mesh.obj's landmark vertices onto the
    /// fitted landmarks in landmarks.pts (photo pixels).
    func testAFitWritesItsPicturesProvenanceAndAnOpenCVCameraThatProjectsOntoItsLandmarks() throws {
        let binary = try Self.binary()
        let folder = try scratchFolder(self)
        let out = folder + "/out"
        try Self.writeCrop(1, to: folder + "/face.png")
        try AtomicWrite.write(text: Self.settings, to: folder + "/settings.json")
        let run = try Self.start(
            binary,
            [
                "fit", folder + "/face.png", "--landmarks", folder + "/face.pts", "-o", out,
                "--settings", folder + "/settings.json",
            ], log: folder + "/log")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, Self.log(folder + "/log"))
        for file in FitOutputs.files {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        XCTAssertEqual(
            try Image.read(out + "/render_photo.png").pixels.shape, [96, 96, 3], "the whole photo")

        let report = try Self.jsonObject(out + "/report.json")
        let provenance = report?["provenance"] as? [String: Any]
        XCTAssertEqual(provenance?["version"] as? String, FitProvenance.version)
        let models = provenance?["models"] as? [[String: Any]] ?? []
        XCTAssertTrue(
            models.contains { $0["role"] as? String == "facenet" && ($0["sha256"] as? String)?.count == 64 })

        let parameters = try Self.jsonObject(out + "/parameters.json")
        let cv = try XCTUnwrap(parameters?["opencv"] as? [String: Any])
        let K = try XCTUnwrap(cv["K"] as? [[Double]])
        let R = try XCTUnwrap(cv["R"] as? [[Double]])
        let t = try XCTUnwrap(cv["t"] as? [Double])
        XCTAssertEqual(cv["image_size"] as? [Int], [96, 96])
        let vertices = try String(contentsOfFile: out + "/mesh.obj", encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("v ") }.map {
                $0.split(separator: " ").dropFirst().compactMap { Double($0) }
            }
        let fitted = try PTSFile.read(out + "/landmarks.pts")
        let mapping = try LandmarkMapping.read(
            Repository.path("models/sfm/ibug_to_sfm.txt"), vertexCount: vertices.count)
        for landmark in [31, 37, 46, 49, 55, 9] {  // nose tip, eye corners, mouth corners, chin
            let v = vertices[try XCTUnwrap(mapping.vertices[landmark])]
            let x = (0..<3).map { i in (0..<3).map { R[i][$0] * v[$0] }.reduce(0, +) + t[i] }
            XCTAssertGreaterThan(x[2], 0, "in front of an OpenCV camera")
            let u = K[0][0] * x[0] / x[2] + K[0][2]
            let w = K[1][1] * x[1] / x[2] + K[1][2]
            XCTAssertEqual(u, Double(fitted[landmark - 1].x), accuracy: 0.05, "landmark \(landmark) x")
            XCTAssertEqual(w, Double(fitted[landmark - 1].y), accuracy: 0.05, "landmark \(landmark) y")
        }
    }

    /// A photo lying on its side is fitted upright: report.json says it was turned 90° clockwise, and
    /// the detected points are the upright photo's (near the sample's own). `--turn` with a .pts file is
    /// an error that says why, and so is a turn that is not a quarter.
    func testAPhotoLyingOnItsSideIsFittedUpright() throws {
        let binary = try Self.binary()
        _ = try DlibModels.path("mmod_human_face_detector.dat")
        let folder = try scratchFolder(self)
        let image = try Image.read(Repository.path("samples/image_0010.png"))
        let points = try PTSFile.read(Repository.path("samples/image_0010.pts"))
        let frame = CropFrame.around(points, margin: 0.6, size: 200)
        let upright = Image(
            pixels: FaceCrop.cropRGB(image, box: frame.box, height: 200, width: 200), bitDepth: 8)
        try PNGFile.write(QuarterTurn.threeQuarters.apply(to: upright).pixels, to: folder + "/lying.png")
        try PTSFile.write(points.map { frame.toCrop($0) - 0.5 }, to: folder + "/upright.pts")
        try AtomicWrite.write(text: Self.settings, to: folder + "/settings.json")
        let out = folder + "/out"
        let run = try Self.start(
            binary, ["fit", folder + "/lying.png", "-o", out, "--settings", folder + "/settings.json"],
            log: folder + "/log")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, Self.log(folder + "/log"))
        XCTAssertTrue(Self.log(folder + "/log").contains("turned 90° clockwise"), Self.log(folder + "/log"))
        XCTAssertEqual(try Self.landmarkDetection(out + "/report.json")?["turn"] as? Int, 90)
        let detected = try PTSFile.read(out + "/detected.pts")
        let truth = try PTSFile.read(folder + "/upright.pts")
        let distances = zip(detected, truth).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }
        let error = distances.reduce(0, +) / Float(truth.count)
        XCTAssertLessThan(error, 4, "mean distance of the detected points from the sample's, in 200² pixels")

        // --turn 0 keeps the photo as it is, so it goes with a .pts file.
        let kept = try Self.start(
            binary,
            [
                "fit", folder + "/lying.png", "--landmarks", folder + "/upright.pts", "--turn", "0", "-o",
                folder + "/kept", "--settings", folder + "/settings.json",
            ], log: folder + "/kept.log")
        kept.waitUntilExit()
        XCTAssertEqual(kept.terminationStatus, 0, Self.log(folder + "/kept.log"))
        for (arguments, words) in [
            (["--landmarks", folder + "/upright.pts", "--turn", "90"], ["--turn 90", "upright.pts"]),
            (["--turn", "45"], ["--turn takes auto, 0, 90, 180 or 270"]),
        ] {
            let log = folder + "/bad.log"
            let bad = try Self.start(
                binary, ["fit", folder + "/lying.png", "-o", folder + "/bad"] + arguments, log: log)
            bad.waitUntilExit()
            XCTAssertEqual(bad.terminationStatus, 2, Self.log(log))
            for word in words {
                XCTAssertTrue(Self.log(log).contains(word), "\(Self.log(log)) lacks \(word)")
            }
        }
    }

    /// `--all-faces` on a crop of the group fixture t1 with two of its faces: each face fitted into its
    /// own folder, largest first; with --face it is an error that says what goes with it.
    func testEveryFaceOfAGroupPhotoIsFittedIntoItsOwnFolder() throws {
        let binary = try Self.binary()
        _ = try DlibModels.path("mmod_human_face_detector.dat")
        let folder = try scratchFolder(self)
        let group = try Image.read(Repository.path("Tests/EngineTests/Fixtures/dlib/t1.decoded.png"))
        let box = FaceBox(x: 240, y: 140, width: 360, height: 290)  // faces 0 and 5 of the fixture
        let crop = FaceCrop.cropRGB(group, box: box, height: 290, width: 360)
        try PNGFile.write(crop, to: folder + "/two.png")
        try AtomicWrite.write(text: Self.settings, to: folder + "/settings.json")
        let out = folder + "/out"
        let run = try Self.start(
            binary,
            ["fit", folder + "/two.png", "--all-faces", "-o", out, "--settings", folder + "/settings.json"],
            log: folder + "/log")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, Self.log(folder + "/log"))
        let folders = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(folders, ["face-0", "face-1"])
        var areas: [Double] = []
        for k in 0..<2 {
            let detection = try Self.landmarkDetection(out + "/face-\(k)/report.json")
            let face = try XCTUnwrap((detection?["faces"] as? [[String: Any]])?.first)
            XCTAssertEqual(face["index"] as? Int, k)
            XCTAssertEqual(detection?["faces_found"] as? Int, 2)
            let box = try XCTUnwrap(face["box"] as? [Double])
            areas.append((box[2] - box[0] + 1) * (box[3] - box[1] + 1))
        }
        XCTAssertGreaterThan(areas[0], areas[1], "face 0 is the larger")

        let log = folder + "/bad.log"
        let bad = try Self.start(
            binary, ["fit", folder + "/two.png", "--all-faces", "--face", "1", "-o", out], log: log)
        bad.waitUntilExit()
        XCTAssertEqual(bad.terminationStatus, 2, Self.log(log))
        XCTAssertTrue(Self.log(log).contains("--all-faces"), Self.log(log))
    }

    /// The debug or release `ganfit-gpu` beside the test bundle.
    static func binary() throws -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [beside.path, beside.deletingLastPathComponent().path, Repository.path(".build/debug")]
        {
            if FileManager.default.isExecutableFile(atPath: folder + "/ganfit-gpu") {
                return folder + "/ganfit-gpu"
            }
        }
        throw XCTSkip("the ganfit-gpu executable is not built beside the tests (swift build first)")
    }

    /// Crop k of the sample photo (a different square per k) at 96², with its landmarks beside it (.pts).
    static func writeCrop(_ k: Int, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let image = try Image.read(Repository.path("samples/image_0010.png"))
        let points = try PTSFile.read(Repository.path("samples/image_0010.pts"))
        let frame = CropFrame.around(points, margin: 0.3 + 0.1 * Float(k), size: 96)
        try PNGFile.write(FaceCrop.cropRGB(image, box: frame.box, height: 96, width: 96), to: path)
        try PTSFile.write(
            points.map { frame.toCrop($0) - 0.5 }, to: (path as NSString).deletingPathExtension + ".pts")
    }

    /// The JSON object in the file `path` (report.json, parameters.json).
    static func jsonObject(_ path: String) throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    }

    /// How the first photo's landmarks were detected, from the fit's report.json at `path`.
    static func landmarkDetection(_ path: String) throws -> [String: Any]? {
        let photo = (try jsonObject(path)?["photos"] as? [[String: Any]])?.first
        return photo?["landmark_detection"] as? [String: Any]
    }

    static func start(_ binary: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        (process.standardOutput, process.standardError) = (handle, handle)
        var environment = ProcessInfo.processInfo.environment
        environment["GANFIT_DEVICE"] = "cpu"
        process.environment = environment
        // From the test's scratch folder, not the repository: the models are found beside the executable.
        process.currentDirectoryURL = URL(fileURLWithPath: log).deletingLastPathComponent()
        try process.run()
        return process
    }

    static func wait(seconds: Double, until done: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if done() { return true }
            usleep(20_000)
        }
        return false
    }

    static func log(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
