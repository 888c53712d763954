// `ganfit-gpu fit PHOTO --output DIR` (or `--batch LIST.txt`): the command's options and settings;
// a photo's fit is `PhotoFitter`'s, a list's loop `BatchRun`'s (see FitBatch.swift).
import ArgumentParser
import Engine
import Foundation

extension TextureModelKind: ExpressibleByArgument {}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Fit the 3D face model to a photo (or several of one person); write mesh, texture, renders, report.",
        discussion: """
            The face's 68 landmarks are detected (dlib's MMOD detector and shape predictor; the largest \
            face, or --face N) unless --landmarks gives them; a photo whose face lies on its side or upside \
            down is turned upright first (--turn). Stage 1 fits shape, expression and pose to the \
            landmarks; stage 2 adds a UV texture and a light and fits everything jointly (pixel L1, FaceNet \
            identity, landmarks, priors). The camera's principal point is the photo's centre and its focal \
            length the photo's EXIF value, else 50 mm (35 mm equivalent; --focal35mm). Every setting: \
            --print-settings; change any with --settings FILE. The stages' iterations: --iterations N,M \
            (default 500,100).

            Writes into DIR: mesh.obj + mesh.mtl + texture.png (model frame, mm); render_photo.png and \
            shape_photo.png (the textured fit and the grey shape over the whole photo), render.png and \
            shape.png (over the crop), frontal.png (a novel frontal view); landmarks.pts (the fitted \
            landmarks, photo pixels) and landmarks.png (given or detected in red, fitted in green); \
            losses.png (the loss curves); parameters.json (with the camera in OpenCV's convention: K, R, t, \
            image size) and parameters.safetensors; report.json (status, losses, timings, settings, \
            provenance: version, commit, model SHA-256s); with detected landmarks also detected.pts and \
            detected.png. A terminal shows a progress bar; -q prints only errors. A loss that turns NaN or \
            infinite stops the fit: the outputs hold the last parameters with finite losses, report.json \
            says status "diverged", exit status 4.

            Several photos of one person (fit A.jpg B.jpg …) share one shape and texture; each keeps its own \
            expression, pose, camera and light. Give --landmarks once per photo, in order, or not at all; \
            --face once per photo or once for all. The outputs without a number are the first photo's; the \
            others' are numbered: render.2.png, render_photo.2.png, landmarks.2.pts, … (photo 2, 3, …).

            Every face of a group photo: --all-faces fits each face it detects into OUTPUT/face-K (K = 0 for \
            the largest), the others going on when one fails (exit status 5 then).

            Many photos: --batch LIST.txt -o OUTDIR [--shard I/N] fits every line of LIST.txt (a photo path, \
            or several photos of one person separated by spaces, fitted together; paths relative to the \
            list's folder; blank lines and # comments skipped; a .pts file beside a photo \
            with its name gives its landmarks) into OUTDIR/NAME (NAME: the path made safe plus 8 hex digits \
            of its hash), each folder written as OUTDIR/.partial-NAME and renamed when complete. Lines \
            already done are skipped, so a killed run started again repeats at most the line in progress; \
            lines that failed are skipped too unless --retry-failed. --shard I/N fits the lines whose index \
            i (0-based, photo lines only) has i % N == I. Each shard keeps OUTDIR/batch.I-of-N.json (per \
            line: status, error, seconds, final losses); `ganfit-gpu batch-report OUTDIR` merges them. Exit \
            status 5 when a line failed or diverged.
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "The photo (PNG or JPEG), or several photos of one person.")
    var photos: [String] = []

    @Option(
        help: ArgumentHelp(
            "Fit every photo listed in this file (one per line), each into its own folder of --output.",
            valueName: "LIST.txt"))
    var batch: String?

    @Option(
        help: ArgumentHelp(
            "With --batch: fit only the lines i with i % N == I (one process per shard).",
            valueName: "I/N"))
    var shard: String?

    @Flag(help: "With --batch: fit again the lines that failed before (default: skipped, as the lines done).")
    var retryFailed = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors (no progress).")
    var quiet = false

    @Option(help: "Its 68 iBUG landmarks (.pts, 300-W layout) instead of detecting them; once per photo.")
    var landmarks: [String] = []

    @Option(help: "Which detected face to fit: 0 = the largest (default); once per photo, or once for all.")
    var face: [Int] = []

    @Flag(help: "Fit every face detected in the photo, each into OUTPUT/face-K (K = 0 for the largest).")
    var allFaces = false

    @Option(
        help: ArgumentHelp(
            "Start stage 1 from an earlier fit's shape, expressions and pose (its parameters.json) "
                + "instead of the landmarks' first guess; once per photo (the first photo's shape is "
                + "used). With --iterations 0,M stage 2 starts there.",
            valueName: "PARAMETERS.json"))
    var start: [String] = []

    @OptionGroup var landmarkModels: LandmarkModelOptions

    @Option(name: .shortAndLong, help: "Output folder (created if missing).")
    var output: String?

    @Option(
        help: ArgumentHelp(
            "A JSON file of settings (snake_case keys, as --print-settings shows); "
                + "it need only name what it changes."))
    var settings: String?

    @Flag(help: "Print every setting with its default (or its value from --settings) as JSON, and exit.")
    var printSettings = false

    @Option(
        help: ArgumentHelp(
            "The camera's 35 mm-equivalent focal length in mm (default: the photo's EXIF, else 50).",
            valueName: "mm"))
    var focal35mm: Float?

    @Option(help: "Adam iterations of stage 1 (landmarks) and stage 2 (joint), as N,M.")
    var iterations: String?

    @Option(
        help: ArgumentHelp(
            "The seed of the GAN texture's starting latent, the fit's only random choice (default 0): "
                + "the same photos, settings, seed and device give the same fit."))
    var seed: UInt64?

    @Option(
        help: ArgumentHelp(
            "The folder of the Surrey model files (eos): shape, blendshapes, landmark map, contours "
                + "(default: sfm/ in the model folders)."))
    var model: String?

    @Option(help: "The FaceNet graph_final.pb (default: the documented search order).")
    var facenet: String?

    @Option(help: "Side of the square fitting crop in pixels (default 160, FaceNet's input).")
    var size: Int?

    @Option(
        help: ArgumentHelp(
            "The joint stage's texture: projected (the photo at the stage-1 pose plus a smooth offset), "
                + "free (every texel, kept smooth and left-right symmetric: the unseen side mirrors the "
                + "seen one; the default), linear:FILE (a `texture build` model's coefficients) or gan:FILE "
                + "(a generator's latent).",
            valueName: "projected|free|linear:FILE|gan:FILE"))
    var texture: TextureModelKind?

    @Option(
        help: ArgumentHelp(
            "Print the fit's N costliest ops (CPU backend: by op and output shape, wall clock) or kernels "
                + "(OpenCL: by kernel and global size) when it ends; each op is then waited for, so the "
                + "fit runs slower.",
            valueName: "N"))
    var profile = 0

    func run() throws {
        try runReportingErrors {
            let settings = try resolvedSettings()
            if printSettings {
                print(String(decoding: try settings.json(), as: UTF8.self))
                return
            }
            guard let output else {
                throw EngineError.invalidValue("fit needs --output DIR (see ganfit-gpu fit --help)")
            }
            try settings.texture.checkFile()  // a missing texture model fails before any fit
            if let bad = face.first(where: { $0 < 0 }) {
                throw EngineError.invalidValue("--face is a face number from 0 (the largest), got \(bad)")
            }
            guard profile >= 0, profile == 0 || batch == nil else {
                throw EngineError.invalidValue("--profile takes a count N ≥ 0 and goes with one fit, not --batch")
            }
            let console = FitConsole(quiet: quiet)
            if let batch { return try runBatch(batch, output: output, settings: settings, console: console) }
            guard !photos.isEmpty else {
                throw EngineError.invalidValue(
                    "fit needs a photo or --batch LIST.txt (see ganfit-gpu fit --help)")
            }
            guard shard == nil, !retryFailed else {
                throw EngineError.invalidValue("--shard and --retry-failed go with --batch")
            }
            if allFaces {
                guard photos.count == 1, landmarks.isEmpty, face.isEmpty, start.isEmpty, profile == 0 else {
                    throw EngineError.invalidValue(
                        "--all-faces fits every face it detects in one photo: give one photo and no "
                            + "--landmarks, --face, --start or --profile")
                }
                let fitter = try makeFitter(settings, console: console)
                return try fitEveryFace(photos[0], output: output, fitter: fitter)
            }
            guard landmarks.isEmpty || landmarks.count == photos.count else {
                throw EngineError.invalidValue(
                    "give --landmarks once per photo, in order, or not at all "
                        + "(\(photos.count) photos, \(landmarks.count) --landmarks)")
            }
            guard start.isEmpty || start.count == photos.count else {
                throw EngineError.invalidValue(
                    "give --start once per photo, in order, or not at all "
                        + "(\(photos.count) photos, \(start.count) --start)")
            }
            let starts = try start.map { try FitStart(contentsOf: $0) }  // a bad file fails before the fit
            guard face.count <= 1 || face.count == photos.count else {
                throw EngineError.invalidValue(
                    "give --face once per photo, in order, or once for all (\(photos.count) photos, "
                        + "\(face.count) --face)")
            }
            let fitter = try makeFitter(settings, console: console)
            if profile > 0 { fitter.device.profiledTimes = [:] }
            let report = try fitter.fit(
                photos: photos, landmarks: landmarks.isEmpty ? photos.map { _ in nil } : landmarks,
                faces: photos.indices.map { face.count > 1 ? face[$0] : face.first ?? 0 },
                starts: starts.isEmpty ? photos.map { _ in nil } : starts, output: output)
            if profile > 0 {
                print("the fit's costliest \(fitter.device.isReference ? "ops" : "kernels") on \(fitter.device.name):")
                BenchmarkReport.profileLines(fitter.device.costliestProfiled, top: profile).forEach { print($0) }
            }
            if let divergence = report.divergence {
                FileHandle.standardError.write(
                    Data("error: \(divergence.message); wrote its outputs to \(output)\n".utf8))
                throw ExitCode(4)
            }
        }
    }

    /// Fits the lines of the list `list` (this process's shard) into `output`; exit status 5 when a
    /// line failed or diverged.
    private func runBatch(_ list: String, output: String, settings: FitSettings, console: FitConsole) throws {
        guard photos.isEmpty, landmarks.isEmpty, start.isEmpty, !allFaces else {
            throw EngineError.invalidValue(
                "--batch takes its photos from the list (each line's largest face, or --face N); give no "
                    + "photo, --landmarks, --start or --all-faces")
        }
        let shard = try shard.map { try BatchShard(parsing: $0) } ?? BatchShard(index: 0, count: 1)
        let run = BatchRun(
            list: list, entries: try BatchList.read(list), shard: shard, folder: output,
            retryFailed: retryFailed)
        let fitter = try makeFitter(settings, console: console)
        let summary = try run.run(
            { entry, folder in
                _ = try fitter.fit(
                    photos: entry.photos, landmarks: entry.photos.map(FitBatch.landmarks(beside:)),
                    faces: entry.photos.map { _ in face.first ?? 0 }, starts: entry.photos.map { _ in nil },
                    output: folder)
            }, log: console.line)
        if summary.records.contains(where: { $0.status != .fitted }) { throw ExitCode(5) }
    }

    /// Fits every face `fitter` detects in `photo` into `output`/face-K, the others going on when one
    /// fails; exit status 5 when one failed or diverged.
    private func fitEveryFace(_ photo: String, output: String, fitter: PhotoFitter) throws {
        let count = try fitter.faceCount(photo)
        var failed: [String] = []
        for k in 0..<count {
            let folder = output + "/face-\(k)"
            do {
                let report = try fitter.fit(
                    photos: [photo], landmarks: [nil], faces: [k], starts: [nil], output: folder)
                if let divergence = report.divergence { failed.append("face \(k): \(divergence.message)") }
            } catch let error as EngineError {
                failed.append("face \(k): \(error)")
            }
        }
        guard failed.isEmpty else {
            let lines = ["error: \(failed.count) of \(count) faces not fitted:"] + failed
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(5)
        }
    }

    /// The models loaded and the device opened, once for every photo.
    private func makeFitter(_ settings: FitSettings, console: FitConsole) throws -> PhotoFitter {
        try PhotoFitter(
            settings: settings, modelFolder: model, facenet: facenet, landmarkModels: landmarkModels,
            device: try options.choice().makeBackend(), console: console)
    }

    /// The defaults, then --settings FILE, then the flags.
    private func resolvedSettings() throws -> FitSettings {
        var settings =
            try self.settings.map {
                try FitSettings.read(FileInput.read($0, what: "a JSON settings file"), source: $0)
            }
            ?? FitSettings()
        if let size { settings.size = size }
        if let focal35mm {
            guard focal35mm.isFinite, (4...2000).contains(focal35mm) else {
                throw EngineError.invalidValue(
                    "--focal35mm takes a 35 mm-equivalent focal length of 4 to 2000 mm, got \(focal35mm)")
            }
            settings.focal35mm = focal35mm
        }
        if let texture { settings.texture = texture }
        if let seed { settings.seed = seed }
        if let iterations {
            let counts = iterations.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard counts.count == 2, let first = counts[0], let second = counts[1],
                (0...100_000).contains(first), (0...100_000).contains(second)
            else {
                throw EngineError.invalidValue(
                    "--iterations takes two counts N,M from 0 to 100000 (stage 1, stage 2), "
                        + "not '\(iterations)'")
            }
            (settings.landmarkIterations, settings.jointIterations) = (first, second)
        }
        return settings
    }
}
