// A whole fit of one photo: the landmark stage, the texture model's start, the joint stage, and the
// fitted landmarks mapped back to the photo.
import Foundation

/// What a fit produced, with its input.
public struct FaceFitResult {
    public let input: FitInput
    public let camera: FitCamera
    public let landmarkStage: LandmarkFit
    public let jointStage: JointFit
    /// [68] fitted landmarks, 0-based photo pixel centres.
    public let landmarks: [SIMD2<Float>]
    /// [S, S, 3] the fitted shape in grey over the photo crop (see `ShapeOverlay`).
    public let shapeOverlay: HostTensor
    /// The textured fit seen from the front (a novel view).
    public let frontal: FrontalView
    public let device: String
    public var parameters: FaceParameters { jointStage.parameters }
}

public enum FaceFit {
    /// Fits `face` to `input` on `device`; `log` gets progress lines.
    public static func run(_ input: FitInput, face: FitModel, network: any IdentityNetwork, settings: FitSettings,
                           device: any Backend, log: (String) -> Void) throws -> FaceFitResult {
        guard input.frame.size == settings.size else {
            throw EngineError.shapeMismatch(op: "fit", expected: "an input cropped at settings.size \(settings.size)",
                                            got: "a crop of \(input.frame.size)")
        }
        let targets = input.cropLandmarks
        let camera = FitCamera(photo: input.photo, settings: settings)
        log(String(format: "camera: focal %.0f mm (35 mm equivalent, %@), principal point at the photo's centre",
                   camera.focal35mm, camera.focalSource))
        let start = FaceParameters.initial(face, input: input, camera: camera)
        let first = try LandmarkStage.run(face, targets: targets, from: start, settings: settings, device: device, log: log)
        log(String(format: "stage 1: mean landmark error %.2f → %.2f px (photo pixels) in %.1f s",
                   first.initialError / input.frame.scale, first.finalError / input.frame.scale, first.report.seconds))
        var textured = first.parameters
        let texture = try TextureModels.make(face, parameters: textured, photo: input.crop, settings: settings, device: device)
        textured.texture = texture.leaves
        var jointSettings = settings  // a diverged landmark stage ends the fit: stage 2 only evaluates
        if first.report.divergence != nil { jointSettings.jointIterations = 0 }
        let second = try JointStage.run(face, photo: input.crop, targets: targets, correspondences: first.correspondences,
                                        from: textured, texture: texture, network: network,
                                        settings: jointSettings,
                                        device: device, log: log)
        log(String(format: "stage 2: landmark error %.2f px, identity cosine %.3f → %.3f in %.1f s",
                   second.finalError / input.frame.scale, second.initialCosine, second.finalCosine, second.report.seconds))
        let overlay = try ShapeOverlay.render(face, vertices: second.vertices, parameters: second.parameters, photo: input.crop, device: device)
        return FaceFitResult(input: input, camera: camera, landmarkStage: first, jointStage: second,
                             landmarks: fittedLandmarks(face, screen: second.screen, targets: targets).map(input.frame.toPhoto),
                             shapeOverlay: overlay,
                             frontal: try FrontalView(face, vertices: second.vertices, texture: second.texture, device: device),
                             device: device.name)
    }

    /// All 68 landmarks of the fitted model in crop pixels: the stage's correspondences with both
    /// jaw-line sides (each contour landmark at the contour vertex projecting nearest to its
    /// target, as the fit pairs them); the unmapped inner mouth corners 61 and 65 from their
    /// neighbours (`LandmarkMapping.withInnerMouthCorners`).
    static func fittedLandmarks(_ face: FitModel, screen: [SIMD2<Float>], targets: [SIMD2<Float>]) -> [SIMD2<Float>] {
        let pairs = LandmarkCorrespondences(face, yawDegrees: 0, targets: targets, frontal: 90) { screen[$0] }
        return LandmarkMapping.withInnerMouthCorners(pairs.vertices.map { screen[Int($0)] })
    }
}
