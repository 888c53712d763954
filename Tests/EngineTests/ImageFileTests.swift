// PNG and JPEG files: exact PNG round trips at 8 and 16 bits, JPEG within its loss, EXIF
// orientation, CMYK JPEGs, and broken, empty or zero-size files.
@testable import Engine
import Foundation
import XCTest

/// Values k / levels, so that a round trip through `levels + 1` quantisation steps is exact.
private func quantisedPixels(_ shape: Shape, levels: Int) -> HostTensor {
    HostTensor(shape, (0..<shape.elementCount).map { Float(($0 * 7919) % (levels + 1)) / Float(levels) })
}

/// CRC-32 (PNG chunks) of `bytes`.
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

final class ImageFileTests: XCTestCase {
    func testPNGRoundTripsExactlyAt8And16Bits() throws {
        let folder = try scratchFolder(self)
        for bits in [8, 16] {
            for channels in [1, 3, 4] {
                let pixels = quantisedPixels([5, 7, channels], levels: bits == 8 ? 255 : 65535)
                let path = folder + "/\(bits)-\(channels).png"
                try PNGFile.write(pixels, to: path, bitDepth: bits)
                let image = try PNGFile.read(path)
                XCTAssertEqual(image.bitDepth, bits)
                XCTAssertEqual(image.pixels.shape, [5, 7, channels])
                assertClose(image.pixels.values, pixels.values, atol: 1e-7, rtol: 0)
            }
        }
        // Grey+alpha comes back as RGBA with the grey in each colour channel.
        let path = folder + "/ga.png"
        try PNGFile.write(HostTensor([1, 2, 2], [0.2, 1, 0.6, 0.4]), to: path)
        let rgba = try PNGFile.read(path).pixels
        XCTAssertEqual(rgba.shape, [1, 2, 4])
        assertClose(rgba.values, [51, 51, 51, 255, 153, 153, 153, 102].map { Float($0) / 255 }, atol: 1e-7, rtol: 0)
    }

    func testTheBundledSamplePhotoReads() throws {
        let image = try PNGFile.read(Repository.path("samples/image_0010.png"))
        XCTAssertEqual(image.pixels.shape, [1024, 1280, 3])
        XCTAssertEqual(image.bitDepth, 8)
        XCTAssertTrue(image.pixels.values.allSatisfy { (0...1).contains($0) })
    }

    func testJPEGRoundTripsWithinItsLoss() throws {
        let folder = try scratchFolder(self)
        for channels in [1, 3] {
            let shape = [16, 24, channels]
            let pixels = HostTensor(shape, (0..<shape.elementCount).map { i in
                Float(i / channels % 24 + i / (24 * channels)) / 60 + Float(i % channels) * 0.1
            })
            let path = folder + "/smooth-\(channels).jpg"
            try JPEGFile.write(pixels, to: path, quality: 95)
            let image = try JPEGFile.read(path)
            XCTAssertEqual(image.pixels.shape, shape)
            assertClose(image.pixels.values, pixels.values, atol: 0.04, rtol: 0)
        }
    }

    /// A JPEG with an EXIF orientation reads as the upright picture: the stored pixels turned
    /// as EXIF says (checked directly on a 2×3 tensor, and end to end through files).
    func testJPEGOrientationIsApplied() throws {
        let stored = HostTensor([2, 3, 1], [1, 2, 3, 4, 5, 6])   // rows: 1 2 3 / 4 5 6
        XCTAssertEqual(EXIFOrientation.rotatedClockwise.apply(to: stored), HostTensor([3, 2, 1], [4, 1, 5, 2, 6, 3]))
        XCTAssertEqual(EXIFOrientation.rotatedCounterClockwise.apply(to: stored), HostTensor([3, 2, 1], [3, 6, 2, 5, 1, 4]))
        XCTAssertEqual(EXIFOrientation.mirrored.apply(to: stored), HostTensor([2, 3, 1], [3, 2, 1, 6, 5, 4]))
        XCTAssertEqual(EXIFOrientation.transposed.apply(to: stored), HostTensor([3, 2, 1], [1, 4, 2, 5, 3, 6]))
        XCTAssertEqual(EXIFOrientation.transverse.apply(to: stored), HostTensor([3, 2, 1], [6, 3, 5, 2, 4, 1]))

        let folder = try scratchFolder(self)
        let plain = folder + "/plain.jpg"
        try JPEGFile.write(quantisedPixels([8, 16, 3], levels: 4), to: plain)
        let upright = try JPEGFile.read(plain).pixels
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: plain))
        for (value, littleEndian) in [(6, false), (8, true), (3, false)] {
            var exif: [UInt8] = Array("Exif\0\0".utf8) + (littleEndian ? [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0] : [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8])
            let entry: [UInt8] = littleEndian ? [1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, UInt8(value), 0, 0, 0]
                                              : [0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(value), 0, 0]
            exif += entry + [0, 0, 0, 0]
            let segment: [UInt8] = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
            let path = folder + "/oriented-\(value).jpg"
            try (jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)).write(to: URL(fileURLWithPath: path))
            let turned = try JPEGFile.read(path).pixels
            XCTAssertEqual(turned, EXIFOrientation(rawValue: value)!.apply(to: upright), "orientation \(value)")
            XCTAssertEqual(turned.shape, value >= 5 ? [16, 8, 3] : [8, 16, 3])
        }
    }

    /// A CMYK JPEG as Photoshop and Pillow store it (inverted inks, Adobe's marker) decodes to the RGB
    /// that Pillow and OpenCV give (`tools/cmyk_jpeg_fixture.py`; those two differ by 1 in places).
    func testCMYKJPEGDecodesToTheReferenceRGB() throws {
        func fixture(_ name: String) -> String { Repository.path("Tests/EngineTests/Fixtures/jpeg/" + name) }
        /// The largest difference of `image` from the reference PNG `name`, in 8-bit levels.
        func largestDifference(_ image: Image, from name: String) throws -> Float {
            let expected = try PNGFile.read(fixture(name))
            XCTAssertEqual(expected.pixels.shape, image.pixels.shape, name)
            let differences = zip(image.pixels.values, expected.pixels.values).map { abs($0 - $1) * 255 }
            return differences.max() ?? .infinity
        }
        let image = try JPEGFile.read(fixture("cmyk.jpg"))
        XCTAssertEqual(image.pixels.shape, [72, 96, 3])
        XCTAssertEqual(image.bitDepth, 8)
        for reference in ["pillow", "opencv"] {
            XCTAssertLessThanOrEqual(
                try largestDifference(image, from: "cmyk.\(reference).png"), 1.001, "against \(reference)")
        }
        // Without Adobe's marker the inks are still read inverted, as Pillow reads them.
        let plain = try JPEGFile.read(fixture("cmyk-plain.jpg"))
        XCTAssertLessThanOrEqual(
            try largestDifference(plain, from: "cmyk-plain.pillow.png"), 1.001, "without Adobe's marker")
    }

    func testBrokenAndEmptyImagesGiveClearErrors() throws {
        let folder = try scratchFolder(self)
        let good = folder + "/good.png", bad = folder + "/bad.png"
        try PNGFile.write(quantisedPixels([32, 32, 3], levels: 255), to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count - 30).write(to: URL(fileURLWithPath: bad))
        assertBadFile(try PNGFile.read(bad), path: bad, mentions: ["cannot decode the PNG", "ends early"])
        var corrupt = [UInt8](bytes)
        for i in 60..<80 { corrupt[i] ^= 0x5A }
        try Data(corrupt).write(to: URL(fileURLWithPath: bad))
        assertBadFile(try PNGFile.read(bad), path: bad, mentions: ["cannot decode the PNG"])
        try Data("hello".utf8).write(to: URL(fileURLWithPath: bad))
        assertBadFile(try PNGFile.read(bad), path: bad, mentions: ["not a PNG"])
        assertBadFile(try JPEGFile.read(bad), path: bad, mentions: ["not a JPEG"])
        try Data().write(to: URL(fileURLWithPath: bad))
        assertBadFile(try PNGFile.read(bad), path: bad, mentions: ["is empty"])
        assertBadFile(try PNGFile.read(folder), path: folder, mentions: ["is a folder"])
        // A PNG whose header says 0 × 4 pixels (with a valid CRC).
        var header = [UInt8](bytes.prefix(33))
        header[16...19] = [0, 0, 0, 0]
        let crc = crc32(Array(header[12..<29]))
        header[29...32] = [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        try (Data(header) + bytes.dropFirst(33)).write(to: URL(fileURLWithPath: bad))
        assertBadFile(try PNGFile.read(bad), path: bad, mentions: ["cannot decode the PNG", "width is zero"])
        // A truncated JPEG.
        let jpeg = folder + "/good.jpg"
        try JPEGFile.write(quantisedPixels([64, 64, 3], levels: 255), to: jpeg)
        let jpegBytes = try Data(contentsOf: URL(fileURLWithPath: jpeg))
        try jpegBytes.prefix(jpegBytes.count / 2).write(to: URL(fileURLWithPath: bad))
        assertBadFile(try JPEGFile.read(bad), path: bad, mentions: ["ends early"])
    }

    func testWritersRefuseBadPixelsAndLeaveNothingBehind() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/out.png"
        assertBadFile(try PNGFile.write(HostTensor([0, 4, 3], []), to: path), path: path, mentions: ["zero size"])
        assertBadFile(try PNGFile.write(HostTensor([2, 2], [0, 0, 0, 0]), to: path), path: path, mentions: ["[H, W, C]"])
        assertBadFile(try JPEGFile.write(HostTensor([1, 1, 4], [0, 0, 0, 0]), to: path), path: path, mentions: ["[1, 3]"])
        assertBadFile(try PNGFile.write(HostTensor([1, 1, 1], [0]), to: folder), path: folder, mentions: ["is a folder"])
        let missing = folder + "/no/such/out.png"
        assertBadFile(try PNGFile.write(HostTensor([1, 1, 1], [0]), to: missing), path: missing, mentions: ["does not exist"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }
}
