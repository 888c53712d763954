// report.json of a fit: how it ended, where it ran, each photo's crop, camera and landmark errors,
// per-stage losses and timings, identity similarity before and after, the settings used and the
// provenance.
import Foundation

public struct FitReport: Codable {
    public struct Errors: Codable {
        /// Mean landmark error in photo pixels: the initial guess, after stage 1, after stage 2.
        public let initial, afterLandmarks, afterJoint: Float
    }

    public struct Identity: Codable {
        /// Cosine similarity of the photo's and the render's embeddings (the mean over the photos),
        /// start and end of stage 2.
        public let before, after: Float
        public let network: String
    }

    /// One photo of the fit.
    public struct Photo: Codable {
        public let photo: String
        /// The .pts file given, or nil when the landmarks were detected (see `landmarkDetection`).
        public let landmarksFile: String?
        /// The detector, landmark model and face the fit used when no .pts file was given.
        public let landmarkDetection: LandmarkReport?
        /// The parameters.json stage 1 started from (`fit --start`), or nil for the landmarks' first guess.
        public let start: String?
        /// The fitting crop in the photo: x, y, width, height (continuous pixels), and its side in pixels.
        public let cropBox: [Double]
        public let cropSize: Int
        /// The camera in photo pixels: focal length (and its 35 mm equivalent, and where it came from),
        /// principal point.
        public let camera: FitCamera
        public let landmarkErrorPixels: Errors
    }

    /// Where each photo came from: its path, and its landmarks' .pts file or detection.
    public struct Source {
        public let photo: String
        public let landmarksFile: String?
        public let landmarkDetection: LandmarkReport?

        public init(photo: String, landmarksFile: String?, landmarkDetection: LandmarkReport? = nil) {
            (self.photo, self.landmarksFile, self.landmarkDetection) = (
                photo, landmarksFile, landmarkDetection
            )
        }
    }

    /// fitted, or diverged (see `divergence`: the outputs hold the last parameters with finite losses).
    public let status: FitStatus
    public let divergence: FitDivergence?
    /// The photos, in the order given (one shape and texture for all; the outputs without a number
    /// are the first photo's).
    public let photos: [Photo]
    public let device: String
    public let identityCosine: Identity
    /// dlib's descriptor distance between the first photo's face and the render (a network the fit does
    /// not optimise); nil when dlib's descriptor model is not installed.
    public let identityJudge: IdentityJudgement?
    public let stages: [StageReport]
    /// Whether stage 2 kept stage 1's shape and expressions (the detector unsure of its points; see
    /// `FitSettings.holdShapeAboveSpread`).
    public let shapeHeld: Bool
    /// Wall-clock seconds of the whole fit (reading the model and the photo included).
    public let totalSeconds: Double
    public let settings: FitSettings
    /// The project's version and commit and each model file's SHA-256 (nil when not computed).
    public let provenance: FitProvenance?

    public init(
        _ result: FaceFitResult, sources: [Source], network: String, identityJudge: IdentityJudgement? = nil,
        settings: FitSettings, totalSeconds: Double, provenance: FitProvenance? = nil
    ) {
        status = result.status
        divergence = result.divergence
        self.provenance = provenance
        photos = zip(sources, result.inputs).enumerated().map { k, pair in
            let (source, input) = pair
            let scale = input.frame.scale
            let box = input.frame.box
            return Photo(
                photo: source.photo, landmarksFile: source.landmarksFile,
                landmarkDetection: source.landmarkDetection, start: input.start?.source,
                cropBox: [box.x, box.y, box.width, box.height], cropSize: input.frame.size,
                camera: result.cameras[k],
                landmarkErrorPixels: Errors(
                    initial: result.landmarkStage.initialErrors[k] / scale,
                    afterLandmarks: result.landmarkStage.finalErrors[k] / scale,
                    afterJoint: result.jointStage.finalErrors[k] / scale))
        }
        device = result.device
        self.identityJudge = identityJudge
        identityCosine = Identity(
            before: result.jointStage.initialCosine, after: result.jointStage.finalCosine, network: network)
        stages = result.stages
        shapeHeld = result.shapeHeld
        self.totalSeconds = totalSeconds
        self.settings = settings
    }

    /// Pretty-printed JSON with sorted keys, snake_case.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
