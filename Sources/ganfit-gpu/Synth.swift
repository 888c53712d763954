// `ganfit-gpu synth`: synthetic faces with known 3D truth (the Surrey model rendered over real-photo
// backgrounds with albedos projected from real photos), for landmark and reconstruction benchmarks.
import ArgumentParser
import Engine
import Foundation

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render synthetic faces with known shape, expression, pose, camera and light.",
        discussion: """
            Per face i: face_i.jpg (the photo), face_i.pts (the true 68 iBUG points, 1-based \
            pixels; the jaw points are fixed model vertices, not the silhouette an annotator \
            marks), face_i.obj (the true mesh, mm), face_i.floor.obj (the truth projected onto the \
            model: the best any fit can do); albedo_k.png (the UV maps) and truth.json (every \
            face's parameters and degradations).

            Truth: shape ~ N(0, 0.5²), expression weights |N(0, 0.1)| (calibrated so that the \
            mean face scores about 1.2 mm under evaluate, as on real scans), plus 20 Gaussian \
            bumps (radius 5–12 mm, height N(0, 2.2 mm)) along the normals that the model cannot \
            fully express (its floor: about 0.5 mm). Yaw ±60°, pitch ±20°, roll ±10°, \
            35 mm-equivalent focal 24–135 mm, the face (brows to chin) 15–60% of the shorter \
            side, spherical-harmonics light.

            What the fit does not model: a Blinn-Phong highlight, 2× supersampling, Gaussian blur \
            (σ 0–1 px), pixel noise (σ 0.002–0.02), JPEG quality 70–95. The albedos are the \
            photos' faces projected onto the UV map after the fit's landmark stage (computed at \
            the start of each run); the same --seed, --size and --device give the same faces. \
            --score also runs evaluate's protocol on the floor and the mean face per face.
            """)

    @OptionGroup var options: DeviceOptions

    @Option(help: "How many faces.") var count: Int
    @Option(help: "The random seed (a non-negative integer).") var seed: UInt64
    @Option(help: "The output folder (created if missing).") var output: String
    @Option(help: "Image size WxH in pixels.") var size: String = "640x480"
    @Option(help: "The folder of the Surrey model files.") var modelFolder: String?
    @Option(help: "PHOTO:POINTS, a photo and its 68 points (.pts or a dlib reference .json); repeatable.")
    var photo: [String] = []
    @Option(help: "Landmark-fit iterations per albedo photo face.") var albedoIterations: Int = 500
    @Option(help: "Shape coefficients' standard deviation: each N(0, SD²).") var shape: Double?
    @Option(help: "Expression weights' scale: each |N(0, SD)|.") var expression: Double?
    @Option(help: "The bumps' height scale in mm: each N(0, MM).") var bumpHeight: Double?
    @Flag(help: "Also score the floor and the mean face against each truth (evaluate's protocol).")
    var score = false

    @Option(help: ArgumentHelp(
        "Photos per face: the same person (shape, bumps, albedo) with another expression, pose, camera and light; "
            + "face_i.* is the first, face_i.2.*, face_i.3.*, … the others.", valueName: "N"))
    var views = 1

    func run() throws {
        try runReportingErrors {
            let parts = size.lowercased().split(separator: "x").map { Int($0) }
            guard parts.count == 2, let width = parts[0], let height = parts[1] else {
                throw EngineError.invalidValue("--size must be WxH in pixels, e.g. 640x480, got '\(size)'")
            }
            guard (0...10_000).contains(albedoIterations) else {
                throw EngineError.invalidValue(
                    "--albedo-iterations must be 0 to 10000, got \(albedoIterations)")
            }
            var settings = SynthSettings(count: count, seed: seed)
            (settings.width, settings.height) = (width, height)
            settings.albedoFit.landmarkIterations = albedoIterations
            settings.score = score
            settings.views = views
            if let shape {
                guard (0...3).contains(shape) else {
                    throw EngineError.invalidValue("--shape must be 0 to 3, got \(shape)")
                }
                settings.ranges.shape = shape
            }
            if let expression {
                guard (0...2).contains(expression) else {
                    throw EngineError.invalidValue("--expression must be 0 to 2, got \(expression)")
                }
                settings.ranges.expression = expression
            }
            if let bumpHeight {
                guard (0...10).contains(bumpHeight) else {
                    throw EngineError.invalidValue("--bump-height must be 0 to 10 mm, got \(bumpHeight)")
                }
                settings.ranges.bumpHeight = bumpHeight
            }
            try settings.validate()
            let files =
                try photo.isEmpty
                ? SynthPhoto.defaultFiles
                : photo.map { text in
                    let pair = text.split(separator: ":", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else {
                        throw EngineError.invalidValue("--photo must be PHOTO:POINTS, got '\(text)'")
                    }
                    return (pair[0], pair[1])
                }
            let absent = files.first { !FileManager.default.fileExists(atPath: $0.photo) }
            if photo.isEmpty, let absent {
                throw EngineError.invalidValue(
                    "synth's default photos are the repository's (\(absent.photo) is not in the folder it "
                        + "runs in): run it from the repository's root, or give --photo PHOTO:POINTS")
            }
            let photos = try files.map { try SynthPhoto.read(photo: $0.photo, points: $0.points) }
            let device = try options.choice().makeBackend()
            let model = try FitModel(folder: FitModel.locate(explicit: modelFolder, flag: "--model-folder"))
            let start = Date()
            let albedos = try SynthAlbedo.project(
                photos, face: model, settings: settings.albedoFit, device: device
            ) { print($0) }
            print(String(format: "%d albedos in %.1f s", albedos.count, Date().timeIntervalSince(start)))
            try FaceSynth.run(
                settings, face: model, photos: photos, albedos: albedos, device: device, to: output
            ) { print($0) }
            print(
                String(
                    format: "wrote %d faces to %@ in %.1f s (device %@)", count, output,
                    Date().timeIntervalSince(start),
                    device.name))
        }
    }
}
