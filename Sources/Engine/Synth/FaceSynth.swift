// Synthetic faces with known 3D truth: each drawn from the seed (`SynthFace`), rendered over a
// real-photo background and degraded, written as face_i.jpg, face_i.pts (true 68 points),
// face_i.obj (true mesh, mm), face_i.floor.obj (the truth projected onto the model), the albedos
// as albedo_k.png (UV maps), and every face's parameters in truth.json.
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
    /// Also score the floor and the mean face against each truth with `evaluate`'s protocol
    /// (about a second a face), into truth.json's `scores`.
    public var score = false
    /// Photos of each person: view 0 is face_i.*, view v ≥ 1 face_i.(v+1).* (same shape, bumps and
    /// albedo; its own expression, pose, camera, light, background and capture).
    public var views = 1

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
        guard (1...16).contains(views) else {
            throw EngineError.invalidValue("--views must be 1 to 16 photos per face, got \(views)")
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
    public var shapeDetail =
        "face_i.obj = the model's mesh from shape and expression plus the bumps (SynthBump) along the "
        + "mean face's normals; face_i.floor.obj = the least-squares shape and expression for it "
        + "(no prior) after a similarity alignment, alternated 8 times, in face_i.obj's frame"
    public var photos: [String]
    /// The albedos: which photo and which face in it.
    public var albedos: [[Int]]
    public var faces: [SynthFace]
    /// Per face when asked (`SynthSettings.score`): `evaluate`'s symmetric mean point-to-plane
    /// distance (mm) of the floor and of the mean face to the truth.
    public var scores: [SynthScores]?
}

public struct SynthScores: Codable, Equatable, Sendable {
    public var floor: Double
    public var meanFace: Double
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
        let scene = try SynthSceneWriter(
            settings: settings, model: model, photos: photos, albedos: albedos, device: device)
        for (k, albedo) in albedos.enumerated() {
            try PNGFile.write(albedo.texture, to: folder + "/albedo_\(k).png")
        }
        var faces: [SynthFace] = []
        var scores: [SynthScores] = []
        for index in 0..<settings.count {
            var person: SynthFace?
            for view in 0..<settings.views {
                var face = SynthFace.draw(
                    index: index, view: view, seed: settings.seed, width: settings.width,
                    height: settings.height, layout: scene.layout, ranges: settings.ranges,
                    albedoCount: albedos.count, photos: photos)
                if let person {
                    (face.shape, face.bumps, face.albedo) = (person.shape, person.bumps, person.albedo)
                }
                person = person ?? face
                let name = "face_\(index)" + (view > 0 ? ".\(view + 1)" : "")
                let (truthMesh, floorMesh) = try scene.write(&face, to: folder + "/" + name)
                var line = String(
                    format:
                        "%@: yaw %.0f° pitch %.0f° roll %.0f°, focal %.0f mm (35 mm eq.), "
                        + "face %.0f%% of the frame; bumps %.2f mm rms, floor %.2f mm rms (vertices)",
                    name, face.yaw, face.pitch, face.roll, face.focal35mm, 100 * face.faceFraction,
                    face.floor?.displacementRMS ?? 0, face.floor?.vertexRMS ?? 0)
                if settings.score {
                    let score = try SynthScoring.scores(truth: truthMesh, floor: floorMesh, model: model)
                    scores.append(score)
                    line += String(
                        format: "; evaluate: floor %.3f mm, mean face %.3f mm", score.floor, score.meanFace)
                }
                log(line)
                faces.append(face)
            }
        }
        let truth = SynthTruth(
            seed: settings.seed, width: settings.width, height: settings.height,
            supersampling: settings.supersampling, photos: photos.map(\.name),
            albedos: albedos.map { [$0.photo, $0.face] }, faces: faces, scores: settings.score ? scores : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicWrite.write(try encoder.encode(truth), to: folder + "/truth.json")
        return truth
    }

    /// The truth projected onto the model, and its record.
    static func floor(
        _ truth: Mesh, displacement: HostTensor, _ projection: ModelProjection, model: FitModel
    ) throws -> (SynthFloor, Mesh) {
        let target = truth.positions.map { SIMD3<Double>($0) }
        let fit = try projection.project(target)
        let ks = model.model.shapeComponentCount
        let squares = zip(fit.vertices, target).map { ($0 - $1) * ($0 - $1) }.map { $0.sum() }
        let bumps = displacement.values.map { Double($0 * $0) }.reduce(0, +) / Double(target.count)
        let record = SynthFloor(
            shape: fit.coefficients[..<ks].map { Float($0) },
            expression: fit.coefficients[ks...].map { Float($0) },
            displacementRMS: Float(bumps.squareRoot()),
            vertexRMS: Float((squares.reduce(0, +) / Double(target.count)).squareRoot()))
        let mesh = try Mesh(
            model: model.model,
            vertices: HostTensor(
                [target.count, 3], fit.vertices.flatMap { [Float($0.x), Float($0.y), Float($0.z)] }))
        return (record, mesh)
    }
}

/// `evaluate`'s protocol run in-process against a synthetic truth (its landmarks the model's
/// landmark vertices, zero where it has none, as tools/synth_fidelity.sh writes them).
enum SynthScoring {
    static func scores(truth: Mesh, floor: Mesh, model: FitModel) throws -> SynthScores {
        let mean = try Mesh(
            model: model.model,
            vertices: HostTensor(
                [model.model.vertexCount, 3], ModelProjection.meanWithExpressionOffset(model.model)))
        return SynthScores(
            floor: try score(floor, truth: truth, model: model),
            meanFace: try score(mean, truth: truth, model: model))
    }

    /// `evaluate`'s symmetric mean point-to-plane distance (mm) of `reconstruction` (a mesh of the
    /// model's vertices) to `truth`.
    static func score(_ reconstruction: Mesh, truth: Mesh, model: FitModel) throws -> Double {
        let (scan, mesh) = (try SurfaceMesh(truth), try SurfaceMesh(reconstruction))
        let landmarks = (1...68).map { n in model.mapping.vertices[n].map { scan.positions[$0] } ?? .zero }
        let points = try ScanEvaluation.modelLandmarks(
            mesh, mapping: model.mapping, modelVertexCount: model.model.vertexCount)
        return try ScanEvaluation(
            reconstruction: mesh, landmarks: points, scan: scan, scanLandmarks: landmarks
        )
        .report.symmetric.meanPointToPlane
    }
}

/// Renders one drawn face and writes its files: the photo (degraded), the true points, the true mesh
/// and the floor (which it records in the face).
private struct SynthSceneWriter {
    let settings: SynthSettings
    let model: FitModel
    let photos: [SynthPhoto]
    let albedos: [SynthAlbedo]
    let layout: SynthLayout
    let projection: ModelProjection
    let jaw: [Int: Int]
    let renderer: SynthRenderer

    init(
        settings: SynthSettings, model: FitModel, photos: [SynthPhoto], albedos: [SynthAlbedo],
        device: any Backend
    ) throws {
        (self.settings, self.model, self.photos, self.albedos) = (settings, model, photos, albedos)
        layout = try SynthLayout(model, bumpRegion: settings.ranges.bumpRegion)
        projection = ModelProjection(model.model)
        jaw = SynthLandmarks.vertices(model)
        renderer = try SynthRenderer(
            model, width: settings.width, height: settings.height,
            textureSize: albedos[0].texture.shape[0], supersampling: settings.supersampling,
            device: device)
    }

    /// Writes `name`.jpg, .pts, .obj and .floor.obj; returns the true mesh and the floor's.
    func write(_ face: inout SynthFace, to name: String) throws -> (truth: Mesh, floor: Mesh) {
        let (w, h) = (settings.width * settings.supersampling, settings.height * settings.supersampling)
        let b = face.backgroundBox
        let background = FaceCrop.cropRGB(
            photos[face.background].image, box: FaceBox(x: b[0], y: b[1], width: b[2], height: b[3]),
            height: h, width: w)
        let displacement = SynthBump.displacement(face.bumps, mean: layout.mean, normals: layout.normals)
        let out = try renderer.render(
            face, displacement: displacement, texture: albedos[face.albedo].texture, background: background)
        let photo = face.capture.degrade(out.image.values, width: settings.width, height: settings.height)
        try JPEGFile.write(
            HostTensor(out.image.shape, photo), to: name + ".jpg", quality: face.capture.jpegQuality)
        try PTSFile.write(SynthLandmarks.points(jaw, screen: out.screen), to: name + ".pts")
        let truthMesh = try Mesh(model: model.model, vertices: out.vertices)
        try OBJFile.write(truthMesh, to: name + ".obj")
        let (floor, floorMesh) = try FaceSynth.floor(
            truthMesh, displacement: displacement, projection, model: model)
        face.floor = floor
        try OBJFile.write(floorMesh, to: name + ".floor.obj")
        return (truthMesh, floorMesh)
    }
}
