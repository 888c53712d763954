// `ganfit-gpu fit PHOTO --landmarks PTS --output DIR`: a 3D face fitted to one photo (landmark
// stage, then the joint stage through the renderer and FaceNet), its results written to DIR.
import ArgumentParser
import Engine
import Foundation

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the 3D face model to a photo with its 68 landmarks; write mesh, texture, render, landmarks, parameters, report.",
        discussion: """
            Stage 1 fits shape, expression and pose to the landmarks; stage 2 adds a UV texture and a light and fits
            everything jointly (pixel L1, FaceNet identity, landmarks, priors). Writes into DIR: mesh.obj + mesh.mtl +
            texture.png, render.png (the fit over the photo crop), shape.png (the fitted shape over the crop),
            landmarks.pts (photo pixels), parameters.safetensors,
            report.json. More iterations fit better: --iterations 600,100.
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "The photo (PNG or JPEG).")
    var photo: String

    @Option(help: "Its 68 iBUG landmarks (.pts, 300-W layout); required: there is no landmark detector yet.")
    var landmarks: String?

    @Option(help: "Output folder (created if missing).")
    var output: String

    @Option(help: "Adam iterations of stage 1 (landmarks) and stage 2 (joint), as N,M.")
    var iterations: String?

    @Option(help: "The folder of the Surrey model files (eos): shape, blendshapes, landmark map, contours.")
    var model: String = "models/sfm"

    @Option(help: "The FaceNet graph_final.pb (default: the documented search order).")
    var facenet: String?

    @Option(help: "Side of the square fitting crop in pixels.")
    var size: Int = 256

    func run() throws {
        try runReportingErrors {
            let started = Date()
            var settings = FitSettings()
            settings.size = size
            if let iterations {
                let counts = iterations.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard counts.count == 2, let first = counts[0], let second = counts[1],
                      (0...100_000).contains(first), (0...100_000).contains(second) else {
                    throw EngineError.invalidValue("--iterations takes two counts N,M from 0 to 100000 (stage 1, stage 2), "
                                                   + "not '\(iterations)'")
                }
                (settings.landmarkIterations, settings.jointIterations) = (first, second)
            }
            let input = try FitInput.read(photo: photo, landmarks: landmarks, size: settings.size, margin: settings.margin)
            let face = try FitModel(folder: model)
            let network = try FaceNet(path: try FaceNet.locate(explicit: facenet, flag: "--facenet"))
            try FitOutputs.prepare(output)  // before the fit: a bad --output must not waste it
            let device = try options.choice().makeBackend()
            print("fit \(photo): \(input.photo.width)×\(input.photo.height), crop \(settings.size)² on \(device.name)")
            let result = try FaceFit.run(input, face: face, network: network, settings: settings, device: device) { line in
                print(line)
                fflush(stdout)
            }
            let report = FitReport(result, photo: photo, landmarksFile: landmarks ?? "", network: network.name, settings: settings,
                                   totalSeconds: Date().timeIntervalSince(started))
            try FitOutputs.write(result, face: face, report: report, to: output)
            print(String(format: "wrote %@/{%@} in %.1f s", output, FitOutputs.files.joined(separator: ","), report.totalSeconds))
        }
    }
}
