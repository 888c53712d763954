// The fit's pinhole camera in photo terms: the principal point at the photo's centre, the focal
// length from a 35 mm-equivalent value (the user's, the photo's EXIF, or a portrait default);
// and the same camera in the fitting crop's pixels, where the fit works.

/// A pinhole camera of a whole photo (see `Graph.project` for the axes).
public struct FitCamera: Codable, Equatable, Sendable {
    /// The diagonal of the 35 mm frame (36 × 24 mm): equivalents are taken by the diagonal.
    public static let filmDiagonal: Float = 43.27

    /// Focal length in photo pixels, and its 35 mm equivalent (mm).
    public let focal: Float
    public let focal35mm: Float
    /// The principal point, continuous photo pixels (the photo's centre).
    public let principalPoint: SIMD2<Float>
    /// Where the focal length came from: "settings", "exif" or "default".
    public let focalSource: String

    /// The camera of a `width`×`height` photo with a 35 mm-equivalent focal length.
    public init(width: Int, height: Int, focal35mm: Float, focalSource: String) {
        let diagonal = Float(width * width + height * height).squareRoot()
        focal = focal35mm * diagonal / Self.filmDiagonal
        self.focal35mm = focal35mm
        principalPoint = SIMD2(Float(width), Float(height)) / 2
        self.focalSource = focalSource
    }

    /// The camera `settings` choose for `photo`: `settings.focal35mm` when set, else the photo's
    /// EXIF focal length, else `settings.defaultFocal35mm`.
    public init(photo: Image, settings: FitSettings) {
        let (focal, source): (Float, String) =
            if let chosen = settings.focal35mm { (chosen, "settings") }
            else if let exif = photo.focal35mm { (exif, "exif") }
            else { (settings.defaultFocal35mm, "default") }
        self.init(width: photo.width, height: photo.height, focal35mm: focal, focalSource: source)
    }

    /// The focal length (pixels) and principal point (continuous pixels) in `frame`'s crop.
    public func inCrop(_ frame: CropFrame) -> (focal: Float, principalPoint: SIMD2<Float>) {
        (focal * frame.scale, (principalPoint - SIMD2(Float(frame.box.x), Float(frame.box.y))) * frame.scale)
    }
}
