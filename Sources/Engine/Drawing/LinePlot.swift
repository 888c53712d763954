// A tiny line-plot rasteriser: panels side by side, each with named series on a log-scaled y axis
// (decade grid lines and labels), iteration ticks and a legend, in the `PixelFont` (the fit's losses.png).
import Foundation

/// One curve: its name in the legend and its points (points with y ≤ 0 or not finite are skipped).
public struct PlotSeries {
    public let name: String
    public let points: [SIMD2<Double>]

    public init(name: String, points: [SIMD2<Double>]) { (self.name, self.points) = (name, points) }
}

/// One panel: a title, its x range [0, xMax] and its series.
public struct PlotPanel {
    public let title: String
    public let xMax: Double
    public let series: [PlotSeries]

    public init(title: String, xMax: Double, series: [PlotSeries]) {
        (self.title, self.xMax, self.series) = (title, xMax, series)
    }
}

public enum LinePlot {
    /// The panels side by side, each `width`×`height` pixels, as RGB [height, panels·width, 3] in [0, 1].
    public static func render(_ panels: [PlotPanel], width: Int = 440, height: Int = 320) -> HostTensor {
        var canvas = PlotCanvas(width: width * max(panels.count, 1), height: height)
        for (k, panel) in panels.enumerated() {
            draw(panel, into: &canvas, left: k * width, width: width, height: height)
        }
        return HostTensor([height, canvas.width, 3], canvas.rgb)
    }

    /// Distinct colours for the series, in order.
    static let palette: [SIMD3<Float>] = [
        [0.0, 0.0, 0.0], [0.85, 0.2, 0.1], [0.1, 0.45, 0.85], [0.1, 0.65, 0.2], [0.6, 0.3, 0.75],
        [0.9, 0.55, 0.0], [0.0, 0.65, 0.65], [0.55, 0.4, 0.2],
    ]

    private static func draw(
        _ panel: PlotPanel, into canvas: inout PlotCanvas, left: Int, width: Int, height: Int
    ) {
        let (x0, x1, y0, y1) = (left + 44, left + width - 12, 22, height - 26)  // the plot area, y0 on top
        let values = panel.series.flatMap { $0.points.map(\.y) }.filter { $0 > 0 && $0.isFinite }
        let low = floor(log10(values.min() ?? 0.1))
        let high = max(ceil(log10(values.max() ?? 1)), low + 1)
        func px(_ x: Double) -> Double { Double(x0) + x / max(panel.xMax, 1) * Double(x1 - x0) }
        func py(_ y: Double) -> Double { Double(y1) - (log10(y) - low) / (high - low) * Double(y1 - y0) }
        let grey = SIMD3<Float>(0.85, 0.85, 0.85)
        let ink = SIMD3<Float>(0.1, 0.1, 0.1)
        for decade in stride(from: low, through: high, by: 1) {
            let y = Int(py(pow(10, decade)).rounded())
            canvas.line(Double(x0), Double(y), Double(x1), Double(y), grey)
            let label =
                abs(decade) <= 3 ? String(format: "%g", pow(10, decade)) : String(format: "1e%d", Int(decade))
            canvas.text(label, x: x0 - 4 - PixelFont.width(label), y: y - 3, ink)
        }
        canvas.line(Double(x0), Double(y0), Double(x0), Double(y1), ink)
        canvas.line(Double(x0), Double(y1), Double(x1), Double(y1), ink)
        for tick in [0, panel.xMax / 2, panel.xMax] {
            let x = px(tick)
            let label = String(Int(tick.rounded()))
            canvas.line(x, Double(y1), x, Double(y1 + 4), ink)
            canvas.text(label, x: Int(x) - PixelFont.width(label) / 2, y: y1 + 7, ink)
        }
        canvas.text(panel.title + " stage: losses by iteration", x: x0, y: 6, ink)
        for (k, series) in panel.series.enumerated() {
            let colour = palette[k % palette.count]
            let points = series.points.filter { $0.y > 0 && $0.y.isFinite }.map { SIMD2(px($0.x), py($0.y)) }
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(a.x, a.y, b.x, b.y, colour, thick: true)
            }
            if points.count == 1 {
                canvas.line(points[0].x - 2, points[0].y, points[0].x + 2, points[0].y, colour, thick: true)
            }
            let legendY = y0 + 4 + 11 * k
            let legendX = x1 - 6 - PixelFont.width(series.name) - 16
            canvas.line(
                Double(legendX), Double(legendY + 3), Double(legendX + 10), Double(legendY + 3), colour,
                thick: true)
            canvas.text(series.name, x: legendX + 14, y: legendY, colour)
        }
    }
}

/// A white RGB canvas with clipped lines and text.
private struct PlotCanvas {
    let width: Int, height: Int
    var rgb: [Float]

    init(width: Int, height: Int) {
        (self.width, self.height) = (width, height)
        rgb = [Float](repeating: 1, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: SIMD3<Float>) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        for c in 0..<3 { rgb[(y * width + x) * 3 + c] = colour[c] }
    }

    /// A straight line by unit steps along its longer axis; `thick` adds the pixel below each.
    mutating func line(
        _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ colour: SIMD3<Float>, thick: Bool = false
    ) {
        guard ax.isFinite, ay.isFinite, bx.isFinite, by.isFinite else { return }
        let steps = max(Int(max(abs(bx - ax), abs(by - ay)).rounded(.up)), 1)
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = Int((ax + (bx - ax) * t).rounded())
            let y = Int((ay + (by - ay) * t).rounded())
            set(x, y, colour)
            if thick { set(x, y + 1, colour) }
        }
    }

    mutating func text(_ text: String, x: Int, y: Int, _ colour: SIMD3<Float>) {
        PixelFont.write(text, x: x, y: y) { set($0, $1, colour) }
    }
}
