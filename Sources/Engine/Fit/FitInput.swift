// Preparation of a fit: the photo and its 68 landmarks read and checked, a square crop around
// the landmarks resampled to the fitting size, and the map between crop and photo pixels.
import Foundation

/// A square region of the photo and the fitting image it is resampled to.
///
/// Coordinates are continuous pixels (x right, y down, pixel (row i, column j) covering
/// [j, j + 1) × [i, i + 1)), the renderer's convention; `.pts` points are 0-based pixel
/// centres, which sit half a pixel further on.
public struct CropFrame: Equatable, Sendable {
    /// The square in the photo, continuous photo pixels.
    public let box: FaceBox
    /// The fitting image's side in pixels.
    public let size: Int

    /// Crop pixels per photo pixel.
    public var scale: Float { Float(Double(size) / box.width) }

    /// A photo point (0-based pixel centre) in continuous crop pixels.
    public func toCrop(_ point: SIMD2<Float>) -> SIMD2<Float> {
        (point + 0.5 - SIMD2(Float(box.x), Float(box.y))) * scale
    }

    /// A continuous crop point as a 0-based photo pixel centre (the inverse of `toCrop`).
    public func toPhoto(_ point: SIMD2<Float>) -> SIMD2<Float> {
        point / scale + SIMD2(Float(box.x), Float(box.y)) - 0.5
    }

    /// The square around `points` (0-based pixel centres): centred on their bounding box, its side
    /// (1 + 2·margin) times the box's longer side.
    public static func around(_ points: [SIMD2<Float>], margin: Float, size: Int) -> CropFrame {
        let low = points.reduce(points[0]) { pointwiseMin($0, $1) } + 0.5
        let high = points.reduce(points[0]) { pointwiseMax($0, $1) } + 0.5
        let centre = (low + high) / 2, side = (high - low).max() * (1 + 2 * margin)
        return CropFrame(box: FaceBox(x: Double(centre.x - side / 2), y: Double(centre.y - side / 2),
                                      width: Double(side), height: Double(side)), size: size)
    }
}

/// The photo, its landmarks and the fitting crop of both.
public struct FitInput {
    /// iBUG-68: the fit needs exactly this many landmarks.
    public static let landmarkCount = 68

    /// The whole photo, [H, W, C].
    public let photo: Image
    /// [68] 0-based pixel centres in the photo; landmarks[n − 1] is iBUG point n.
    public let landmarks: [SIMD2<Float>]
    /// [68] the detector's `LandmarkSpread` of each landmark when they were detected (the fit trusts
    /// the unsteady ones less); nil for landmarks read from a file.
    public var landmarkSpread: [Float]?
    /// The mean of `landmarkSpread` (nil without one).
    public var meanLandmarkSpread: Float? {
        landmarkSpread.flatMap(LandmarkSpread.mean)
    }
    /// Where stage 1 starts instead of its first guess from the landmarks (`fit --start`); nil: the guess.
    public var start: FitStart?
    public let frame: CropFrame
    /// The crop, [S, S, 3] RGB in [0, 1] (area-averaged).
    public let crop: HostTensor
    /// [68] landmarks in continuous crop pixels (the renderer's coordinates).
    public var cropLandmarks: [SIMD2<Float>] { landmarks.map(frame.toCrop) }

    /// The crop of `photo` around `landmarks` (see `CropFrame.around`) at `size`×`size`.
    public init(photo: Image, landmarks: [SIMD2<Float>], size: Int, margin: Float = 0.25, source: String = "landmarks") throws {
        guard landmarks.count == Self.landmarkCount else {
            throw EngineError.badFile(path: source, problem: "has \(landmarks.count) points; the fit needs the \(Self.landmarkCount) "
                                      + "iBUG-68 landmarks (300-W .pts layout, point n = iBUG n)")
        }
        guard (16...FitInput.maximumSize).contains(size) else {
            throw EngineError.invalidValue("the fitting size must be 16 to \(FitInput.maximumSize) pixels, got \(size)")
        }
        let xs = landmarks.map(\.x), ys = landmarks.map(\.y)
        guard landmarks.allSatisfy({ $0.x.isFinite && $0.y.isFinite }),
              xs.max()! - xs.min()! >= 4 || ys.max()! - ys.min()! >= 4 else {
            throw EngineError.badFile(path: source, problem: "its landmarks span less than 4 pixels (or are not finite numbers); "
                                      + "they should outline the face in the photo")
        }
        frame = CropFrame.around(landmarks, margin: margin, size: size)
        let box = frame.box
        guard box.x < Double(photo.width), box.y < Double(photo.height), box.x + box.width > 0, box.y + box.height > 0,
              box.width <= 4 * Double(Swift.max(photo.width, photo.height)) else {
            throw EngineError.badFile(path: source, problem: String(
                format: "its landmarks (x %.0f…%.0f, y %.0f…%.0f) do not outline a face inside the %d×%d photo; "
                    + "check that the .pts file belongs to this photo", xs.min()!, xs.max()!, ys.min()!, ys.max()!,
                photo.width, photo.height))
        }
        self.photo = photo
        self.landmarks = landmarks
        crop = FaceCrop.cropRGB(photo, box: frame.box, height: size, width: size)
    }

    /// The largest fitting size accepted (a 2048² crop already needs gigabytes in the joint stage).
    public static let maximumSize = 2048

    /// Reads the photo (PNG or JPEG) and its `.pts` landmarks; errors name the file and what to give.
    public static func read(photo: String, landmarks: String, size: Int, margin: Float = 0.25) throws -> FitInput {
        let image = try Image.read(photo)
        return try FitInput(photo: image, landmarks: try PTSFile.read(landmarks), size: size, margin: margin, source: landmarks)
    }
}
