// `ganfit-gpu landmarks PHOTO`: faces detected (dlib's MMOD CNN on the engine) and their 68 iBUG
// landmarks (dlib's shape predictor): .pts files, an overlay picture, or JSON.
import ArgumentParser
import Engine
import Foundation

struct Landmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect the faces in a photo and their 68 iBUG landmarks.",
        discussion: """
            Faces are numbered by box area, largest first. Writes the chosen face's points as an iBUG .pts file \
            (1-based pixels, 300-W layout) with -o, or every face's with --all (OUT.0.pts, OUT.1.pts, …); \
            --overlay draws the boxes and points on the photo; --json prints boxes, scores and points \
            (0-based pixel centres) and each point's spread: how far it moves when the box shifts by 5% or \
            the photo is mirrored, a fraction of the box (large where the predictor guesses, such as the far \
            side of a turned face; `fit` trusts such points less, but only when it detects them itself: a \
            .pts file has no spread). When no window scores above the detector's threshold (0), the best \
            one above −0.5 is taken alone as a weak detection, with a warning ("weak": true in the JSON). \
            Models: dlib's mmod_human_face_detector.dat and \
            shape_predictor_68_face_landmarks.dat, found in models/downloaded/dlib/ (fetched by \
            `bash scripts/fetch-models.sh`), $GANFIT_MODELS/dlib/, or the flags below.
            """)

    @OptionGroup var options: DeviceOptions
    @OptionGroup var models: LandmarkModelOptions

    @Argument(help: "The photo (PNG or JPEG; grey, RGB, RGBA or CMYK; EXIF orientation applied).")
    var photo: String

    @Option(name: [.short, .customLong("output")], help: "Write the face's 68 points to this .pts file.")
    var output: String?

    @Option(help: "Write a PNG of the photo with boxes and points.")
    var overlay: String?

    @Option(help: "Which face: 0 = the largest.")
    var face: Int = 0

    @Flag(help: "Every face: OUT.N.pts for each, all of them in the JSON.")
    var all = false

    @Flag(help: "Print boxes, scores and points as JSON.")
    var json = false

    @Option(
        help: "Run detection and landmarks this many times, report the median run (+ landmarks in a loop).")
    var runs: Int = 1

    func run() throws {
        try runReportingErrors {
            guard face >= 0 else {
                throw EngineError.invalidValue("--face is a face number from 0 (the largest), got \(face)")
            }
            guard (1...100).contains(runs) else {
                throw EngineError.invalidValue("--runs is 1 to 100, got \(runs)")
            }
            let fixedTurn = try models.fixedTurn()
            let read = try Image.read(photo)
            for path in [output, overlay].compactMap({ $0 }) {  // before the detection: a bad path must not waste it
                try FitOutputs.prepare(URL(fileURLWithPath: path).deletingLastPathComponent().path)
            }
            let landmarker = try models.landmarker(device: try options.choice().makeBackend())
            let upright = try landmarker.uprightFaces(in: read, fixed: fixedTurn)
            let image = upright.image
            let rgb = RGBImage8(image)
            let result =
                try ([upright.run] + (1..<runs).map { _ in try landmarker.faces(in: rgb) })
                .sorted {
                    $0.detectionSeconds + $0.landmarkSeconds < $1.detectionSeconds + $1.landmarkSeconds
                }[runs / 2]
            if upright.turn != .unturned {
                FileHandle.standardError.write(
                    Data(
                        ("\(photo): turned \(upright.turn.rawValue)° clockwise"
                            + (fixedTurn == nil ? ", where its largest face stands upright" : "")
                            + " (the points, boxes and overlay are of the turned photo)\n").utf8))
            }
            let faces = result.faces
            guard !faces.isEmpty else { throw landmarker.noFace(photo) }
            let chosen = all ? faces : [try landmarker.face(face, among: faces, source: photo)]
            let indices = all ? Array(faces.indices) : [face]
            chosen.forEach { warnIfWeak(landmarker, $0, source: photo) }
            if let output {
                for (k, found) in chosen.enumerated() {
                    try PTSFile.write(found.points, to: all ? Self.numbered(output, k) : output)
                }
            }
            if let overlay { try PNGFile.write(LandmarkOverlay.draw(image, faces: chosen), to: overlay) }
            if json {
                var report = LandmarkReport(
                    photo: photo, image: image, turn: upright.turn, landmarker: landmarker, run: result,
                    faces: chosen, indices: indices)
                if runs > 1 {
                    report.landmarkLoopSeconds = try landmarker.landmarkSeconds(
                        rgb, faces: faces, repeats: 200)
                }
                print(try report.json())
            } else {
                print(
                    "\(photo): \(image.width)×\(image.height), \(faces.count) face\(faces.count == 1 ? "" : "s") "
                        + String(
                            format: "(detection %.2f s, landmarks %.3f s)", result.detectionSeconds,
                            result.landmarkSeconds))
                for (k, found) in zip(indices, chosen) {
                    let d = found.detection
                    let unsteadiest = found.spread.indices.max { found.spread[$0] < found.spread[$1] } ?? 0
                    print(
                        String(
                            format: "face %d: box %.0f,%.0f–%.0f,%.0f (%.0f×%.0f px), score %.3f; "
                                + "landmark spread median %.1f%%, largest %.1f%% (iBUG %d)", k, d.left, d.top,
                            d.right, d.bottom, d.width, d.height, d.score,
                            100 * found.spread.sorted()[found.spread.count / 2],
                            100 * found.spread[unsteadiest],
                            unsteadiest + 1))
                }
                if let output { print("wrote " + (all ? Self.numbered(output, 0) + " …" : output)) }
                if let overlay { print("wrote \(overlay)") }
            }
        }
    }

    /// OUT.pts → OUT.k.pts (OUT → OUT.k.pts without an extension).
    static func numbered(_ path: String, _ k: Int) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "pts" : url.pathExtension
        return url.deletingPathExtension().path + ".\(k).\(ext)"
    }
}

/// The detector and landmark model files and settings, shared by `landmarks` and `fit`.
struct LandmarkModelOptions: ParsableArguments {
    @Option(
        help: "dlib's MMOD face detector (default: dlib/mmod_human_face_detector.dat in the model folders).")
    var detectorModel: String?

    @Option(help: "dlib's 68-point shape predictor (default: dlib/shape_predictor_68_face_landmarks.dat).")
    var landmarkModel: String?

    @Option(
        help: "Double the photo this many times before detection (finds faces smaller than 80 px; slower).")
    var upsample: Int = 0

    @Flag(help: "Use the detector's boxes as they are (default: moved and shrunk towards HOG-like boxes).")
    var mmodBoxes = false

    @Option(
        help: ArgumentHelp(
            "Turn the photo clockwise by 0, 90, 180 or 270 degrees before detecting its faces; auto: "
                + "only a photo whose largest face does not stand upright, by the turn where it does.",
            valueName: "auto|DEGREES"))
    var turn = "auto"

    /// The error for a turn asked for where `file` gives `photo`'s landmarks: they are in the photo as it is.
    static func turnRefused(_ turn: QuarterTurn, landmarks file: String, photo: String) -> EngineError {
        .invalidValue(
            "--turn \(turn.rawValue) turns a photo before its landmarks are detected, but \(file) gives "
                + "\(photo)'s landmarks in the photo as it is: turn the photo and its points yourself, or "
                + "leave --turn out")
    }

    /// --turn: nil for auto (`FaceLandmarker.uprightFaces` judges), else the turn asked for.
    func fixedTurn() throws -> QuarterTurn? {
        if turn == "auto" { return nil }
        guard let degrees = Int(turn), let chosen = QuarterTurn(rawValue: degrees) else {
            throw EngineError.invalidValue(
                "--turn takes auto, 0, 90, 180 or 270 (degrees clockwise), not '\(turn)'")
        }
        return chosen
    }

    func landmarker(device: any Backend) throws -> FaceLandmarker {
        guard (0...3).contains(upsample) else {
            throw EngineError.invalidValue("--upsample is 0 to 3, got \(upsample)")
        }
        return try FaceLandmarker.dlib(
            detectorModel: detectorModel, landmarkModel: landmarkModel, device: device,
            upsample: upsample, calibration: mmodBoxes ? .identity : .mmodToHOG)
    }
}
