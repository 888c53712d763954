// dlib's rectangles and pyramid coordinate maps (geometry/drectangle.h, rectangle.h,
// image_pyramid.h), as its detectors use them: continuous boxes, their rounding to pixel
// rectangles, and the maps between a photo and its pyramid levels.

/// dlib's `drectangle` (continuous corners) and, once `rounded()`, its `rectangle` (inclusive
/// integer corners; width = right − left + 1).
struct DlibRect: Equatable {
    var left, top, right, bottom: Double

    var isEmpty: Bool { top > bottom || left > right }
    var width: Double { isEmpty ? 0 : right - left + 1 }
    var height: Double { isEmpty ? 0 : bottom - top + 1 }
    var area: Double { width * height }
    var center: (x: Double, y: Double) { ((left + right) / 2, (top + bottom) / 2) }

    /// dlib's drectangle → rectangle conversion: each corner to floor(v + 0.5).
    func rounded() -> DlibRect {
        func round(_ v: Double) -> Double { (v + 0.5).rounded(.down) }
        return DlibRect(left: round(left), top: round(top), right: round(right), bottom: round(bottom))
    }

    func intersection(_ o: DlibRect) -> DlibRect {
        DlibRect(left: max(left, o.left), top: max(top, o.top),
                 right: min(right, o.right), bottom: min(bottom, o.bottom))
    }

    /// dlib's `a + b`: the smallest rectangle holding both (not the area of their union).
    func bounding(_ o: DlibRect) -> DlibRect {
        DlibRect(left: min(left, o.left), top: min(top, o.top),
                 right: max(right, o.right), bottom: max(bottom, o.bottom))
    }

    /// dlib's centered_drect: a width × height box (inclusive sizes) centred on (x, y).
    static func centered(x: Double, y: Double, width: Double, height: Double) -> DlibRect {
        let (w, h) = ((width - 1) / 2, (height - 1) / 2)
        return DlibRect(left: x - w, top: y - h, right: x + w, bottom: y + h)
    }

    func mapped(_ point: (Double, Double) -> (Double, Double)) -> DlibRect {
        let (l, t) = point(left, top), (r, b) = point(right, bottom)
        return DlibRect(left: l, top: t, right: r, bottom: b)
    }
}

/// dlib's `pyramid_down<N>` coordinate maps between a level and the one below it (level
/// k + 1 is about (N − 1)/N the size of level k). N = 2 has its own offsets in dlib.
struct DlibPyramidDown {
    let n: Int

    /// A point of level k in level k + `levels`.
    func down(_ x: Double, _ y: Double, levels: Int = 1) -> (Double, Double) {
        var (x, y) = (x, y)
        for _ in 0..<levels {
            if n == 2 {
                (x, y) = (x / 2 - 1.25, y / 2 - 0.75)
            } else {
                let ratio = (Double(n) - 1) / Double(n)
                (x, y) = ((x - 0.3) * ratio, (y - 0.3) * ratio)
            }
        }
        return (x, y)
    }

    /// A point of level k + `levels` in level k.
    func up(_ x: Double, _ y: Double, levels: Int = 1) -> (Double, Double) {
        var (x, y) = (x, y)
        for _ in 0..<levels {
            if n == 2 {
                (x, y) = ((x + 1.25) * 2, (y + 0.75) * 2)
            } else {
                let ratio = Double(n) / (Double(n) - 1)
                (x, y) = (x * ratio + 0.3, y * ratio + 0.3)
            }
        }
        return (x, y)
    }

    /// The size of the next level down (find_pyramid_down_output_image_size for N > 3).
    func levelSize(rows: Int, cols: Int) -> (rows: Int, cols: Int) {
        let rate = (Double(n) - 1) / Double(n)
        return (Int((rate * Double(rows)).rounded(.down)), Int((rate * Double(cols)).rounded(.down)))
    }
}
