// JPEG files (libjpeg through CImageCodecs): read to an upright Image (EXIF orientation
// applied), write 8-bit grey or RGB.
import CImageCodecs

public enum JPEGFile {
    /// Reads a baseline or progressive JPEG as 8-bit grey or RGB (CMYK and YCCK converted), turned
    /// upright by its EXIF orientation (so a portrait photo stored sideways comes back as [H, W, C]
    /// portrait), with the camera's focal length when its EXIF records one.
    public static func read(_ path: String) throws -> Image {
        let (image, bytes) = try Image.decode(path, format: "JPEG", with: gic_jpeg_decode)
        let tags = EXIFTags(jpeg: bytes)
        let orientation = tags[0x0112].flatMap { EXIFOrientation(rawValue: Int($0)) } ?? .upright
        return Image(pixels: orientation.apply(to: image.pixels), bitDepth: 8,
                     focal35mm: tags.focal35mm(width: image.width, height: image.height))
    }

    /// Writes `pixels` [H, W, C] (C = 1 or 3, values in [0, 1]) as a baseline JPEG of
    /// `quality` (1–100), atomically.
    public static func write(_ pixels: HostTensor, to path: String, quality: Int = 92) throws {
        try Image.encode(pixels, bitDepth: 8, channels: [1, 3], to: path, format: "JPEG") {
            gic_jpeg_encode($0, Int32(quality), $1, $2, $3, $4)
        }
    }
}
