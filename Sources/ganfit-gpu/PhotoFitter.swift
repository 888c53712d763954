// One photo's fit from its files to an output folder, with the models loaded once: what `fit` runs
// for its photo and `fit --batch` for every line (landmarks given or detected, the fit, the
// identity judge, the report with its provenance, the outputs).
import Engine
import Foundation

final class PhotoFitter {
    let settings: FitSettings
    let device: any Backend
    private let face: FitModel
    private let network: FaceNet
    private let landmarkModels: LandmarkModelOptions
    /// How a photo whose landmarks are detected is turned first (--turn): nil, by the landmarker's
    /// judgement (`FaceLandmarker.uprightFaces`); else by this turn.
    private let turn: QuarterTurn?
    private let console: FitConsole
    private let hashes: ModelFileHashes
    /// The model files every fit reads (the Surrey files and FaceNet).
    private let fixedModels: [FitProvenance.ModelFile]
    /// Loaded at the first photo that needs them.
    private var landmarker: FaceLandmarker?
    private var judge: DlibFaceDescriptor?
    private var judgeLooked = false

    init(
        settings: FitSettings, modelFolder: String?, facenet: String?, landmarkModels: LandmarkModelOptions,
        device: any Backend, console: FitConsole
    ) throws {
        let folder = try FitModel.locate(explicit: modelFolder, flag: "--model")
        face = try FitModel(folder: folder)
        let facenetPath = try FaceNet.locate(explicit: facenet, flag: "--facenet")
        network = try FaceNet(path: facenetPath)
        let names = FitModel.fileNames
        let hashes = ModelFileHashes()
        fixedModels =
            try [names.shape, names.blendshapes, names.mapping, names.contours, names.symmetry]
            .filter { FileManager.default.fileExists(atPath: folder + "/" + $0) }
            .map { try hashes.file("sfm/" + $0, folder + "/" + $0) } + [hashes.file("facenet", facenetPath)]
        turn = try landmarkModels.fixedTurn()
        (self.settings, self.landmarkModels, self.device, self.console, self.hashes) =
            (settings, landmarkModels, device, console, hashes)
    }

    /// Fits `photos` (one, or several of one person: one shape and texture), their landmarks read
    /// from `landmarks` where given, else detected (face `faces[k]` of photo k, 0 = the largest), into
    /// `output`, stage 1 started from `starts[k]` where given; returns the report it wrote there. A
    /// fit that fails leaves no empty `output` behind where there was none.
    func fit(
        photos: [String], landmarks: [String?], faces: [Int], starts: [FitStart?], output: String
    ) throws -> FitReport {
        let started = Date()
        var images = try photos.map { try Image.read($0) }
        let given = try landmarks.map { try $0.map { try PTSFile.read($0) } }
        if let turn, turn != .unturned, let k = given.firstIndex(where: { $0 != nil }) {
            throw LandmarkModelOptions.turnRefused(turn, landmarks: landmarks[k]!, photo: photos[k])
        }
        // Before the fit: a bad output folder must not waste it. A fit that wrote its outputs leaves
        // the folder full, so only a failed one's is removed.
        let created = try FitOutputs.prepare(output)
        defer { if created { FitOutputs.removeIfEmpty(output) } }
        let detections = try photos.indices.map { k in
            try given[k] == nil ? detect(images[k], path: photos[k], face: faces[k]) : nil
        }
        for (k, detection) in detections.enumerated() { if let detection { images[k] = detection.image } }
        let inputs = try photos.indices.map { k in
            var input = try FitInput(
                photo: images[k], landmarks: given[k] ?? detections[k]!.face.points, size: settings.size,
                margin: settings.margin, source: landmarks[k] ?? "the detected landmarks of \(photos[k])")
            input.landmarkSpread = detections[k]?.face.spread
            input.start = starts[k]
            return input
        }
        for (path, input) in zip(photos, inputs) {
            console.line("fit \(path): \(input.photo.width)×\(input.photo.height), crop \(settings.size)²")
        }
        console.line(
            "on \(device.name)"
                + (photos.count > 1 ? ": \(photos.count) photos of one person, one shape" : ""))
        let result = try FitProgress.observing(console.observer) {
            try FaceFit.run(
                inputs, face: face, network: network, settings: settings, device: device, log: console.line)
        }
        let judgement = try judged(result)
        var models = fixedModels
        if detections.contains(where: { $0 != nil }) {
            models += try [
                hashes.file("dlib/detector", MMODDetector.locate(explicit: landmarkModels.detectorModel)),
                hashes.file(
                    "dlib/landmarks",
                    ModelFiles.locate(
                        FaceLandmarker.dlibLandmarkModel, what: "dlib's 68-point shape predictor",
                        explicit: landmarkModels.landmarkModel, flag: "--landmark-model")),
            ]
        }
        if let judge { models.append(try hashes.file("dlib/descriptor", judge.path)) }
        let sources = photos.indices.map {
            FitReport.Source(
                photo: photos[$0], landmarksFile: landmarks[$0], landmarkDetection: detections[$0]?.report)
        }
        let report = FitReport(
            result, sources: sources, network: network.name, identityJudge: judgement, settings: settings,
            totalSeconds: Date().timeIntervalSince(started), provenance: FitProvenance(models: models))
        try FitOutputs.write(result, face: face, report: report, device: device, to: output)
        var files = FitOutputs.files(photos: photos.count)
        for (k, detection) in detections.enumerated() {
            guard let detection else { continue }
            let (points, overlay) = (
                FitOutputs.numbered("detected.pts", photo: k), FitOutputs.numbered("detected.png", photo: k)
            )
            try PTSFile.write(detection.face.points, to: output + "/" + points)
            try PNGFile.write(
                LandmarkOverlay.draw(images[k], faces: [detection.face]), to: output + "/" + overlay)
            files += [points, overlay]
        }
        console.line(
            String(
                format: "wrote %@/{%@} in %.1f s", output, files.joined(separator: ","), report.totalSeconds))
        return report
    }

    /// dlib's descriptor distance between the photo's face and the render, when that model is installed.
    private func judged(_ result: FaceFitResult) throws -> IdentityJudgement? {
        if !judgeLooked {
            judgeLooked = true
            judge = try (try? DlibFaceDescriptor.locate()).map { try DlibFaceDescriptor(path: $0) }
            if judge == nil {
                console.line(
                    "identity judge: skipped (dlib's face descriptor is not installed: "
                        + "bash scripts/fetch-models.sh)"
                )
            }
        }
        guard let descriptor = judge else { return nil }
        let judgement = try result.judged(by: descriptor, device: device)
        console.line(
            String(
                format: "identity judge (dlib's descriptor, not optimised): photo ↔ render distance %.3f, "
                    + "↔ frontal view %.3f (below %.1f: the same person)", judgement.distance,
                judgement.frontalDistance, judgement.samePersonBelow))
        return judgement
    }

    /// How many faces the detector finds in `photo` (turned as `turn` says), at least 1: none is an error.
    func faceCount(_ photo: String) throws -> Int {
        let landmarker = try loadedLandmarker()
        let faces = try landmarker.uprightFaces(in: Image.read(photo), fixed: turn).run.faces
        guard !faces.isEmpty else { throw landmarker.noFace(photo) }
        return faces.count
    }

    /// The detector and landmark model, loaded at the first photo that needs them.
    private func loadedLandmarker() throws -> FaceLandmarker {
        if landmarker == nil { landmarker = try landmarkModels.landmarker(device: device) }
        return landmarker!
    }

    /// The chosen face's 68 landmarks from the detector and the landmark model, the photo turned as
    /// they were found (see `turn`), and what found them.
    private func detect(_ image: Image, path photo: String, face index: Int)
        throws -> (face: LandmarkedFace, image: Image, report: LandmarkReport)
    {
        let landmarker = try loadedLandmarker()
        let upright = try landmarker.uprightFaces(in: image, fixed: turn)
        let run = upright.run
        let chosen = try landmarker.face(index, among: run.faces, source: photo)
        warnIfWeak(landmarker, chosen, source: photo)
        let d = chosen.detection
        if upright.turn != .unturned {
            console.line(
                "\(photo): turned \(upright.turn.rawValue)° clockwise"
                    + (turn == nil ? ", where its face stands upright (--turn 0 keeps it as it is)" : "")
                    + "; the outputs are of the turned photo")
        }
        console.line(
            String(
                format: "detected %d face%@ in %.2f s; fitting face %d: box %.0f,%.0f–%.0f,%.0f, score %.3f",
                run.faces.count, run.faces.count == 1 ? "" : "s", run.detectionSeconds + run.landmarkSeconds,
                index, d.left, d.top, d.right, d.bottom, d.score))
        let report = LandmarkReport(
            photo: photo, image: upright.image, turn: upright.turn, landmarker: landmarker, run: run,
            faces: [chosen], indices: [index])
        return (chosen, upright.image, report)
    }
}
