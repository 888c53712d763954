// PNG files (libpng through CImageCodecs): read any PNG to an Image, write [H, W, C] tensors
// as 8- or 16-bit grey, grey+alpha, RGB or RGBA.
import CImageCodecs

public enum PNGFile {
    /// Reads a PNG of any colour type and bit depth (palette, low-bit grey and tRNS expanded;
    /// grey+alpha becomes RGBA). See `Image` for the tensor layout.
    public static func read(_ path: String) throws -> Image {
        try Image.decode(path, format: "PNG", with: gic_png_decode).image
    }

    /// Writes `pixels` [H, W, C] (C = 1, 2, 3 or 4; values in [0, 1], clamped) as a PNG with
    /// `bitDepth` 8 or 16 bits per sample, atomically.
    public static func write(_ pixels: HostTensor, to path: String, bitDepth: Int = 8) throws {
        try Image.encode(pixels, bitDepth: bitDepth, channels: [1, 2, 3, 4], to: path, format: "PNG", with: gic_png_encode)
    }
}
