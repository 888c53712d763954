// The per-pixel geometry every raster op shares on the CPU (raster.cl mirrors it operation for
// operation, so both backends make the same coverage decisions): edge functions at pixel
// centres, perspective-correct depth, and the sum of per-pixel contributions over corners.

/// One triangle's screen vertices (x_px, y_px, depth), from screen [V, 3] and triangles [F, 3].
struct ScreenTriangle<T: RefScalar> {
    let x0, y0, w0, x1, y1, w1, x2, y2, w2: T

    /// Triangle `f`, or nil when one of its indices is outside 0..<V.
    init?(_ screen: borrowing [T], _ triangles: borrowing [Int32], _ f: Int) {
        let v = screen.count / 3
        let i0 = Int(triangles[3 * f]), i1 = Int(triangles[3 * f + 1]), i2 = Int(triangles[3 * f + 2])
        guard i0 >= 0, i0 < v, i1 >= 0, i1 < v, i2 >= 0, i2 < v else { return nil }
        (x0, y0, w0) = (screen[3 * i0], screen[3 * i0 + 1], screen[3 * i0 + 2])
        (x1, y1, w1) = (screen[3 * i1], screen[3 * i1 + 1], screen[3 * i1 + 2])
        (x2, y2, w2) = (screen[3 * i2], screen[3 * i2 + 1], screen[3 * i2 + 2])
    }

    /// Whether every coordinate is finite.
    var isFinite: Bool {
        x0.isFinite && y0.isFinite && w0.isFinite && x1.isFinite && y1.isFinite && w1.isFinite
            && x2.isFinite && y2.isFinite && w2.isFinite
    }

    /// Twice the signed area, positive for counter-clockwise on screen (y down).
    var doubleArea: T { (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0) }

    /// The edge functions at (px, py): e_k is twice the signed area of the sub-triangle opposite
    /// vertex k, so e_k / doubleArea are the screen-space barycentrics.
    func edges(_ px: T, _ py: T) -> (T, T, T) {
        ((x1 - px) * (y2 - py) - (y1 - py) * (x2 - px),
         (x2 - px) * (y0 - py) - (y2 - py) * (x0 - px),
         (x0 - px) * (y1 - py) - (y0 - py) * (x1 - px))
    }

    /// The perspective-correct depth at pixel (x, y)'s centre when it is covered (edges on the
    /// boundary count: inclusive, so shared edges leave no gaps), else nil.
    func depth(atPixel x: Int, _ y: Int) -> T? {
        var (e0, e1, e2) = edges(T(x) + T(0.5), T(y) + T(0.5))
        if doubleArea < 0 { (e0, e1, e2) = (-e0, -e1, -e2) }
        guard e0 >= 0, e1 >= 0, e2 >= 0 else { return nil }
        let s = e0 / w0 + e1 / w1 + e2 / w2
        return (e0 + e1 + e2) / s
    }
}

/// Sums per-pixel contributions over the corners of each pixel's triangle: rows [3F, width],
/// row 3f + k for corner k of triangle f. `contribution(pixel, f, out)` writes the pixel's
/// 3·width values (corner-major); pixels are computed in parallel, then added corner by corner
/// in row-major pixel order, the order in which the OpenCL kernels scan each triangle's box.
func sumOverPixels<T: RefScalar>(ids: [Int32], triangleCount: Int, width: Int,
                                 _ contribution: (_ pixel: Int, _ f: Int, _ out: UnsafeMutablePointer<T>) -> Void) -> [T] {
    let n = 3 * width, pixels = ids.count
    var perPixel = [T](repeating: 0, count: pixels * n)
    forEachPixel(&perPixel, pixels: pixels) { chunk, out in
        for p in chunk {
            let f = Int(ids[p])
            if f >= 0 && f < triangleCount { contribution(p, f, out + p * n) }
        }
    }
    var corners = [T](repeating: 0, count: triangleCount * n)
    for p in 0..<pixels {
        let f = Int(ids[p])
        guard f >= 0 && f < triangleCount else { continue }
        for j in 0..<n { corners[f * n + j] += perPixel[p * n + j] }
    }
    return corners
}

/// Runs `body(chunk, values)` for consecutive chunks of the pixels 0..<pixels, spread over the CPU
/// backend's workers; each pixel must write only its own elements of `values`. The loop over a
/// chunk's pixels is the caller's, so that it compiles with the caller's code on every worker (a
/// call per pixel into a closure made the workers' renderer ops up to 2× slower than one thread's).
func forEachPixel<T>(_ values: inout [T], pixels: Int, chunk: Int = 2048,
                     _ body: (Range<Int>, UnsafeMutablePointer<T>) -> Void) {
    values.withUnsafeMutableBufferPointer { buffer in
        let shared = UnsafeSendable(buffer.baseAddress!)
        CPUParallel.forEach((pixels + chunk - 1) / chunk) { part in
            body(part * chunk..<Swift.min(pixels, (part + 1) * chunk), shared.pointer)
        }
    }
}
