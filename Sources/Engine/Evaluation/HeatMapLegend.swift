// A heat map's colour bar: a vertical bar of `HeatMap.colour` from 0 (bottom) to the scale's top,
// ticks at round steps labelled in millimetres in the 5×7 `PixelFont` (twice its size), beside an image.
import Foundation

enum HeatMapLegend {
    /// Width of the panel added to the right of the image, pixels.
    static let width = 96

    /// `image` [H, W, 3] with the legend panel for a 0…`top` mm scale on its right.
    static func beside(_ image: HostTensor, top: Double, background: [Float]) -> HostTensor {
        let (h, w) = (image.shape[0], image.shape[1]), wide = w + width
        var pixels = [Float](repeating: 0, count: h * wide * 3)
        for y in 0..<h {
            for x in 0..<wide {
                for c in 0..<3 {
                    pixels[(y * wide + x) * 3 + c] = x < w ? image.values[(y * w + x) * 3 + c] : background[c]
                }
            }
        }
        func paint(_ x: Int, _ y: Int, _ colour: SIMD3<Float>) {
            guard (0..<wide).contains(x), (0..<h).contains(y) else { return }
            for c in 0..<3 { pixels[(y * wide + x) * 3 + c] = colour[c] }
        }
        let (barTop, barBottom, barLeft) = (36, h - 24, w + 16)
        for y in barTop...barBottom {
            let colour = HeatMap.colour(top * Double(barBottom - y) / Double(barBottom - barTop), top: top)
            for x in barLeft..<barLeft + 18 { paint(x, y, colour) }
        }
        let white = SIMD3<Float>(0.95, 0.95, 0.95)
        PixelFont.write("mm", x: barLeft, y: 12, scale: 2, paint: { paint($0, $1, white) })
        let step = tickStep(top),
            decimals = step.rounded() == step ? 0 : step * 2 == (step * 2).rounded() ? 1 : 2
        for k in 0...Int((top / step).rounded(.down) + 1e-9) {
            let value = Double(k) * step
            let y = barBottom - Int((value / top * Double(barBottom - barTop)).rounded())
            for x in barLeft + 18..<barLeft + 24 { paint(x, y, white) }
            PixelFont.write(
                String(format: "%.\(decimals)f", value), x: barLeft + 28, y: y - 7, scale: 2,
                paint: { paint($0, $1, white) })
        }
        return HostTensor([h, wide, 3], pixels)
    }

    /// The round step (1, 2, 2.5 or 5 × 10^k) giving at most 6 intervals up to `top`.
    static func tickStep(_ top: Double) -> Double {
        let magnitude = pow(10, (log10(top / 6)).rounded(.down))
        return [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { top / $0 <= 6 } ?? 10 * magnitude
    }
}
