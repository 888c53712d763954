// The EXIF tags of a JPEG (its APP1 "Exif" segment, a TIFF structure): IFD0 and the Exif
// sub-IFD read as numbers (SHORT, LONG and RATIONAL values), for the orientation and the camera.
import Foundation

/// The numeric tags of a JPEG's EXIF block; empty when the file has none (or it cannot be read).
struct EXIFTags {
    /// Tag → first value, from IFD0 and the Exif sub-IFD (tag 0x8769).
    private(set) var values: [Int: Double] = [:]

    init(jpeg data: Data) {
        let bytes = [UInt8](data.prefix(1 << 20))
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xDA || marker == 0xD9 { break }  // image data starts: no EXIF before it
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let start = i + 4, end = Swift.min(i + 2 + length, bytes.count)
            if marker == 0xE1, end - start > 14, Array(bytes[start..<start + 6]) == Array("Exif\0\0".utf8) {
                read(tiff: Array(bytes[start + 6..<end]))
                return
            }
            i += 2 + length
        }
    }

    subscript(tag: Int) -> Double? { values[tag] }

    /// Reads IFD0 and, when it points to one, the Exif sub-IFD (byte order "II" or "MM").
    private mutating func read(tiff: [UInt8]) {
        guard tiff.count >= 8 else { return }
        let little = tiff[0] == 0x49
        func integer(_ at: Int, _ size: Int) -> Int? {
            guard at >= 0, at + size <= tiff.count else { return nil }
            let bytes = tiff[at..<at + size]
            return (little ? bytes.reversed() : Array(bytes)).reduce(0) { $0 << 8 | Int($1) }
        }
        func directory(_ offset: Int) {
            guard let entries = integer(offset, 2) else { return }
            for k in 0..<entries {
                let entry = offset + 2 + 12 * k
                guard let tag = integer(entry, 2), let type = integer(entry + 2, 2) else { return }
                switch type {
                case 3: values[tag] = integer(entry + 8, 2).map(Double.init)  // SHORT
                case 4: values[tag] = integer(entry + 8, 4).map(Double.init)  // LONG
                case 5:  // RATIONAL: two LONGs at the offset the entry holds
                    if let at = integer(entry + 8, 4), let n = integer(at, 4), let d = integer(at + 4, 4), d > 0 {
                        values[tag] = Double(n) / Double(d)
                    }
                default: continue
                }
            }
        }
        guard let ifd0 = integer(4, 4) else { return }
        directory(ifd0)
        if let exif = values[0x8769] { directory(Int(exif)) }
    }
}

extension EXIFTags {
    /// The 35 mm-equivalent focal length (mm, by the frame's diagonal, 43.27 mm) of a photo stored
    /// `width`×`height`: FocalLengthIn35mmFilm (0xA405) when present, else FocalLength (0x920A)
    /// over the sensor's pixel pitch from FocalPlaneXResolution (0xA20E) and its unit (0xA210),
    /// scaled by the stored width over PixelXDimension (0xA002) when the photo was resized; nil
    /// when neither is recorded.
    func focal35mm(width: Int, height: Int) -> Float? {
        if let f = self[0xA405], f > 0 { return Float(f) }
        let millimetresPerUnit: [Double: Double] = [2: 25.4, 3: 10, 4: 1, 5: 0.001]
        guard let focal = self[0x920A], focal > 0, let resolution = self[0xA20E], resolution > 0,
              let unit = millimetresPerUnit[self[0xA210] ?? 2]
        else { return nil }
        let resized = self[0xA002].map { $0 > 0 ? Double(width) / $0 : 1 } ?? 1
        let pixels = focal * resolution / unit * resized
        let diagonal = (Double(width * width + height * height)).squareRoot()
        return Float(pixels * 43.27 / diagonal)
    }
}
