// `ganfit-gpu fit PHOTO --output DIR`: a 3D face fitted to one photo (its 68 landmarks detected, or
// given as a .pts file; landmark stage, then the joint stage through the renderer and FaceNet),
// its results written to DIR.
import ArgumentParser
import Engine
import Foundation

extension TextureModelKind: ExpressibleByArgument {}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the 3D face model to a photo (or several of one person); write mesh, texture, renders, report.",
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
            More iterations fit better: --iterations 600,100. \
            Several photos of one person (fit A.jpg B.jpg …) share one shape and texture; each keeps its own \
            expression, pose, camera and light. Give --landmarks (or --face) once per photo, in order, or not \
            at all. The outputs without a number are the first photo's; the others' are render.K.png, \
            shape.K.png and landmarks.K.pts (K = 2, 3, …).
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "The photo (PNG or JPEG), or several photos of one person.")
    var photos: [String] = []

    @Option(help: "Its 68 iBUG landmarks (.pts, 300-W layout) instead of detecting them; once per photo.")
    var landmarks: [String] = []

    @Option(help: "Which detected face to fit: 0 = the largest (default); once per photo, or once for all.")
    var face: [Int] = []

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
        "The joint stage's texture: projected (the photo at the stage-1 pose plus a smooth offset), free "
            + "(every texel, kept smooth and left-right symmetric: the unseen side mirrors the seen one; the default), "
            + "linear:FILE (a `texture build` model's coefficients) or gan:FILE (a generator's latent).",
        valueName: "projected|free|linear:FILE|gan:FILE"))
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
            guard !photos.isEmpty, let output else {
                throw EngineError.invalidValue("fit needs a photo and --output DIR (see ganfit-gpu fit --help)")
            }
            try settings.texture.checkFile()
            guard landmarks.isEmpty || landmarks.count == photos.count else {
                throw EngineError.invalidValue("give --landmarks once per photo, in order, or not at all "
                                               + "(\(photos.count) photos, \(landmarks.count) --landmarks)")
            }
            guard face.count <= 1 || face.count == photos.count, landmarks.isEmpty || face.isEmpty else {
                throw EngineError.invalidValue(landmarks.isEmpty
                    ? "give --face once per photo, in order, or once for all (\(photos.count) photos, \(face.count) --face)"
                    : "--face chooses among detected faces; with --landmarks there is nothing to detect")
            }
            if let bad = face.first(where: { $0 < 0 }) {
                throw EngineError.invalidValue("--face is a face number from 0 (the largest), got \(bad)")
            }
            let images = try photos.map { try Image.read($0) }
            let given = try landmarks.map { try PTSFile.read($0) }
            let faceModel = try FitModel(folder: FitModel.locate(explicit: model, flag: "--model"))
            let network = try FaceNet(path: try FaceNet.locate(explicit: facenet, flag: "--facenet"))
            try FitOutputs.prepare(output)  // before the fit: a bad --output must not waste it
            let device = try options.choice().makeBackend()
            let landmarker = try given.isEmpty ? landmarkModels.landmarker(device: device) : nil
            let detections = try landmarker.map { landmarker in
                try images.indices.map {
                    try detect(images[$0], path: photos[$0], face: face.count > 1 ? face[$0] : face.first ?? 0,
                               landmarker: landmarker)
                }
            } ?? []
            let inputs = try images.indices.map { k in
                try FitInput(photo: images[k], landmarks: given.isEmpty ? detections[k].face.points : given[k],
                             size: settings.size, margin: settings.margin,
                             source: given.isEmpty ? "the detected landmarks of \(photos[k])" : landmarks[k])
            }
            for (path, input) in zip(photos, inputs) {
                print("fit \(path): \(input.photo.width)×\(input.photo.height), crop \(settings.size)²")
            }
            print("on \(device.name)" + (photos.count > 1 ? ": \(photos.count) photos of one person, one shape" : ""))
            let result = try FaceFit.run(inputs, face: faceModel, network: network, settings: settings, device: device) { line in
                print(line)
                fflush(stdout)
            }
            let judgement = try judge(result, device: device)
            let sources = photos.indices.map {
                FitReport.Source(photo: photos[$0], landmarksFile: given.isEmpty ? nil : landmarks[$0],
                                 landmarkDetection: given.isEmpty ? detections[$0].report : nil)
            }
            let report = FitReport(result, sources: sources, network: network.name, identityJudge: judgement,
                                   settings: settings, totalSeconds: Date().timeIntervalSince(started))
            try FitOutputs.write(result, face: faceModel, report: report, to: output)
            var files = FitOutputs.files(photos: photos.count)
            for (k, detection) in detections.enumerated() {
                let (points, overlay) = (FitOutputs.numbered("detected.pts", photo: k), FitOutputs.numbered("detected.png", photo: k))
                try PTSFile.write(detection.face.points, to: output + "/" + points)
                try PNGFile.write(LandmarkOverlay.draw(images[k], faces: [detection.face]), to: output + "/" + overlay)
                files += [points, overlay]
            }
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
    private func detect(_ image: Image, path photo: String, face: Int, landmarker: FaceLandmarker)
        throws -> (face: LandmarkedFace, report: LandmarkReport) {
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
