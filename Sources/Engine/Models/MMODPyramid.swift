// dlib's input_rgb_image_pyramid<pyramid_down<6>> (dnn/input.h, image_pyramid.h): the photo and
// its ever smaller copies tiled into one image (the photo down the left, the small levels back
// up the right), as the MMOD network's input tensor, and the map from tiled boxes to the photo.
import Foundation

struct MMODPyramid {
    /// Each level's rectangle in the tiled image (inclusive corners), level 0 the photo itself.
    let levels: [DlibRect]
    /// The tiled image's size.
    let rows: Int, cols: Int
    static let pyramid = DlibPyramidDown(n: 6)

    /// The layout of compute_tiled_image_pyramid_details for a `width` × `height` photo.
    init(width: Int, height: Int, padding: Int, outerPadding: Int) {
        // Level sizes: 5/6 each time (floored) until a level would be under 5 rows or empty.
        var sizes = [(rows: height, cols: width)]
        while true {
            let next = Self.pyramid.levelSize(rows: sizes.last!.rows, cols: sizes.last!.cols)
            guard next.rows * next.cols > 0, next.rows >= 5 else { break }
            sizes.append(next)
        }
        // The first column goes down until the next level fits beside the ones still to come.
        let totalHeight = sizes.map { $0.rows + padding }.reduce(0, +) - 2 * padding
        var columnHeight = 0, previousWidth = 0
        for size in sizes {
            if size.cols <= width - previousWidth - padding,
               (columnHeight - height) * 2 >= totalHeight - height { break }
            columnHeight += size.rows + padding
            previousWidth = size.cols
        }
        columnHeight -= padding
        rows = columnHeight + 2 * outerPadding
        cols = width + 2 * outerPadding
        var placed: [DlibRect] = []
        var y = outerPadding
        while y < columnHeight + outerPadding, placed.count < sizes.count {
            let size = sizes[placed.count]
            let (left, top) = (Double(outerPadding), Double(y))
            placed.append(DlibRect(left: left, top: top, right: left + Double(size.cols - 1),
                                   bottom: top + Double(size.rows - 1)))
            y += size.rows + padding
        }
        // The rest go up the right side, bottom-right aligned, while they stay clear of the photo.
        y -= padding
        while placed.count < sizes.count {
            let size = sizes[placed.count], right = outerPadding + width - 1
            let rect = DlibRect(left: Double(right - size.cols + 1), top: Double(y - 1 - size.rows + 1),
                                right: Double(right), bottom: Double(y - 1))
            guard placed[0].intersection(rect).isEmpty else { break }
            placed.append(rect)
            y -= size.rows + padding
        }
        levels = placed
    }

    /// The tiled image as the network's input [1, 3, rows, cols]: level 0 is (sample − mean)/256,
    /// each further level dlib's bilinear resize of the one above, zero (the mean) elsewhere.
    func tensor(_ photo: RGBImage8, mean: (red: Float, green: Float, blue: Float)) -> HostTensor {
        precondition(photo.width == Int(levels[0].width) && photo.height == Int(levels[0].height))
        let plane = rows * cols, means = [mean.red, mean.green, mean.blue]
        var values = [Float](repeating: 0, count: 3 * plane)
        values.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            CPUParallel.forEach(3) { channel in
                let out = base + channel * plane
                let origin = out + Int(levels[0].top) * cols + Int(levels[0].left)
                for y in 0..<photo.height {
                    for x in 0..<photo.width {
                        let sample = Float(photo.samples[(y * photo.width + x) * 3 + channel])
                        origin[y * cols + x] = (sample - means[channel]) / 256
                    }
                }
                for (above, level) in zip(levels, levels.dropFirst()) {
                    dlibResizePlane(out + Int(above.top) * cols + Int(above.left), rows: Int(above.height),
                                    cols: Int(above.width), sourceStride: cols,
                                    into: out + Int(level.top) * cols + Int(level.left),
                                    outRows: Int(level.height), outCols: Int(level.width), targetStride: cols)
                }
            }
        }
        return HostTensor([1, 3, rows, cols], values)
    }

    /// tiled_pyramid_to_image: a box of the tiled image in the photo, through the level nearest
    /// its centre.
    func toPhoto(_ box: DlibRect) -> DlibRect {
        let level = nearestLevel(box.center.x, box.center.y)
        let origin = levels[level]
        return box.mapped { x, y in Self.pyramid.up(x - origin.left, y - origin.top, levels: level) }
    }

    /// image_to_tiled_pyramid: a box of the photo in the tiled image, on the level for `scale`
    /// (the level whose size is closest to scale × the photo's).
    func toTiled(_ box: DlibRect, scale: Double) -> DlibRect {
        let steps = Int(log(scale) / log(5.0 / 6.0) + 0.5)
        let level = min(max(steps, 0), levels.count - 1), origin = levels[level]
        return box.mapped { x, y in
            let (lx, ly) = Self.pyramid.down(x, y, levels: level)
            return (lx + origin.left, ly + origin.top)
        }
    }

    /// dlib's nearest_rect of the point rounded to a pixel: the first level holding it, else
    /// the closest one.
    private func nearestLevel(_ x: Double, _ y: Double) -> Int {
        let (px, py) = ((x + 0.5).rounded(.down), (y + 0.5).rounded(.down))
        var best = 0, bestDistance = Double.infinity
        for (k, r) in levels.enumerated() {
            let nx = min(max(px, r.left), r.right), ny = min(max(py, r.top), r.bottom)
            if nx == px, ny == py { return k }
            let distance = ((nx - px) * (nx - px) + (ny - py) * (ny - py)).squareRoot()
            if distance < bestDistance { (best, bestDistance) = (k, distance) }
        }
        return best
    }
}
