// Similarity transforms in Double (x ↦ s·R·x + t) and the 3×3 matrices they rotate with: the
// geometry of `evaluate`'s alignment and ICP.
import Foundation

/// A 3×3 matrix by rows.
public struct Matrix3: Equatable, Sendable {
    public var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    public init(rows r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) { rows = (r0, r1, r2) }

    public static let identity = Matrix3(rows: SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    public var transposed: Matrix3 {
        Matrix3(
            rows: SIMD3(rows.0.x, rows.1.x, rows.2.x), SIMD3(rows.0.y, rows.1.y, rows.2.y),
            SIMD3(rows.0.z, rows.1.z, rows.2.z))
    }

    public var determinant: Double { dot(rows.0, cross(rows.1, rows.2)) }

    public static func * (m: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(dot(m.rows.0, v), dot(m.rows.1, v), dot(m.rows.2, v))
    }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        let c = b.transposed
        return Matrix3(rows: c * a.rows.0, c * a.rows.1, c * a.rows.2)
    }

    public static func == (a: Matrix3, b: Matrix3) -> Bool {
        a.rows.0 == b.rows.0 && a.rows.1 == b.rows.1 && a.rows.2 == b.rows.2
    }

    /// The rotation of the unit quaternion (w, x, y, z) (normalised here).
    public init(quaternion q: SIMD4<Double>) {
        let n = q / (q * q).sum().squareRoot()
        let (w, x, y, z) = (n.x, n.y, n.z, n.w)
        self.init(
            rows: SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
            SIMD3(2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
            SIMD3(2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)))
    }

    /// The rotation by `angle` radians about `axis` (any length).
    public init(axis: SIMD3<Double>, angle: Double) {
        let u = axis / length(axis)
        self.init(
            quaternion: SIMD4(
                cos(angle / 2), u.x * sin(angle / 2), u.y * sin(angle / 2), u.z * sin(angle / 2)))
    }

    /// The angle of a rotation matrix, radians in [0, π].
    public var rotationAngle: Double {
        let trace = rows.0.x + rows.1.y + rows.2.z
        return acos(Swift.min(1, Swift.max(-1, (trace - 1) / 2)))
    }
}

/// x ↦ scale·rotation·x + translation.
public struct Similarity: Equatable, Sendable {
    public var rotation: Matrix3
    public var scale: Double
    public var translation: SIMD3<Double>

    public init(rotation: Matrix3 = .identity, scale: Double = 1, translation: SIMD3<Double> = .zero) {
        (self.rotation, self.scale, self.translation) = (rotation, scale, translation)
    }

    public static let identity = Similarity()

    public func apply(_ x: SIMD3<Double>) -> SIMD3<Double> { scale * (rotation * x) + translation }

    /// `self` first, then `next`.
    public func then(_ next: Similarity) -> Similarity {
        Similarity(
            rotation: next.rotation * rotation, scale: next.scale * scale,
            translation: next.apply(translation))
    }

    /// The transform that undoes this one.
    public var inverse: Similarity {
        let r = rotation.transposed
        return Similarity(rotation: r, scale: 1 / scale, translation: -(r * translation) / scale)
    }
}

func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

func length(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }

extension SIMD3 where Scalar == Double {
    /// The unit vector along this one; zero stays zero.
    var normalized: SIMD3<Double> { length(self) > 0 ? self / length(self) : .zero }
}
