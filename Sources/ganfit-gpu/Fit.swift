// `ganfit-gpu fit PHOTO --output DIR`: a 3D face fitted to one photo (its 68 landmarks detected, or
// given as a .pts file; landmark stage, then the joint stage through the renderer and FaceNet),
// its results written to DIR.
import ArgumentParser
import Engine
import Foundation

extension TextureModelKind: ExpressibleByArgument {}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the 3D face model to a photo; write mesh, texture, render, landmarks, parameters, report.",
        discussion: """
            The face's 68 landmarks are detected (dlib's MMOD detector and shape predictor; the largest face, \
            or --face N) unless --landmarks gives them. Stage 1 fits shape, expression and pose to the landmarks; \
            stage 2 adds a UV texture and a light and fits everything jointly (pixel L1, FaceNet identity, \
            landmarks, priors). Writes into DIR: mesh.obj + mesh.mtl + texture.png, render.png (the fit over the \
            photo crop), shape.png (the fitted shape over the crop), frontal.png (the textured fit seen from the \
            front), landmarks.pts (the fitted model's \
            landmarks, photo pixels), parameters.safetensors, report.json; with detected landmarks also \
            detected.pts and detected.png (the box and points on the photo). \
            The camera's principal point is the photo's centre and its focal length the photo's EXIF value, else \
            50 mm (35 mm equivalent; --focal35mm). Every setting: --print-settings; change any with --settings FILE. \
            More iterations fit better: --iterations 600,100.
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "The photo (PNG or JPEG).")
    var photo: String?

    @Option(help: "Its 68 iBUG landmarks (.pts, 300-W layout) instead of detecting them.")
    var landmarks: String?

    @Option(help: "Which detected face to fit: 0 = the largest.")
    var face: Int = 0

    @OptionGroup var landmarkModels: LandmarkModelOptions

    @Option(help: "Output folder (created if missing).")
    var output: String?

    @Option(help: "A JSON file of settings (snake_case keys, as --print-settings shows); it need only name what it changes.")
    var settings: String?

    @Flag(help: "Print every setting with its default (or its value from --settings) as JSON, and exit.")
    var printSettings = false

    @Option(help: ArgumentHelp("The camera's 35 mm-equivalent focal length in mm (default: the photo's EXIF, else 50).",
                               valueName: "mm"))
    var focal35mm: Float?

    @Option(help: "Adam iterations of stage 1 (landmarks) and stage 2 (joint), as N,M.")
    var iterations: String?

    @Option(help: "The folder of the Surrey model files (eos): shape, blendshapes, landmark map, contours (default: sfm/ in the model folders).")
    var model: String?

    @Option(help: "The FaceNet graph_final.pb (default: the documented search order).")
    var facenet: String?

    @Option(help: "Side of the square fitting crop in pixels (default 256).")
    var size: Int?

    @Option(help: ArgumentHelp(
        "The joint stage's texture: projected (the photo at the stage-1 pose plus a smooth offset) or free "
            + "(every texel, kept smooth and left-right symmetric: the unseen side mirrors the seen one; the default).",
        valueName: "projected|free"))
    var texture: TextureModelKind?

    func run() throws {
        try runReportingErrors {
            let started = Date()
            var settings = try self.settings.map { try FitSettings.read(FileInput.read($0, what: "a JSON settings file"), source: $0) }
                ?? FitSettings()
            if let size { settings.size = size }
            if let focal35mm {
                guard focal35mm.isFinite, (4...2000).contains(focal35mm) else {
                    throw EngineError.invalidValue("--focal35mm takes a 35 mm-equivalent focal length of 4 to 2000 mm, got \(focal35mm)")
                }
                settings.focal35mm = focal35mm
            }
            if let texture { settings.texture = texture }
            if let iterations {
                let counts = iterations.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard counts.count == 2, let first = counts[0], let second = counts[1],
                      (0...100_000).contains(first), (0...100_000).contains(second) else {
                    throw EngineError.invalidValue("--iterations takes two counts N,M from 0 to 100000 (stage 1, stage 2), "
                                                   + "not '\(iterations)'")
                }
                (settings.landmarkIterations, settings.jointIterations) = (first, second)
            }
            if printSettings {
                print(String(decoding: try settings.json(), as: UTF8.self))
                return
            }
            guard let photo, let output else {
                throw EngineError.invalidValue("fit needs a photo and --output DIR (see ganfit-gpu fit --help)")
            }
            guard face >= 0 else { throw EngineError.invalidValue("--face is a face number from 0 (the largest), got \(face)") }
            let image = try Image.read(photo)
            let given = try landmarks.map { try PTSFile.read($0) }
            let faceModel = try FitModel(folder: FitModel.locate(explicit: model, flag: "--model"))
            let network = try FaceNet(path: try FaceNet.locate(explicit: facenet, flag: "--facenet"))
            try FitOutputs.prepare(output)  // before the fit: a bad --output must not waste it
            let device = try options.choice().makeBackend()
            let detection = try given == nil ? detect(image, path: photo, device: device) : nil
            let input = try FitInput(photo: image, landmarks: given ?? detection!.face.points, size: settings.size,
                                     margin: settings.margin, source: landmarks ?? "the detected landmarks")
            print("fit \(photo): \(input.photo.width)×\(input.photo.height), crop \(settings.size)² on \(device.name)")
            let result = try FaceFit.run(input, face: faceModel, network: network, settings: settings, device: device) { line in
                print(line)
                fflush(stdout)
            }
            let judgement = try judge(result, device: device)
            let report = FitReport(result, photo: photo, landmarksFile: landmarks, landmarkDetection: detection?.report,
                                   network: network.name, identityJudge: judgement, settings: settings,
                                   totalSeconds: Date().timeIntervalSince(started))
            try FitOutputs.write(result, face: faceModel, report: report, to: output)
            if let detection {
                try PTSFile.write(detection.face.points, to: output + "/detected.pts")
                try PNGFile.write(LandmarkOverlay.draw(image, faces: [detection.face]), to: output + "/detected.png")
            }
            let files = FitOutputs.files + (detection == nil ? [] : ["detected.pts", "detected.png"])
            print(String(format: "wrote %@/{%@} in %.1f s", output, files.joined(separator: ","), report.totalSeconds))
        }
    }

    /// dlib's descriptor distance between the photo's face and the render, when that model is installed.
    private func judge(_ result: FaceFitResult, device: any Backend) throws -> IdentityJudgement? {
        guard let path = try? DlibFaceDescriptor.locate() else {
            print("identity judge: skipped (dlib's face descriptor is not installed: bash scripts/fetch-models.sh)")
            return nil
        }
        let judgement = try result.judged(by: try DlibFaceDescriptor(path: path), device: device)
        print(String(format: "identity judge (dlib's descriptor, not optimised): photo ↔ render distance %.3f, "
                     + "↔ frontal view %.3f (below %.1f: the same person)", judgement.distance, judgement.frontalDistance,
                     judgement.samePersonBelow))
        return judgement
    }

    /// The chosen face's 68 landmarks from the detector and the landmark model, and what found them.
    private func detect(_ image: Image, path photo: String, device: any Backend) throws -> (face: LandmarkedFace, report: LandmarkReport) {
        let landmarker = try landmarkModels.landmarker(device: device)
        let run = try landmarker.faces(in: RGBImage8(image))
        let chosen = try landmarker.face(face, among: run.faces, source: photo)
        let d = chosen.detection
        print(String(format: "detected %d face%@ in %.2f s; fitting face %d: box %.0f,%.0f–%.0f,%.0f, score %.3f",
                     run.faces.count, run.faces.count == 1 ? "" : "s", run.detectionSeconds + run.landmarkSeconds, face,
                     d.left, d.top, d.right, d.bottom, d.score))
        return (chosen, LandmarkReport(photo: photo, image: image, landmarker: landmarker, run: run, faces: [chosen],
                                       indices: [face]))
    }
}
