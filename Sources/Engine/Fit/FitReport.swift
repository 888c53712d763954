// report.json of a fit: how it ended, where it ran, the crop, per-stage losses and timings, landmark
// error and identity similarity before and after, the settings used and the provenance.
import Foundation

public struct FitReport: Codable {
    public struct Errors: Codable {
        /// Mean landmark error in photo pixels: the initial guess, after stage 1, after stage 2.
        public let initial, afterLandmarks, afterJoint: Float
    }

    public struct Identity: Codable {
        /// Cosine similarity of the photo's and the render's embeddings, start and end of stage 2.
        public let before, after: Float
        public let network: String
    }

    /// fitted, or diverged (see `divergence`: the outputs hold the last parameters with finite losses).
    public let status: FitStatus
    public let divergence: FitDivergence?
    public let photo: String
    /// The .pts file given, or nil when the landmarks were detected (see `landmarkDetection`).
    public let landmarksFile: String?
    /// The detector, landmark model and face the fit used when no .pts file was given.
    public let landmarkDetection: LandmarkReport?
    public let device: String
    /// The fitting crop in the photo: x, y, width, height (continuous pixels), and its side in pixels.
    public let cropBox: [Double]
    public let cropSize: Int
    /// The camera in photo pixels: focal length (and its 35 mm equivalent, and where it came from),
    /// principal point.
    public let camera: FitCamera
    public let landmarkErrorPixels: Errors
    public let identityCosine: Identity
    /// dlib's descriptor distance between the photo's face and the render (a network the fit does not
    /// optimise); nil when dlib's descriptor model is not installed.
    public let identityJudge: IdentityJudgement?
    public let stages: [StageReport]
    /// Wall-clock seconds of the whole fit (reading the model and the photo included).
    public let totalSeconds: Double
    public let settings: FitSettings
    /// The project's version and commit and each model file's SHA-256 (nil when not computed).
    public let provenance: FitProvenance?

    public init(_ result: FaceFitResult, photo: String, landmarksFile: String?, landmarkDetection: LandmarkReport? = nil,
                network: String, identityJudge: IdentityJudgement? = nil, settings: FitSettings,
                totalSeconds: Double, provenance: FitProvenance? = nil) {
        let scale = result.input.frame.scale, box = result.input.frame.box
        status = result.status
        divergence = result.divergence
        self.provenance = provenance
        self.photo = photo
        self.landmarksFile = landmarksFile
        self.landmarkDetection = landmarkDetection
        device = result.device
        cropBox = [box.x, box.y, box.width, box.height]
        cropSize = result.input.frame.size
        camera = result.camera
        landmarkErrorPixels = Errors(initial: result.landmarkStage.initialError / scale,
                                     afterLandmarks: result.landmarkStage.finalError / scale,
                                     afterJoint: result.jointStage.finalError / scale)
        self.identityJudge = identityJudge
        identityCosine = Identity(before: result.jointStage.initialCosine, after: result.jointStage.finalCosine, network: network)
        stages = [result.landmarkStage.report, result.jointStage.report]
        self.totalSeconds = totalSeconds
        self.settings = settings
    }

    /// Pretty-printed JSON with sorted keys, snake_case.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
