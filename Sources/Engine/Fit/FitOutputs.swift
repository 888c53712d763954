// The files a fit writes into its output folder, each atomically: the textured mesh, the render
// and the shape over the photo crop, the fitted landmarks, the parameters and the report.
import Foundation

public enum FitOutputs {
    /// The file names written into the output folder.
    public static let files = ["mesh.obj", "mesh.mtl", "texture.png", "render.png", "shape.png", "frontal.png", "landmarks.pts",
                               "parameters.safetensors", "report.json"]

    /// Creates `folder` if missing and checks that files can be written there.
    public static func prepare(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EngineError.badFile(path: folder, problem: "cannot create the output folder: \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw EngineError.badFile(path: folder, problem: "the output folder is not writable; choose another --output")
        }
    }

    /// Writes `result` into `folder` (created if missing).
    public static func write(_ result: FaceFitResult, face: FitModel, report: FitReport, to folder: String) throws {
        try prepare(folder)
        let p = result.parameters
        let mesh = try Mesh(model: face.model, vertices: result.jointStage.vertices)
        try OBJFile.write(mesh, to: folder + "/mesh.obj", texture: result.jointStage.texture, textureName: "texture")
        try PNGFile.write(result.jointStage.render, to: folder + "/render.png")
        try PNGFile.write(result.shapeOverlay, to: folder + "/shape.png")
        try PNGFile.write(result.frontal.image, to: folder + "/frontal.png")
        try PTSFile.write(result.landmarks, to: folder + "/landmarks.pts")
        let box = result.input.frame.box
        try SafetensorsFile.write(p.feeds + [("texture", result.jointStage.texture)], metadata: [
            "crop_box": "\(box.x),\(box.y),\(box.width),\(box.height)", "crop_size": "\(result.input.frame.size)",
            "camera": "looks along -z, y up; focal and principal_point in crop pixels (see report.json's camera for the photo's)",
        ], to: folder + "/parameters.safetensors")
        try AtomicWrite.write(try report.json(), to: folder + "/report.json")
    }
}
