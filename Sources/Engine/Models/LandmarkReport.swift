// What the landmarker found in a photo, as JSON for `landmarks --json` and the fit's report:
// the models, the device, each face's box, score, calibrated box, 68 points and their spread.
import Foundation

public struct LandmarkReport: Codable {
    public struct Face: Codable {
        public let index: Int
        /// dlib's inclusive rectangle in photo pixels.
        public let box: [Double]
        public let score: Double
        /// A weak detection (`FaceLandmarker.isWeak`): the score is at or below `detection_threshold`.
        public let weak: Bool
        /// The box the landmark model ran on (the detector's box after calibration).
        public let landmarkBox: [Double]
        /// [68][2] 0-based pixel centres (add 1 for the .pts convention).
        public let points: [[Double]]
        /// [68] how far each point moves as the box shifts or the photo is mirrored, a fraction of the
        /// box's width (`LandmarkSpread`; the fit trusts the unsteady points less).
        public let spread: [Double]
    }

    public let photo: String
    /// Degrees the photo was turned clockwise before detection (`QuarterTurn`); width, height, boxes
    /// and points are the turned photo's.
    public let turn: Int
    public let width: Int, height: Int
    public let detector: String, landmarkModel: String, upsample: Int
    public let boxCalibration: BoxCalibration
    /// The detector's threshold: a face scoring at or below it is the best window of a photo where
    /// nothing passed (a weak detection).
    public let detectionThreshold: Double
    /// Wall-clock seconds of the detector (pyramid and network) and of the landmark model (all faces).
    public let detectionSeconds: Double, landmarkSeconds: Double
    /// With `--runs`: the landmark model's median time on the same faces in a tight loop (warm caches).
    public var landmarkLoopSeconds: Double?
    /// How many faces the detector found (`faces` may hold only the chosen one).
    public let facesFound: Int
    public let faces: [Face]

    /// `found` are the faces to list, out of `run`; `indices` their numbers (default 0, 1, …); `image`
    /// the photo as the landmarker saw it, turned by `turn`.
    public init(
        photo: String, image: Image, turn: QuarterTurn = .unturned, landmarker: FaceLandmarker,
        run: LandmarkerRun, faces found: [LandmarkedFace], indices: [Int]? = nil
    ) {
        func rect(_ d: DetectedFace) -> [Double] { [d.left, d.top, d.right, d.bottom] }
        (self.photo, self.turn) = (photo, turn.rawValue)
        (width, height) = (image.width, image.height)
        (detector, landmarkModel, upsample) = (
            landmarker.detector.name, landmarker.predictor.name, landmarker.upsample
        )
        boxCalibration = landmarker.calibration
        detectionThreshold = landmarker.detector.threshold
        (detectionSeconds, landmarkSeconds, facesFound) = (
            run.detectionSeconds, run.landmarkSeconds, run.faces.count
        )
        faces = found.enumerated().map { k, face in
            Face(
                index: indices?[k] ?? k, box: rect(face.detection), score: face.detection.score,
                weak: landmarker.isWeak(face), landmarkBox: rect(face.predictorBox),
                points: face.points.map { [Double($0.x), Double($0.y)] }, spread: face.spread.map(Double.init))
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
