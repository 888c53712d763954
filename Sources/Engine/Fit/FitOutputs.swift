// The files a fit writes into its output folder, each atomically: the textured mesh, the render
// and the shape over the photo crop and over the whole photo, the frontal view, the landmarks
// (fitted, and drawn against the given ones), the loss curves, the parameters and the report.
import Foundation

public enum FitOutputs {
    /// The file names written into the output folder (the first photo's; see `files(photos:)`).
    public static let files = [
        "mesh.obj", "mesh.mtl", "texture.png", "render.png", "shape.png", "render_photo.png",
        "shape_photo.png", "frontal.png", "landmarks.pts", "landmarks.png", "losses.png",
        "parameters.safetensors", "parameters.json", "report.json",
    ]

    /// The per-photo files of photo `k` (0-based): the first photo's plain, the others' numbered from 2.
    static let perPhoto = [
        "render.png", "shape.png", "render_photo.png", "shape_photo.png", "landmarks.pts", "landmarks.png",
    ]

    /// Every file a fit of `photos` photos writes: `files`, then each `perPhoto` file numbered for
    /// photos k = 2… (render.2.png, landmarks.2.pts, …)
    public static func files(photos: Int) -> [String] {
        files + (1..<Swift.max(photos, 1)).flatMap { k in perPhoto.map { numbered($0, photo: k) } }
    }

    /// `name` for photo `k` (0-based): "render.png" for the first, "render.2.png" for the second, …
    public static func numbered(_ name: String, photo k: Int) -> String {
        guard k > 0, let dot = name.lastIndex(of: ".") else { return name }
        return "\(name[..<dot]).\(k + 1)\(name[dot...])"
    }

    /// Creates `folder` if missing and checks that files can be written there; true when it created it.
    @discardableResult public static func prepare(_ folder: String) throws -> Bool {
        let existed = FileManager.default.fileExists(atPath: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EngineError.badFile(
                path: folder, problem: "cannot create the output folder: \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw EngineError.badFile(
                path: folder, problem: "the output folder is not writable; choose another --output")
        }
        return !existed
    }

    /// Removes `folder` if nothing is in it: a folder `prepare` created for a fit that then failed.
    public static func removeIfEmpty(_ folder: String) {
        guard (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true else { return }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `result` into `folder` (created if missing): the mesh with the first photo's expression,
    /// each photo's renders, shape overlays and landmarks (the views over the whole photo drawn on
    /// `device`), the loss curves, every photo's parameters.
    public static func write(
        _ result: FaceFitResult, face: FitModel, report: FitReport, device: any Backend,
        to folder: String
    ) throws {
        try prepare(folder)
        let fit = result.jointStage
        let mesh = try Mesh(model: face.model, vertices: fit.vertices[0])
        try OBJFile.write(mesh, to: folder + "/mesh.obj", texture: result.texture, textureName: "texture")
        for k in result.inputs.indices {
            try PNGFile.write(result.renders[k], to: folder + "/" + numbered("render.png", photo: k))
            try PNGFile.write(result.shapeOverlays[k], to: folder + "/" + numbered("shape.png", photo: k))
            try PTSFile.write(result.landmarks[k], to: folder + "/" + numbered("landmarks.pts", photo: k))
            let views = try PhotoViews(result, photo: k, face: face, device: device)
            try PNGFile.write(views.render, to: folder + "/" + numbered("render_photo.png", photo: k))
            try PNGFile.write(views.shape, to: folder + "/" + numbered("shape_photo.png", photo: k))
            try PNGFile.write(views.landmarks, to: folder + "/" + numbered("landmarks.png", photo: k))
        }
        try PNGFile.write(result.frontal.image, to: folder + "/frontal.png")
        let boxes = result.inputs.map {
            "\($0.frame.box.x),\($0.frame.box.y),\($0.frame.box.width),\($0.frame.box.height)"
        }
        let feeds = result.fitted.enumerated().flatMap { $1.feeds(view: $0) }
        try PNGFile.write(lossPlot(report.stages), to: folder + "/losses.png")
        try AtomicWrite.write(try FitParametersFile.json(result), to: folder + "/parameters.json")
        try SafetensorsFile.write(
            feeds + [("texture", result.texture)],
            metadata: [
                "crop_box": boxes.joined(separator: ";"), "crop_size": "\(result.inputs[0].frame.size)",
                "camera":
                    "looks along -z, y up; focal and principal_point in crop pixels (see report.json's camera for the photo's)",
                "photos":
                    "\(result.inputs.count): the leaves of photo k ≥ 2 end in _k; shape and texture are shared",
            ], to: folder + "/parameters.safetensors")
        try AtomicWrite.write(try report.json(), to: folder + "/report.json")
    }

    /// A panel per stage: each loss recorded against its iteration, the total first.
    static func lossPlot(_ stages: [StageReport]) -> HostTensor {
        LinePlot.render(
            stages.map { stage in
                let names = Set(stage.losses.flatMap(\.losses.keys))
                    .sorted { ($0 == "total" ? "" : $0) < ($1 == "total" ? "" : $1) }
                return PlotPanel(
                    title: stage.name, xMax: Double(stage.iterations),
                    series: names.map { name in
                        PlotSeries(
                            name: name,
                            points: stage.losses.compactMap { record in
                                record.losses[name].map { SIMD2(Double(record.iteration), Double($0)) }
                            })
                    })
            })
    }
}
