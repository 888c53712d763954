// How far the shape predictor's landmarks move when its face box shifts a little or the photo is
// mirrored: per point, a measure of the predictor's uncertainty. It is small where the photo pins a
// point down (eye corners, a frontal nose) and large where the predictor guesses (the far side of a
// turned face, a jaw line against the background). The fit trusts such points less
// (`FitSettings.landmarkSpreadFactor`). The landmarker places every face's points here, the first of
// those predictions.
import Foundation

public struct LandmarkSpread {
    let photo: RGBImage8, mirroredPhoto: RGBImage8

    /// Ready to place landmarks in `photo`, mirrored once for all its faces.
    public init(_ photo: RGBImage8) {
        (self.photo, mirroredPhoto) = (photo, photo.mirrored())
    }

    /// The boxes the predictor runs in, as changes of the detection's box (fractions of its size,
    /// before the landmarker's calibration): as detected, moved 5% left, right, up and down, 8%
    /// larger and smaller. Each also runs on the mirrored photo: 14 predictions in all (about 40 ms).
    static let boxChanges: [(dx: Double, dy: Double, scale: Double)] = [
        (0, 0, 1), (0.05, 0, 1), (-0.05, 0, 1), (0, 0.05, 1), (0, -0.05, 1), (0, 0, 1.08), (0, 0, 0.92),
    ]

    /// The face's landmarks in the `detection` box as calibrated (`predictor`'s points, [68] for
    /// iBUG-68), and per point the root-mean-square distance of the 14 predictions from their mean, as
    /// a fraction of the box's width.
    public func landmarks(
        in detection: DetectedFace, calibration: BoxCalibration, predictor: any LandmarkPredictor
    ) throws -> (points: [SIMD2<Float>], spread: [Float]) {
        let last = Double(photo.width - 1)
        var predictions: [[SIMD2<Float>]] = []
        for change in Self.boxChanges {
            let box = calibration.apply(detection.changed(by: change))
            predictions.append(try predictor.predict(photo, face: box).map { SIMD2<Float>($0) })
            let mirroredBox = DetectedFace(
                left: last - box.right, top: box.top, right: last - box.left, bottom: box.bottom,
                score: box.score)
            let mirrored = try predictor.predict(mirroredPhoto, face: mirroredBox)
            guard mirrored.count == Self.iBUGMirror.count else {
                throw EngineError.invalidValue(
                    "the landmark spread needs iBUG's 68 points; the predictor gave \(mirrored.count)")
            }
            predictions.append(
                Self.iBUGMirror.map { SIMD2(Float(last - mirrored[$0].x), Float(mirrored[$0].y)) })
        }
        let count = Float(predictions.count)
        let width = Float(detection.width)
        let spread = predictions[0].indices.map { n in
            let mean = predictions.reduce(SIMD2<Float>.zero) { $0 + $1[n] } / count
            let variance =
                predictions.reduce(Float(0)) { sum, p in sum + ((p[n] - mean) * (p[n] - mean)).sum() } / count
            return variance.squareRoot() / width
        }
        return (predictions[0], spread)  // boxChanges[0] is the detection's own box, on the photo
    }

    /// The mean of a face's per-point spreads; nil for none (landmarks read from a file).
    public static func mean(_ spread: [Float]) -> Float? {
        spread.isEmpty ? nil : spread.reduce(0, +) / Float(spread.count)
    }

    /// iBUG point n + 1's mirror image is point iBUGMirror[n] + 1: the jaw, brows, nostrils, eyes and
    /// lips swap sides; the nose bridge and the points on the mouth's midline stay.
    static let iBUGMirror: [Int] = {
        var mirror = Array(0..<68)
        for n in 0..<17 { mirror[n] = 16 - n }
        for n in 17..<27 { mirror[n] = 43 - n }
        for n in 31..<36 { mirror[n] = 66 - n }
        let pairs = [
            (36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46), (48, 54), (49, 53), (50, 52),
            (55, 59), (56, 58), (60, 64), (61, 63), (65, 67),
        ]
        for (a, b) in pairs { (mirror[a], mirror[b]) = (b, a) }
        return mirror
    }()
}

extension DetectedFace {
    /// The box moved by dx widths and dy heights and scaled by `scale` about its centre (inclusive
    /// pixel corners as dlib's: no change gives the same box).
    func changed(by change: (dx: Double, dy: Double, scale: Double)) -> DetectedFace {
        let cx = (left + right) / 2 + change.dx * width
        let cy = (top + bottom) / 2 + change.dy * height
        let halfWidth = (change.scale * width - 1) / 2
        let halfHeight = (change.scale * height - 1) / 2
        return DetectedFace(
            left: cx - halfWidth, top: cy - halfHeight, right: cx + halfWidth, bottom: cy + halfHeight,
            score: score)
    }
}

extension RGBImage8 {
    /// The photo mirrored left to right.
    func mirrored() -> RGBImage8 {
        var samples = [UInt8](repeating: 0, count: self.samples.count)
        for y in 0..<height {
            for x in 0..<width {
                let from = (y * width + width - 1 - x) * 3
                let to = (y * width + x) * 3
                samples[to] = self.samples[from]
                samples[to + 1] = self.samples[from + 1]
                samples[to + 2] = self.samples[from + 2]
            }
        }
        return RGBImage8(width: width, height: height, samples: samples)
    }
}
