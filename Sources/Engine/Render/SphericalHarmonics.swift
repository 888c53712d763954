// The 9 real spherical harmonics of bands 0–2 on the host, in `Graph.sphericalHarmonics`' order and
// normalisation, and the irradiance coefficients of an ambient plus a directional light in that basis.

public enum SphericalHarmonics {
    /// Y_0…Y_8 at the unit vector n.
    public static func basis(_ n: SIMD3<Double>) -> [Double] {
        let (x, y, z) = (n.x, n.y, n.z)
        return [
            0.282095, 0.488603 * y, 0.488603 * z, 0.488603 * x, 1.092548 * x * y, 1.092548 * y * z,
            0.315392 * (3 * z * z - 1), 1.092548 * x * z, 0.546274 * (x * x - y * y),
        ]
    }

    /// The clamped cosine's band weights π, 2π/3, π/4 (Ramamoorthi–Hanrahan):
    /// max(0, n·l) ≈ Σ_k w_k·Y_k(l)·Y_k(n).
    public static func bandWeight(_ k: Int) -> Double { k == 0 ? .pi : k < 4 ? 2 * .pi / 3 : .pi / 4 }

    /// [9][3] coefficients of `ambient` [3] everywhere plus `colour` [3]·max(0, n·l) from the unit
    /// direction `l` (towards the light), the latter to second order.
    public static func irradiance(ambient: [Double], colour: [Double], direction l: SIMD3<Double>)
        -> [[Double]]
    {
        let y = basis(l)
        return (0..<9).map { k in
            (0..<3).map { c in colour[c] * bandWeight(k) * y[k] + (k == 0 ? ambient[c] / 0.282095 : 0) }
        }
    }
}
