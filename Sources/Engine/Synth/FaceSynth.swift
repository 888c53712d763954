// Synthetic faces with known 3D truth: each drawn from the seed (`SynthFace`), rendered over a
// real-photo background, written as face_i.png, face_i.pts (true 68 points), face_i.obj (true
// mesh, mm), the albedos as albedo_k.png (UV maps), and every face's parameters in truth.json.
import Foundation

/// What a run of `ganfit-gpu synth` is asked for.
public struct SynthSettings: Sendable {
    public var count: Int
    public var seed: UInt64
    public var width = 640, height = 480
    /// Rendered at this many times the size and area-averaged down.
    public var supersampling = 2
    public var ranges = SynthRanges()
    /// The albedos' landmark fit and projection (crop size, iterations, texture size).
    public var albedoFit = FitSettings()

    public init(count: Int, seed: UInt64) { (self.count, self.seed) = (count, seed) }

    /// Checks the counts and sizes, naming the flag to change.
    public func validate() throws {
        guard (1...100_000).contains(count) else {
            throw EngineError.invalidValue("--count must be 1 to 100000 faces, got \(count)")
        }
        guard (32...4096).contains(width), (32...4096).contains(height) else {
            throw EngineError.invalidValue(
                "--size must be 32 to 4096 pixels each way (WxH, e.g. 640x480), got \(width)x\(height)")
        }
        guard (1...4).contains(supersampling) else {
            throw EngineError.invalidValue("supersampling must be 1 to 4, got \(supersampling)")
        }
    }
}

/// truth.json: the run's settings, sources and every face.
public struct SynthTruth: Codable {
    public var seed: UInt64
    public var width: Int, height: Int, supersampling: Int
    public var camera =
        "camera = R·model + t (model units: mm); looks along −z, y up; pixel x = W/2 + f·X/(−Z), "
        + "y = H/2 − f·Y/(−Z) in continuous pixels (pixel (i, j) covers [j, j+1) × [i, i+1)); "
        + ".pts files add 0.5 (1-based centres)"
    public var landmarks =
        "face_i.pts: the model's iBUG vertices projected; the jaw points 1–17 are fixed contour "
        + "vertices (evenly spaced from the outer eye corners' height to the chin on the mean face), "
        + "not the pose-dependent silhouette an annotator marks; 61 and 65 are means of their "
        + "neighbours (no vertex)"
    public var photos: [String]
    /// The albedos: which photo and which face in it.
    public var albedos: [[Int]]
    public var faces: [SynthFace]
}

public enum FaceSynth {
    /// Draws, renders and writes `settings.count` faces into `folder`; `log` gets a line per face.
    @discardableResult
    public static func run(
        _ settings: SynthSettings, face model: FitModel, photos: [SynthPhoto], albedos: [SynthAlbedo],
        device: any Backend, to folder: String, log: (String) -> Void
    ) throws -> SynthTruth {
        try settings.validate()
        guard !photos.isEmpty, !albedos.isEmpty else {
            throw EngineError.invalidValue(
                "synthetic faces need at least one photo with a face (for albedo and background)")
        }
        try FitOutputs.prepare(folder)
        let layout = SynthLayout(model)
        let jaw = SynthLandmarks.vertices(model)
        let renderer = try SynthRenderer(
            model, width: settings.width, height: settings.height,
            textureSize: albedos[0].texture.shape[0], supersampling: settings.supersampling,
            device: device)
        for (k, albedo) in albedos.enumerated() {
            try PNGFile.write(albedo.texture, to: folder + "/albedo_\(k).png")
        }
        var faces: [SynthFace] = []
        for index in 0..<settings.count {
            let face = SynthFace.draw(
                index: index, seed: settings.seed, width: settings.width, height: settings.height,
                layout: layout, ranges: settings.ranges, albedoCount: albedos.count, photos: photos)
            let (w, h) = (settings.width * settings.supersampling, settings.height * settings.supersampling)
            let b = face.backgroundBox
            let planar = FaceCrop.crop(
                photos[face.background].image, box: FaceBox(x: b[0], y: b[1], width: b[2], height: b[3]),
                height: h, width: w
            ).values
            let background = HostTensor(
                [h, w, 3], (0..<3 * h * w).map { k in planar[(k % 3) * h * w + k / 3] })
            let out = try renderer.render(face, texture: albedos[face.albedo].texture, background: background)
            let name = folder + "/face_\(index)"
            try PNGFile.write(out.image, to: name + ".png")
            try PTSFile.write(SynthLandmarks.points(jaw, screen: out.screen), to: name + ".pts")
            try OBJFile.write(try Mesh(model: model.model, vertices: out.vertices), to: name + ".obj")
            log(
                String(
                    format:
                        "face_%d: yaw %.0f° pitch %.0f° roll %.0f°, focal %.0f mm (35 mm eq.), "
                        + "face %.0f%% of the frame",
                    index, face.yaw, face.pitch, face.roll, face.focal35mm, 100 * face.faceFraction))
            faces.append(face)
        }
        let truth = SynthTruth(
            seed: settings.seed, width: settings.width, height: settings.height,
            supersampling: settings.supersampling, photos: photos.map(\.name),
            albedos: albedos.map { [$0.photo, $0.face] }, faces: faces)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicWrite.write(try encoder.encode(truth), to: folder + "/truth.json")
        return truth
    }
}
