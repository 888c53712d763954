// Decoded images as Float32 tensors [H, W, C] in [0, 1], and the conversion to and from the
// codecs' 8- or 16-bit interleaved samples.
import CImageCodecs
import Foundation

/// An image read from a file.
///
/// Layout: `pixels` is [H, W, C], row-major with interleaved channels (row 0 at the top,
/// column 0 at the left), C = 1 (grey), 3 (RGB) or 4 (RGBA); grey+alpha files come as RGBA.
/// Values are in [0, 1]: sample / 255 for 8-bit files, sample / 65535 for 16-bit ones.
/// A network wanting [C, H, W] gets it with a permute in its graph.
public struct Image {
    /// [H, W, C], values in [0, 1].
    public let pixels: HostTensor
    /// Bits per sample in the file (8 or 16; palette and low-bit greys are expanded to 8).
    public let bitDepth: Int
    /// The camera's 35 mm-equivalent focal length (mm) from the file's EXIF, when it has one.
    public var focal35mm: Float? = nil

    public var height: Int { pixels.shape[0] }
    public var width: Int { pixels.shape[1] }
    public var channels: Int { pixels.shape[2] }
}

/// A codec's decode entry point (gic_png_decode, gic_jpeg_decode).
typealias ImageDecoder = (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<gic_image>, UnsafeMutablePointer<CChar>, Int) -> Int32
/// A codec's encode entry point: image, output buffer, output size, message, message size.
typealias ImageEncoder = (UnsafePointer<gic_image>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                          UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>, Int) -> Int32

extension Image {
    /// Reads `path` and decodes it with `decoder`; returns the image and the file's bytes.
    static func decode(_ path: String, format: String, with decoder: ImageDecoder) throws -> (image: Image, bytes: Data) {
        let data = try FileInput.read(path, what: "a \(format) image")
        var decoded = gic_image()
        try runCodec(path, "cannot decode the \(format)") { message, size in
            data.withUnsafeBytes { decoder($0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count, &decoded, message, size) }
        }
        defer { gic_free(decoded.pixels) }
        let count = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
        let values: [Float]
        if decoded.bit_depth == 16 {
            let samples = decoded.pixels.assumingMemoryBound(to: UInt16.self)
            values = (0..<count).map { Float(samples[$0]) / 65535 }
        } else {
            let samples = decoded.pixels.assumingMemoryBound(to: UInt8.self)
            values = (0..<count).map { Float(samples[$0]) / 255 }
        }
        let pixels = HostTensor([Int(decoded.height), Int(decoded.width), Int(decoded.channels)], values)
        return (Image(pixels: pixels, bitDepth: Int(decoded.bit_depth)), data)
    }

    /// Encodes `pixels` [H, W, C] with `encoder` as samples of `bitDepth` bits (values clamped
    /// to [0, 1] and rounded) and writes the result to `path` atomically. Throws badFile for
    /// `path` if the tensor is not an image of `channels`, or the codec fails.
    static func encode(_ pixels: HostTensor, bitDepth: Int, channels allowed: Set<Int>, to path: String, format: String,
                       with encoder: ImageEncoder) throws {
        guard pixels.shape.count == 3, allowed.contains(pixels.shape[2]) else {
            throw EngineError.badFile(path: path, problem: "cannot write pixels \(pixels.shape.shapeText): expected [H, W, C] "
                                      + "with C in \(allowed.sorted())")
        }
        guard pixels.shape[0] > 0, pixels.shape[1] > 0 else {
            throw EngineError.badFile(path: path, problem: "cannot write an image of zero size \(pixels.shape.shapeText)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw EngineError.badFile(path: path, problem: "cannot write \(bitDepth)-bit samples; use 8 or 16")
        }
        let scale: Float = bitDepth == 16 ? 65535 : 255
        let quantised = pixels.values.map { v -> Int in v.isNaN ? 0 : Int((Swift.min(Swift.max(v, 0), 1) * scale).rounded()) }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        defer { gic_free(output) }
        func run<S: FixedWidthInteger>(_ samples: [S]) throws {
            var samples = samples
            try samples.withUnsafeMutableBytes { raw in
                var image = gic_image(width: Int32(pixels.shape[1]), height: Int32(pixels.shape[0]),
                                      channels: Int32(pixels.shape[2]), bit_depth: Int32(bitDepth), pixels: raw.baseAddress)
                try runCodec(path, "cannot encode the \(format)") { encoder(&image, &output, &size, $0, $1) }
            }
        }
        try bitDepth == 16 ? run(quantised.map(UInt16.init)) : run(quantised.map(UInt8.init))
        try AtomicWrite.write(Data(bytes: output!, count: size), to: path)
    }
}

/// Runs a codec entry point that reports failure as non-zero plus a message; throws badFile
/// with `path` and that message.
private func runCodec(_ path: String, _ what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    var message = [CChar](repeating: 0, count: 512)
    let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    guard status == 0 else {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw EngineError.badFile(path: path, problem: "\(what): \(text)")
    }
}

public extension Image {
    /// A PNG or JPEG image, recognised by its content.
    static func read(_ path: String) throws -> Image {
        switch try FileDescription.kind(of: path, what: "a PNG or JPEG image") {
        case .png: return try PNGFile.read(path)
        case .jpeg: return try JPEGFile.read(path)
        case let other:
            throw EngineError.badFile(path: path, problem: "is \(other.rawValue), expected a PNG or JPEG image")
        }
    }
}
