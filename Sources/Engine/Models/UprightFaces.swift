// A photo whose face is not upright (a scan, or a phone photo that lost its EXIF orientation)
// turned by whole quarters until the face stands up, judged by the detector and the landmarks'
// spread. dlib's detector finds faces lying on their side or upside down too (with scores up to
// 1.1), but its landmarks on them are unsteady, so the spread decides where the scores do not.
import Foundation

/// A clockwise turn of a photo by whole quarters.
public enum QuarterTurn: Int, CaseIterable, Codable, Sendable {
    case unturned = 0, quarter = 90, half = 180, threeQuarters = 270

    /// `image` turned (the 35 mm-equivalent focal length stays: turning does not change the field of view).
    public func apply(to image: Image) -> Image {
        let orientation: EXIFOrientation
        switch self {
        case .unturned: return image
        case .quarter: orientation = .rotatedClockwise
        case .half: orientation = .rotated180
        case .threeQuarters: orientation = .rotatedCounterClockwise
        }
        var turned = Image(pixels: orientation.apply(to: image.pixels), bitDepth: image.bitDepth)
        turned.focal35mm = image.focal35mm
        return turned
    }
}

/// The photo as the landmarker saw it: turned by `turn`, and what it found there.
public struct UprightRun {
    public let turn: QuarterTurn
    public let image: Image
    public let run: LandmarkerRun
}

extension FaceLandmarker {
    /// A largest face this sure stands upright, and the photo's other turns are not tried: a detection
    /// scoring at least `sureScore` whose points' mean spread is at most `sureSpread` (a fraction of
    /// the box). Upright real portraits spread 0.3–2.1%; the astronaut fixture lying on its side scores
    /// 0.96 at 2.7%, so 1.5% leaves a margin.
    static let sureScore = 0.9, sureSpread = 0.015
    /// How much a turn's largest face's mean spread counts against its score when turns are compared.
    static let spreadPenalty = 10.0
    /// The longer side, in pixels, at which a photo's turns are compared (see `uprightFaces`).
    public static let judgedSide = 1280

    /// `image`'s faces, with the photo turned so that its largest face stands upright: as it is when
    /// that face is sure there, else the turn whose largest face scores best as detection score − 10 ×
    /// mean spread (weak detections never win; with none anywhere, the photo stays as it is). Chosen on
    /// 30 synthetic faces (`synth --seed 7`) and 4 real photos (the bundled one and the dlib fixtures'),
    /// each in its 4 turns: all 136 stood upright. Checked on 30 more (`synth --seed 2024`): every face
    /// the detector finds upright (28) is stood upright from each of its 4 turns, none is turned wrongly.
    /// Only photos whose face is not sure upright pay for the other turns' detections. Those are judged
    /// with the photo reduced to `judgedSide` pixels on its longer side (the sizes the rule was chosen
    /// at; a face under about 80 px there is judged as read), and the chosen turn then runs at full
    /// size. With `fixed`, the photo is turned by it and nothing is judged.
    public func uprightFaces(
        in image: Image, fixed: QuarterTurn? = nil, judgedSide: Int = FaceLandmarker.judgedSide
    ) throws -> UprightRun {
        if let fixed {
            let turned = fixed.apply(to: image)
            return UprightRun(turn: fixed, image: turned, run: try faces(in: RGBImage8(turned)))
        }
        let asRead = try faces(in: RGBImage8(image))
        if let face = asRead.faces.first, isSure(face) {
            return UprightRun(turn: .unturned, image: image, run: asRead)
        }
        let scale = Double(judgedSide) / Double(max(image.width, image.height))
        let reduced = scale < 1
        let judged =
            reduced
            ? Image(
                pixels: FaceCrop.cropRGB(
                    image, height: Int((Double(image.height) * scale).rounded()),
                    width: Int((Double(image.width) * scale).rounded())), bitDepth: 8)
            : image
        let judgedRuns = try QuarterTurn.allCases.map { turn in
            let reused = turn == .unturned && !reduced
            return (turn: turn, run: reused ? asRead : try faces(in: RGBImage8(turn.apply(to: judged))))
        }
        let best =
            judgedRuns.filter { $0.run.faces.first.map { !isWeak($0) } ?? false }
            .max { uprightness($0.run.faces[0]) < uprightness($1.run.faces[0]) } ?? judgedRuns[0]
        let turned = best.turn.apply(to: image)
        let rerun = reduced && best.turn != .unturned  // the chosen turn at full size
        let chosen = best.turn == .unturned ? asRead : rerun ? try faces(in: RGBImage8(turned)) : best.run
        let runs = (reduced ? [asRead] : []) + judgedRuns.map(\.run) + (rerun ? [chosen] : [])
        let timed = LandmarkerRun(
            faces: chosen.faces, detectionSeconds: runs.map(\.detectionSeconds).reduce(0, +),
            landmarkSeconds: runs.map(\.landmarkSeconds).reduce(0, +))
        return UprightRun(turn: best.turn, image: turned, run: timed)
    }

    /// Whether `face` stands upright for sure (see `sureScore`).
    func isSure(_ face: LandmarkedFace) -> Bool {
        !isWeak(face) && face.detection.score >= Self.sureScore && face.meanSpread <= Float(Self.sureSpread)
    }

    /// How upright `face` looks: its detection score less `spreadPenalty` × its points' mean spread.
    func uprightness(_ face: LandmarkedFace) -> Double {
        face.detection.score - Self.spreadPenalty * Double(face.meanSpread)
    }
}

extension LandmarkedFace {
    /// The points' mean spread, a fraction of the box's width.
    public var meanSpread: Float { LandmarkSpread.mean(spread) ?? 0 }
}
