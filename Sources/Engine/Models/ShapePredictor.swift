// dlib's face landmark predictor: a cascade of regression-tree forests (Kazemi & Sullivan 2014) run
// as dlib's shape_predictor::operator() runs it, on an 8-bit RGB photo and a face box. Read by
// ShapePredictorFile; the result matches dlib's points before dlib rounds them to integers.
import Foundation

/// A cascade of forests that moves a mean shape, placed in a face box, onto the face's landmarks.
///
/// Shapes live in the box's unit square: (0, 0) is the box's top-left pixel, (1, 1) its bottom-right
/// pixel (dlib's rectangle corners, inclusive). Each level reads the photo's grey level at its feature
/// pixels (each tied to a point of the shape and moved with it), and every tree of the level picks a
/// leaf by comparing pairs of those grey levels and adds the leaf's shape offset.
public struct ShapePredictor: Sendable {
    /// Points per shape (68 for iBUG's layout).
    public let partCount: Int
    /// The mean shape in unit-square coordinates, [x0, y0, x1, y1, …].
    let initialShape: [Float]
    let levels: [ShapeCascadeLevel]

    /// Reads a dlib shape predictor file (shape_predictor_68_face_landmarks.dat); a bad file is a badFile
    /// error.
    public init(path: String) throws {
        self = try ShapePredictorFile.read(path)
    }

    init(initialShape: [Float], levels: [ShapeCascadeLevel]) {
        partCount = initialShape.count / 2
        self.initialShape = initialShape
        self.levels = levels
    }

    /// The landmarks of the face in `box`, [partCount] of (x, y) in photo pixels, 0-based pixel centres.
    ///
    /// dlib returns the same positions rounded to integers (floor(v + 0.5), its dlib::point); these are
    /// left unrounded. The box's corners are used as given (dlib's are whole pixels).
    public func predict(_ photo: RGBImage8, face box: DetectedFace) -> [SIMD2<Double>] {
        var shape = initialShape
        let pixelCount = levels.map(\.anchors.count).max() ?? 0
        var values = [Float](repeating: 0, count: pixelCount)
        let toPhoto = UnitSquareToPhoto(box)
        for level in levels {
            let (a, b) = Self.similarity(from: initialShape, to: shape)
            for i in 0..<level.anchors.count {
                let anchor = Int(level.anchors[i]), dx = level.deltas[2 * i], dy = level.deltas[2 * i + 1]
                // As dlib: the offset turned with the shape (in float), added to the moved anchor point,
                // mapped to pixels.
                let ux = a * dx + -b * dy + shape[2 * anchor]
                let uy = b * dx + a * dy + shape[2 * anchor + 1]
                guard let p = toPhoto.pixel(ux, uy, in: photo) else { values[i] = 0; continue }
                values[i] = Float(photo.intensity(x: p.x, y: p.y))
            }
            level.apply(values, to: &shape)
        }
        return (0..<partCount).map { toPhoto.point(shape[2 * $0], shape[2 * $0 + 1]) }
    }

    /// The similarity (scale · rotation, no translation needed) that best maps `from` onto `to` in least
    /// squares, as dlib's find_similarity_transform (Umeyama): in 2-D it is [[a, −b], [b, a]] with
    /// a = Σ(p·q)/Σ|p|², b = Σ(p×q)/Σ|p|² over the centred points p of `from` and q of `to`.
    static func similarity(from: [Float], to: [Float]) -> (a: Float, b: Float) {
        let n = from.count / 2
        var meanFrom = SIMD2<Double>(), meanTo = SIMD2<Double>()
        for k in 0..<n {
            meanFrom += SIMD2(Double(from[2 * k]), Double(from[2 * k + 1]))
            meanTo += SIMD2(Double(to[2 * k]), Double(to[2 * k + 1]))
        }
        meanFrom /= Double(n)
        meanTo /= Double(n)
        var dot = 0.0, cross = 0.0, spread = 0.0
        for k in 0..<n {
            let p = SIMD2(Double(from[2 * k]), Double(from[2 * k + 1])) - meanFrom
            let q = SIMD2(Double(to[2 * k]), Double(to[2 * k + 1])) - meanTo
            dot += p.x * q.x + p.y * q.y
            cross += p.x * q.y - p.y * q.x
            spread += p.x * p.x + p.y * p.y
        }
        guard spread > 0 else { return (1, 0) }
        return (Float(dot / spread), Float(cross / spread))
    }
}

/// One level of the cascade: its feature pixels and a forest of equally deep trees.
struct ShapeCascadeLevel: Sendable {
    /// A tree node: go left when value[first] − value[second] > threshold.
    struct Split: Sendable {
        var first: UInt32, second: UInt32
        var threshold: Float
    }

    /// Per feature pixel, the shape point it moves with, and its offset from that point in the mean
    /// shape, [x, y] per pixel.
    let anchors: [UInt32]
    let deltas: [Float]
    /// Per tree its splits in breadth-first order (node k's children are 2k + 1 and 2k + 2).
    let splits: [Split]
    /// Per tree its leaves in order, each a shape offset of 2 · partCount values.
    let leaves: [Float]
    let treeCount: Int, splitsPerTree: Int

    /// Runs every tree on the feature pixel `values`, then adds each chosen leaf to `shape` in tree order.
    /// Choosing all the leaves first lets their reads from memory (4 MB of the 65 MB per face) overlap.
    func apply(_ values: [Float], to shape: inout [Float]) {
        let width = shape.count, leavesPerTree = splitsPerTree + 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: treeCount) { chosen in
            values.withUnsafeBufferPointer { values in
                splits.withUnsafeBufferPointer { splits in
                    for tree in 0..<treeCount {
                        let nodes = tree * splitsPerTree
                        var k = 0
                        while k < splitsPerTree {
                            let s = splits[nodes + k]
                            let left = values[Int(s.first)] - values[Int(s.second)] > s.threshold
                            k = left ? 2 * k + 1 : 2 * k + 2
                        }
                        chosen[tree] = (tree * leavesPerTree + k - splitsPerTree) * width
                    }
                }
            }
            leaves.withUnsafeBufferPointer { leaves in
                shape.withUnsafeMutableBufferPointer { shape in
                    guard let first = leaves.baseAddress, let sum = shape.baseAddress else { return }
                    for tree in 0..<treeCount {
                        let leaf = first + chosen[tree]
                        for j in 0..<width { sum[j] += leaf[j] }
                    }
                }
            }
        }
    }
}

/// dlib's unnormalizing_tform: the unit square onto the box, (0, 0) → (left, top),
/// (1, 1) → (right, bottom).
private struct UnitSquareToPhoto {
    let left: Double, top: Double, width: Double, height: Double

    init(_ box: DetectedFace) {
        (left, top, width, height) = (box.left, box.top, box.right - box.left, box.bottom - box.top)
    }

    func point(_ x: Float, _ y: Float) -> SIMD2<Double> {
        SIMD2(left + width * Double(x), top + height * Double(y))
    }

    /// The pixel a point falls in, rounded as dlib rounds to a dlib::point (floor(v + 0.5)); nil outside
    /// the photo (dlib reads those as 0).
    @inline(__always)
    func pixel(_ x: Float, _ y: Float, in photo: RGBImage8) -> (x: Int, y: Int)? {
        let p = point(x, y)
        let column = (p.x + 0.5).rounded(.down), row = (p.y + 0.5).rounded(.down)
        guard column >= 0, column < Double(photo.width), row >= 0, row < Double(photo.height) else {
            return nil
        }
        return (Int(column), Int(row))
    }
}
