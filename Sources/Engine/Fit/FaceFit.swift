// A whole fit of one photo, or of several photos of one person: the landmark stage, the texture
// model's start, the joint stage, and the fitted landmarks mapped back to each photo.
import Foundation

/// What a fit produced, with its inputs; per photo where it is a list, in the inputs' order.
public struct FaceFitResult {
    public let inputs: [FitInput]
    public let cameras: [FitCamera]
    public let landmarkStage: LandmarkFit
    /// Whether the joint stage kept the landmark stage's shape and expressions (see
    /// `FitSettings.holdShapeAboveSpread`).
    public let shapeHeld: Bool
    public let jointStage: JointFit
    /// The free texture's detail pass (nil when it did not run: another texture model, no joint
    /// iterations, `textureDetailIterations` 0, or a diverged stage).
    public let textureStage: TextureFit?
    /// [68] fitted landmarks, 0-based photo pixel centres.
    public let landmarks: [[SIMD2<Float>]]
    /// [S, S, 3] the fitted shape in grey over the photo crop (see `ShapeOverlay`).
    public let shapeOverlays: [HostTensor]
    /// The textured fit (the first photo's expression) seen from the front (a novel view).
    public let frontal: FrontalView
    public let device: String
    /// Each photo's fitted values (the shape and texture are every photo's), the UV map and the
    /// renders over the photo crops: the texture stage's where it ran, else the joint stage's.
    public var fitted: [FaceParameters] { textureStage?.parameters ?? jointStage.parameters }
    public var texture: HostTensor { textureStage?.texture ?? jointStage.texture }
    public var renders: [HostTensor] { textureStage?.renders ?? jointStage.renders }
    /// The first photo's fitted values.
    public var parameters: FaceParameters { fitted[0] }
    /// The stages' reports, in the order they ran.
    public var stages: [StageReport] {
        [landmarkStage.report, jointStage.report] + (textureStage.map { [$0.report] } ?? [])
    }
}

public enum FaceFit {
    /// Fits `face` to `inputs` (one photo, or several of one person: one shape and texture, each
    /// photo its own expression, pose, camera and light) on `device`; `log` gets progress lines.
    public static func run(
        _ inputs: [FitInput], face: FitModel, network: any IdentityNetwork, settings: FitSettings,
        device: any Backend, log: (String) -> Void
    ) throws -> FaceFitResult {
        guard !inputs.isEmpty else { throw EngineError.invalidValue("a fit needs at least one photo") }
        for input in inputs where input.frame.size != settings.size {
            throw EngineError.shapeMismatch(
                op: "fit", expected: "an input cropped at settings.size \(settings.size)",
                got: "a crop of \(input.frame.size)")
        }
        try face.check(settings)
        let targets = inputs.map(\.cropLandmarks)
        let cameras = inputs.map { FitCamera(photo: $0.photo, settings: settings) }
        for (k, camera) in cameras.enumerated() {
            log(
                String(
                    format:
                        "camera%@: focal %.0f mm (35 mm equivalent, %@), principal point at the photo's centre",
                    inputs.count > 1 ? " of photo \(k + 1)" : "", camera.focal35mm, camera.focalSource))
        }
        let starts = try zip(inputs, cameras).map { input, camera in
            let guess = FaceParameters.initial(face, input: input, camera: camera)
            guard let start = input.start else { return guess }
            log("stage 1 starts from \(start.source)")
            return try start.applied(to: guess)
        }
        let first = try LandmarkStage.run(
            face, targets: targets,
            reliabilities: inputs.map { settings.landmarkReliability(spread: $0.landmarkSpread) },
            from: starts, settings: settings, device: device, log: log)
        log(
            String(
                format: "stage 1: mean landmark error %@ px (photo pixels) in %.1f s",
                pixels(first.initialErrors, inputs) + " → " + pixels(first.finalErrors, inputs),
                first.report.seconds) + first.report.launchesText)
        var textured = first.parameters
        let texture = try TextureModels.make(
            face, parameters: textured, photos: inputs.map(\.crop), settings: settings,
            device: device)
        for view in textured.indices { textured[view].texture = texture.leaves }
        var jointSettings = settings  // a diverged landmark stage ends the fit: stage 2 only evaluates
        if first.report.divergence != nil { jointSettings.jointIterations = 0 }
        let meanSpreads = inputs.map(\.meanLandmarkSpread)
        let shapeHeld = settings.holdsShape(meanSpreads: meanSpreads)
        if shapeHeld {
            (jointSettings.jointRates.shape, jointSettings.jointRates.expression) = (0, 0)
            let spreads = meanSpreads.compactMap { $0.map { String(format: "%.1f%%", 100 * $0) } }
            log(
                "the detector is unsure of its points (mean spread \(spreads.joined(separator: "/")) of its "
                    + String(format: "box, above %.1f%%", 100 * (settings.holdShapeAboveSpread ?? 0))
                    + "): stage 2 keeps stage 1's shape and expressions, as its pose is likely wrong")
        }
        let second = try JointStage.run(
            face, photos: inputs.map(\.crop), targets: targets, correspondences: first.correspondences,
            from: textured, texture: texture, network: network, settings: jointSettings,
            device: device, log: log)
        log(
            String(
                format: "stage 2: landmark error %@ px, identity cosine %.3f → %.3f in %.1f s",
                pixels(second.finalErrors, inputs), second.initialCosine, second.finalCosine,
                second.report.seconds) + second.report.launchesText)
        if let parts = second.report.partsText { log("stage 2's time by part: " + parts) }
        var detail: TextureFit?
        if let free = texture as? FreeTexture, jointSettings.jointIterations > 0,
            settings.textureDetailIterations > 0, second.report.divergence == nil
        {
            let third = try TextureStage.run(
                face, photos: inputs.map(\.crop), joint: second, texture: free, settings: settings,
                device: device, log: log)
            log(String(format: "stage 3: the texture's detail in %.1f s", third.report.seconds))
            detail = third
        }
        let overlays = try inputs.indices.map {
            try ShapeOverlay.render(
                face, vertices: second.vertices[$0], parameters: second.parameters[$0],
                photo: inputs[$0].crop,
                device: device)
        }
        return FaceFitResult(
            inputs: inputs, cameras: cameras, landmarkStage: first, shapeHeld: shapeHeld, jointStage: second,
            textureStage: detail,
            landmarks: inputs.indices.map {
                fittedLandmarks(face, screen: second.screens[$0], targets: targets[$0]).map(
                    inputs[$0].frame.toPhoto)
            },
            shapeOverlays: overlays,
            frontal: try FrontalView(
                face, vertices: second.vertices[0], texture: detail?.texture ?? second.texture, device: device
            ),
            device: device.name)
    }

    /// Crop-pixel errors in photo pixels, "/"-separated for several photos.
    private static func pixels(_ errors: [Float], _ inputs: [FitInput]) -> String {
        zip(errors, inputs).map { String(format: "%.2f", $0 / $1.frame.scale) }.joined(separator: "/")
    }

    /// All 68 landmarks of the fitted model in crop pixels: the stage's correspondences with both
    /// jaw-line sides (each contour landmark at the contour vertex projecting nearest to its
    /// target, as the fit pairs them); the unmapped inner mouth corners 61 and 65 from their
    /// neighbours (`LandmarkMapping.withInnerMouthCorners`).
    static func fittedLandmarks(_ face: FitModel, screen: [SIMD2<Float>], targets: [SIMD2<Float>]) -> [SIMD2<
        Float
    >] {
        let pairs = LandmarkCorrespondences(face, yawDegrees: 0, targets: targets, frontal: 90) { screen[$0] }
        return LandmarkMapping.withInnerMouthCorners(pairs.vertices.map { screen[Int($0)] })
    }
}
