// A face crop for an identity network: a box of a photo resampled to the network's input size by
// area averaging (each output pixel the mean of the input area it covers, like OpenCV's
// INTER_AREA), as RGB [1, 3, H, W] in [0, 1].
import Foundation

public struct FaceBox: Equatable, Sendable {
    /// Top-left corner and size in pixels (x right, y down, pixel (0, 0) covering [0, 1)²).
    public var x, y, width, height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// "x,y,width,height", as the command line takes it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3], w > 0, h > 0 else {
            throw EngineError.invalidValue("a face box is x,y,width,height in pixels with width and height > 0, got '\(text)'")
        }
        self.init(x: x, y: y, width: w, height: h)
    }
}

public enum FaceCrop {
    /// `box` of `image` (the whole image when nil) as [1, 3, height, width]. Grey images are
    /// repeated into RGB, alpha is dropped; the box may reach past the image (edges repeat).
    public static func crop(_ image: Image, box: FaceBox? = nil, height: Int, width: Int) -> HostTensor {
        let box = box ?? FaceBox(x: 0, y: 0, width: Double(image.width), height: Double(image.height))
        let rows = weights(start: box.y, length: box.height, outputs: height, inputs: image.height)
        let columns = weights(start: box.x, length: box.width, outputs: width, inputs: image.width)
        let c = image.channels, source = image.pixels.values
        var out = [Float](repeating: 0, count: 3 * height * width)
        var band = [Float](repeating: 0, count: image.width * c)  // one output row, before the columns
        for (i, rowTaps) in rows.enumerated() {
            for k in band.indices { band[k] = 0 }
            for (j, weight) in rowTaps {
                for k in 0..<(image.width * c) { band[k] += weight * source[j * image.width * c + k] }
            }
            for (k, columnTaps) in columns.enumerated() {
                for channel in 0..<3 {
                    let from = c < 3 ? 0 : channel
                    out[(channel * height + i) * width + k] = columnTaps.reduce(0) { $0 + $1.weight * band[$1.index * c + from] }
                }
            }
        }
        return HostTensor([1, 3, height, width], out)
    }

    /// `crop` as an RGB image [height, width, 3] (channels last, as PNGFile writes and the renderer takes).
    public static func cropRGB(_ image: Image, box: FaceBox? = nil, height: Int, width: Int) -> HostTensor {
        let planar = crop(image, box: box, height: height, width: width).values, plane = height * width
        return HostTensor([height, width, 3], (0..<3 * plane).map { k in planar[(k % 3) * plane + k / 3] })
    }

    /// Per output pixel along one axis, the input pixels its interval covers and their shares
    /// (summing to 1); positions past the image read its edge pixel.
    static func weights(start: Double, length: Double, outputs: Int, inputs: Int) -> [[(index: Int, weight: Float)]] {
        let step = length / Double(outputs)
        return (0..<outputs).map { i in
            let lo = start + Double(i) * step, hi = lo + step, size = Double(inputs)
            var taps: [Int: Double] = [:]
            // The parts of the interval past the image read its edge pixels: one share each.
            if lo < 0 { taps[0, default: 0] += (Swift.min(hi, 0) - lo) / step }
            if hi > size { taps[inputs - 1, default: 0] += (hi - Swift.max(lo, size)) / step }
            var position = Swift.max(lo, 0)
            let inside = Swift.min(hi, size)
            while position < inside {
                let cell = position.rounded(.down), end = Swift.min(inside, cell + 1)
                taps[Int(cell), default: 0] += (end - position) / step
                position = end
            }
            return taps.sorted { $0.key < $1.key }.map { (index: $0.key, weight: Float($0.value)) }
        }
    }
}
