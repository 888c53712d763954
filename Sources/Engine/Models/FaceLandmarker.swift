// Photo in, landmarks out: a face detector's boxes, each mapped to the box the landmark model
// was trained on, and the 68 iBUG points predicted inside it; faces numbered largest first.
import Foundation

/// Predicts a face's 68 iBUG points inside its box (dlib's shape predictor).
public protocol LandmarkPredictor {
    /// "dlib 68-point shape predictor (shape_predictor_68_face_landmarks.dat)", for reports.
    var name: String { get }
    /// The points in iBUG order, 0-based pixel centres of `photo` (the .pts convention in memory).
    func predict(_ photo: RGBImage8, face: DetectedFace) throws -> [SIMD2<Double>]
}

/// A face found in a photo: the detector's box and score, the box the predictor ran on, its points.
public struct LandmarkedFace {
    public let detection: DetectedFace
    /// `detection` mapped by the landmarker's box calibration (the same box when there is none).
    public let predictorBox: DetectedFace
    /// [68] 0-based pixel centres; points[n − 1] is iBUG point n.
    public let points: [SIMD2<Float>]
    /// [68] how far each point moves as the box shifts or the photo is mirrored (`LandmarkSpread`), a
    /// fraction of the detection's width.
    public let spread: [Float]
}

/// What one run of the landmarker found, and where its time went.
public struct LandmarkerRun {
    /// Largest detection first.
    public let faces: [LandmarkedFace]
    public let detectionSeconds: Double, landmarkSeconds: Double
}

/// A similarity from one detector's boxes to those a landmark model was trained on: the centre
/// moves by (dx, dy) box sizes and the size scales by `scale` (fitted by tools/box_calibration.py);
/// the result is rounded to whole pixels, a dlib rectangle, as the tool measured it.
public struct BoxCalibration: Equatable, Codable {
    public var dx: Double, dy: Double, scale: Double

    public static let identity = BoxCalibration(dx: 0, dy: 0, scale: 1)

    public func apply(_ face: DetectedFace) -> DetectedFace {
        let size = (face.width + face.height) / 2
        let cx = (face.left + face.right) / 2 + dx * size
        let cy = (face.top + face.bottom) / 2 + dy * size
        let half = (scale * size - 1) / 2
        return DetectedFace(
            left: (cx - half).rounded(), top: (cy - half).rounded(), right: (cx + half).rounded(),
            bottom: (cy + half).rounded(), score: face.score)
    }
}

public struct FaceLandmarker {
    public let detector: any FaceDetector
    public let predictor: any LandmarkPredictor
    public var calibration: BoxCalibration
    /// How many times the photo is doubled before detection (dlib's upsample_num_times).
    public var upsample: Int

    public init(
        detector: any FaceDetector, predictor: any LandmarkPredictor, calibration: BoxCalibration = .identity,
        upsample: Int = 0
    ) {
        (self.detector, self.predictor, self.calibration, self.upsample) = (
            detector, predictor, calibration, upsample
        )
    }

    /// Every face in `photo`, largest detection first, and the seconds spent detecting and placing landmarks.
    public func faces(in photo: RGBImage8) throws -> LandmarkerRun {
        let started = Date()
        let detections = try detector.detect(photo, upsample: upsample).sorted { $0.area > $1.area }
        let detected = Date()
        let placing = LandmarkSpread(photo)  // the mirrored photo, once for all faces
        let faces = try detections.map { face in
            let (points, spread) = try placing.landmarks(
                in: face, calibration: calibration, predictor: predictor)
            return LandmarkedFace(
                detection: face, predictorBox: calibration.apply(face), points: points, spread: spread)
        }
        return LandmarkerRun(
            faces: faces, detectionSeconds: detected.timeIntervalSince(started),
            landmarkSeconds: Date().timeIntervalSince(detected))
    }

    /// The median wall time of placing the landmarks of `faces` again, `repeats` times in a row (warm
    /// caches, as a benchmark loop times a peer).
    public func landmarkSeconds(_ photo: RGBImage8, faces: [LandmarkedFace], repeats: Int) throws -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let started = Date()
            for face in faces { _ = try predictor.predict(photo, face: face.predictorBox) }
            times.append(Date().timeIntervalSince(started))
        }
        return times.sorted()[times.count / 2]
    }

    /// Face `index` of `found` (0 = the largest), or a clear error when there are not that many.
    public func face(_ index: Int, among found: [LandmarkedFace], source: String) throws -> LandmarkedFace {
        guard !found.isEmpty else { throw noFace(source) }
        guard found.indices.contains(index) else {
            throw EngineError.invalidValue(
                "\(source): --face \(index) asked for, but only \(found.count) face"
                    + (found.count == 1 ? " was" : "s were")
                    + " found (numbered 0 to \(found.count - 1), largest first)")
        }
        return found[index]
    }

    /// Whether `face` is a weak detection (see `FaceDetector.threshold`): likely a face turned far
    /// from the camera, or no face at all.
    public func isWeak(_ face: LandmarkedFace) -> Bool { face.detection.score <= detector.threshold }

    /// A warning for a weak detection, what to check and what to do instead; nil for a detection.
    public func weakWarning(_ face: LandmarkedFace, source: String) -> String? {
        guard isWeak(face) else { return nil }
        return String(
            format: "%@: warning: a weak detection (score %.3f, at or below the detector's threshold "
                + "%.1f: the best window in a photo where no face passed it; a face turned far from the "
                + "camera, one under about %d pixels (try --upsample %d), or none): check the landmarks' "
                + "overlay, or give the face's 68 landmarks as --landmarks FILE.pts",
            source, face.detection.score, detector.threshold, smallestFace, upsample + 1)
    }

    /// About the smallest face the detector sees at this upsampling, in photo pixels (its 80-pixel
    /// window, halved by each doubling of the photo).
    var smallestFace: Int { 80 >> upsample }

    /// The error for a photo in which the detector found no face: what to try.
    public func noFace(_ source: String) -> EngineError {
        let upsampled = upsample == 0 ? "not upsampled" : "upsampled \(upsample)×"
        return .invalidValue(
            "\(source): no face found by \(detector.name) (photo \(upsampled)); faces smaller than "
                + "about \(smallestFace) pixels are found with --upsample \(upsample + 1); fit and embed also take a "
                + "face's 68 landmarks as --landmarks FILE.pts")
    }
}
