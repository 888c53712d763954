// The CPU reference shared by ops whose output is a sparse linear map of the input's pixels
// (resizing, affine warping): one list of taps serves the forward (a gather) and the backward
// (the transpose, a scatter), so the two cannot disagree.

/// A sparse linear map A of image planes, each plane to the same plane: its non-zeros.
/// A conforming type, not a closure, so that the loop over them compiles into the plane's own
/// code on every worker (through a closure, the code a worker ran called it per tap: bilinear
/// resizing 3× slower on two workers than on one).
protocol PlaneTaps {
    associatedtype Scalar: RefScalar
    /// Calls `body` with (output index, input index, weight) for every non-zero of A in plane
    /// `plane`, in the order the forward sums them; indices span the whole tensors.
    func forEach(plane: Int, _ body: (Int, Int, Scalar) -> Void)
}

/// y = A·x, or dx = Aᵀ·dy when `transpose`, for the sparse A that `taps` lists. Planes run on
/// the CPU workers; each writes only its own plane of the result.
@inline(__always)
func applyTaps<Taps: PlaneTaps>(_ source: [Taps.Scalar], resultCount: Int, planes: Int, transpose: Bool,
                                _ taps: Taps) -> [Taps.Scalar] {
    var result = [Taps.Scalar](repeating: 0, count: resultCount)
    // Tap indices span the whole tensors, so every plane gets the tensors' starts.
    CPUParallel.forEachPlane(planes, source, sourcePlane: 0, &result, resultPlane: 0) { plane, from, to in
        if transpose {
            taps.forEach(plane: plane) { o, i, weight in to[i] += weight * from[o] }
        } else {
            taps.forEach(plane: plane) { o, i, weight in to[o] += weight * from[i] }
        }
    }
    return result
}

/// One corner of a bilinear sample: its index in the plane, its row and column weights
/// (weight = wy·wx), and the signs ∂wy/∂sy and ∂wx/∂sx (−1 for the corner before the sample,
/// +1 for the one after).
struct BilinearTap<T: RefScalar> {
    let index: Int
    let wy, wx: T
    let signY, signX: T

    var weight: T { wy * wx }
}

/// Bilinear taps of a sample at (sy, sx) in an H×W plane with zero padding: the corners
/// (y0, x0), (y0, x0+1), (y0+1, x0), (y0+1, x0+1) with weights (1−fy)(1−fx), (1−fy)fx,
/// fy(1−fx), fy·fx, each only when inside the plane. `clampHigh` maps a corner past the
/// last row or column onto it instead (PyTorch's resize rule) rather than dropping it.
@inline(__always)
func bilinearTaps<T: RefScalar>(_ sy: T, _ sx: T, height: Int, width: Int, clampHigh: Bool,
                                _ body: (BilinearTap<T>) -> Void) {
    guard sy >= -1 && sy < T(height) && sx >= -1 && sx < T(width) else { return }
    let fy0 = sy.rounded(.down), fx0 = sx.rounded(.down)
    let y0 = fy0.integerPart, x0 = fx0.integerPart, fy = sy - fy0, fx = sx - fx0
    let y1 = clampHigh ? Swift.min(y0 + 1, height - 1) : y0 + 1
    let x1 = clampHigh ? Swift.min(x0 + 1, width - 1) : x0 + 1
    func row(_ y: Int, _ wy: T, _ signY: T) {
        guard y >= 0 && y < height else { return }
        if x0 >= 0 && x0 < width { body(BilinearTap(index: y * width + x0, wy: wy, wx: 1 - fx, signY: signY, signX: -1)) }
        if x1 >= 0 && x1 < width { body(BilinearTap(index: y * width + x1, wy: wy, wx: fx, signY: signY, signX: 1)) }
    }
    row(y0, 1 - fy, -1)
    row(y1, fy, 1)
}
