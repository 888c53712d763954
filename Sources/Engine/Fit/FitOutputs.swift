// The files a fit writes into its output folder, each atomically: the textured mesh, the render
// and the shape over the photo crop and over the whole photo, the frontal view, the landmarks
// (fitted, and drawn against the given ones), the loss curves, the parameters and the report.
import Foundation

public enum FitOutputs {
    /// The file names written into the output folder.
    public static let files = [
        "mesh.obj", "mesh.mtl", "texture.png", "render.png", "shape.png", "render_photo.png",
        "shape_photo.png", "frontal.png", "landmarks.pts", "landmarks.png", "losses.png",
        "parameters.safetensors", "parameters.json", "report.json",
    ]

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

    /// Writes `result` into `folder` (created if missing); the views over the whole photo drawn on `device`.
    public static func write(_ result: FaceFitResult, face: FitModel, report: FitReport, device: any Backend,
                             to folder: String) throws {
        try prepare(folder)
        let p = result.parameters
        let mesh = try Mesh(model: face.model, vertices: result.jointStage.vertices)
        try OBJFile.write(mesh, to: folder + "/mesh.obj", texture: result.jointStage.texture, textureName: "texture")
        try PNGFile.write(result.jointStage.render, to: folder + "/render.png")
        try PNGFile.write(result.shapeOverlay, to: folder + "/shape.png")
        try PNGFile.write(result.frontal.image, to: folder + "/frontal.png")
        try PTSFile.write(result.landmarks, to: folder + "/landmarks.pts")
        let views = try PhotoViews(result, face: face, device: device)
        try PNGFile.write(views.render, to: folder + "/render_photo.png")
        try PNGFile.write(views.shape, to: folder + "/shape_photo.png")
        try PNGFile.write(views.landmarks, to: folder + "/landmarks.png")
        try PNGFile.write(lossPlot(report.stages), to: folder + "/losses.png")
        try AtomicWrite.write(try FitParametersFile.json(result), to: folder + "/parameters.json")
        let box = result.input.frame.box
        try SafetensorsFile.write(p.feeds + [("texture", result.jointStage.texture)], metadata: [
            "crop_box": "\(box.x),\(box.y),\(box.width),\(box.height)", "crop_size": "\(result.input.frame.size)",
            "camera": "looks along -z, y up; focal and principal_point in crop pixels (see report.json's camera for the photo's)",
        ], to: folder + "/parameters.safetensors")
        try AtomicWrite.write(try report.json(), to: folder + "/report.json")
    }

    /// A panel per stage: each loss recorded against its iteration, the total first.
    static func lossPlot(_ stages: [StageReport]) -> HostTensor {
        LinePlot.render(stages.map { stage in
            let names = Set(stage.losses.flatMap(\.losses.keys))
                .sorted { ($0 == "total" ? "" : $0) < ($1 == "total" ? "" : $1) }
            return PlotPanel(title: stage.name, xMax: Double(stage.iterations), series: names.map { name in
                PlotSeries(name: name, points: stage.losses.compactMap { record in
                    record.losses[name].map { SIMD2(Double(record.iteration), Double($0)) }
                })
            })
        })
    }
}
