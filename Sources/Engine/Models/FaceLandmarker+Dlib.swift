// The landmarker built from dlib's models: the MMOD CNN detector on the engine and the 68-point
// shape predictor, each found through ModelFiles' search order unless a file is named.

extension FaceLandmarker {
    /// The shape predictor's file inside a models folder.
    public static let dlibLandmarkModel = "dlib/shape_predictor_68_face_landmarks.dat"

    /// dlib's detector (run on `device`) and 68-point predictor, from the given files or the model folders.
    public static func dlib(
        detectorModel: String? = nil, landmarkModel: String? = nil, device: any Backend,
        upsample: Int = 0, calibration: BoxCalibration = .mmodToHOG
    ) throws -> FaceLandmarker {
        let detector = try MMODDetector(
            path: try MMODDetector.locate(explicit: detectorModel), device: device)
        let path = try ModelFiles.locate(
            dlibLandmarkModel, what: "dlib's 68-point shape predictor",
            explicit: landmarkModel, flag: "--landmark-model")
        let predictor = try ShapePredictor(path: path)
        guard predictor.partCount == 68 else {
            throw EngineError.badFile(
                path: path,
                problem: "predicts \(predictor.partCount) points; the fit needs the "
                    + "68 iBUG landmarks (shape_predictor_68_face_landmarks.dat)")
        }
        return FaceLandmarker(
            detector: detector, predictor: DlibShapePredictor(predictor, path: path),
            calibration: calibration, upsample: upsample)
    }
}

/// dlib's shape predictor with the file it was read from, as a LandmarkPredictor.
struct DlibShapePredictor: LandmarkPredictor {
    let predictor: ShapePredictor
    let name: String

    init(_ predictor: ShapePredictor, path: String) {
        self.predictor = predictor
        name = "dlib 68-point shape predictor (\(path))"
    }

    func predict(_ photo: RGBImage8, face: DetectedFace) -> [SIMD2<Double>] {
        predictor.predict(photo, face: face)
    }
}

extension BoxCalibration {
    /// MMOD boxes mapped towards the HOG boxes dlib's 68-point model was trained on: the median over
    /// 52 MMOD/HOG box pairs on the bundled photo, the public-domain portraits and the group photo
    /// t1.jpg and variants of them (tools/box_calibration.py). The default: it lowered the NME on synthetic
    /// faces with true points in every yaw bin (see the README).
    public static let mmodToHOG = BoxCalibration(dx: 0.0562, dy: 0.0674, scale: 0.917)
}
