// The EXIF orientation tag of a JPEG (APP1 "Exif" segment, IFD0 tag 0x0112) and turning
// decoded pixels upright by it.
import Foundation

/// How the stored pixels must be flipped or rotated to appear upright (EXIF values 1–8).
public enum EXIFOrientation: Int, Sendable {
    case upright = 1, mirrored, rotated180, flipped, transposed, rotatedClockwise, transverse, rotatedCounterClockwise

    /// The orientation a JPEG file declares; `.upright` when it has no (readable) EXIF tag.
    static func of(jpeg data: Data) -> EXIFOrientation {
        let bytes = [UInt8](data.prefix(1 << 20))
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xDA || marker == 0xD9 { break }   // image data starts: no EXIF before it
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let start = i + 4, end = Swift.min(i + 2 + length, bytes.count)
            if marker == 0xE1, end - start > 14, Array(bytes[start..<start + 6]) == Array("Exif\0\0".utf8) {
                return orientation(tiff: Array(bytes[start + 6..<end])) ?? .upright
            }
            i += 2 + length
        }
        return .upright
    }

    /// Tag 0x0112 of IFD0 in a TIFF structure (byte order "II" or "MM").
    private static func orientation(tiff: [UInt8]) -> EXIFOrientation? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49
        func read(_ at: Int, _ size: Int) -> Int? {
            guard at >= 0, at + size <= tiff.count else { return nil }
            let bytes = tiff[at..<at + size]
            return (little ? bytes.reversed() : Array(bytes)).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let ifd = read(4, 4), let entries = read(ifd, 2) else { return nil }
        for k in 0..<entries {
            let entry = ifd + 2 + 12 * k
            guard let tag = read(entry, 2) else { return nil }
            if tag == 0x0112 { return read(entry + 8, 2).flatMap(EXIFOrientation.init(rawValue:)) }
        }
        return nil
    }

    /// `pixels` [H, W, C] turned upright: [H, W, C] for 1–4, [W, H, C] for 5–8.
    func apply(to pixels: HostTensor) -> HostTensor {
        guard self != .upright else { return pixels }
        let h = pixels.shape[0], w = pixels.shape[1], c = pixels.shape[2]
        let swaps = rawValue >= 5
        let outH = swaps ? w : h, outW = swaps ? h : w
        var out = [Float](repeating: 0, count: pixels.values.count)
        for y in 0..<outH {
            for x in 0..<outW {
                // The stored pixel (sy, sx) shown at (y, x).
                let (sy, sx): (Int, Int)
                switch self {
                case .upright: (sy, sx) = (y, x)
                case .mirrored: (sy, sx) = (y, w - 1 - x)
                case .rotated180: (sy, sx) = (h - 1 - y, w - 1 - x)
                case .flipped: (sy, sx) = (h - 1 - y, x)
                case .transposed: (sy, sx) = (x, y)
                case .rotatedClockwise: (sy, sx) = (h - 1 - x, y)
                case .transverse: (sy, sx) = (h - 1 - x, w - 1 - y)
                case .rotatedCounterClockwise: (sy, sx) = (x, w - 1 - y)
                }
                for k in 0..<c { out[(y * outW + x) * c + k] = pixels.values[(sy * w + sx) * c + k] }
            }
        }
        return HostTensor([outH, outW, c], out)
    }
}
