// What every face detector gives and takes: DetectedFace boxes in photo pixels with a score, from an 8-bit RGB
// photo as dlib sees it. Detectors (dlib's MMOD CNN, dlib's HOG) conform to FaceDetector.

/// A detected face: dlib's rectangle convention (left/top/right/bottom inclusive pixel indices,
/// width = right − left + 1), in the photo's pixels, with the detector's score.
public struct DetectedFace: Equatable, Codable {
    public var left: Double, top: Double, right: Double, bottom: Double
    /// The detector's confidence (MMOD: the window's network output; HOG: the SVM score).
    public var score: Double

    public init(left: Double, top: Double, right: Double, bottom: Double, score: Double) {
        (self.left, self.top, self.right, self.bottom, self.score) = (left, top, right, bottom, score)
    }

    /// The continuous box the rectangle's pixels cover, [left, right + 1) × [top, bottom + 1).
    public var box: FaceBox { FaceBox(x: left, y: top, width: width, height: height) }

    public var width: Double { right - left + 1 }
    public var height: Double { bottom - top + 1 }
    public var area: Double { width * height }

    /// Intersection over union with dlib's inclusive-pixel areas.
    public func iou(_ other: DetectedFace) -> Double {
        let w = Swift.min(right, other.right) - Swift.max(left, other.left) + 1
        let h = Swift.min(bottom, other.bottom) - Swift.max(top, other.top) + 1
        guard w > 0, h > 0 else { return 0 }
        return w * h / (area + other.area - w * h)
    }
}

public protocol FaceDetector {
    /// "dlib MMOD CNN (mmod_human_face_detector.dat)", for reports.
    var name: String { get }
    /// A face scoring at or below this is a weak detection: the best window in a photo where
    /// nothing scored above it.
    var threshold: Double { get }
    /// The faces in `photo`, largest first; `upsample` doubles the photo that many times first
    /// (finds faces half as small each time, as dlib's upsample_num_times).
    func detect(_ photo: RGBImage8, upsample: Int) throws -> [DetectedFace]
}

/// An 8-bit RGB photo as dlib holds it: rows top to bottom, interleaved R, G, B.
public struct RGBImage8 {
    public let width: Int, height: Int
    /// width · height · 3 samples.
    public let samples: [UInt8]

    public init(width: Int, height: Int, samples: [UInt8]) {
        precondition(
            samples.count == width * height * 3,
            "RGBImage8: \(samples.count) samples for \(width)×\(height)×3")
        (self.width, self.height, self.samples) = (width, height, samples)
    }

    /// A decoded image as dlib's load_image would give it: grey replicated to RGB, alpha dropped,
    /// 16-bit samples reduced to 8 bits.
    public init(_ image: Image) {
        let c = image.channels
        let v = image.pixels.values
        var samples = [UInt8](repeating: 0, count: image.width * image.height * 3)
        for p in 0..<image.width * image.height {
            for k in 0..<3 {
                let value = v[p * c + (c >= 3 ? k : 0)]
                samples[p * 3 + k] = UInt8(max(0, min(255, (value * 255).rounded())))
            }
        }
        self.init(width: image.width, height: image.height, samples: samples)
    }

    /// Grey level of a pixel as dlib's get_pixel_intensity for rgb_pixel: (r + g + b) / 3, truncated.
    @inline(__always)
    public func intensity(x: Int, y: Int) -> UInt8 {
        let i = (y * width + x) * 3
        return UInt8((Int(samples[i]) + Int(samples[i + 1]) + Int(samples[i + 2])) / 3)
    }
}
