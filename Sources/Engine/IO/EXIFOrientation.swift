// The EXIF orientation tag of a JPEG (IFD0 tag 0x0112, see `EXIFTags`) and turning decoded pixels
// upright by it.
import Foundation

/// How the stored pixels must be flipped or rotated to appear upright (EXIF values 1–8).
public enum EXIFOrientation: Int, Sendable {
    case upright = 1, mirrored, rotated180, flipped, transposed, rotatedClockwise, transverse, rotatedCounterClockwise

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
