// The synthetic faces' light: an ambient term plus one directional light, drawn around a
// plausible portrait setup and turned into the renderer's 9 spherical-harmonics coefficients
// (Ramamoorthi–Hanrahan irradiance), then perturbed a little so the light is not exactly that.
import Foundation

struct SynthLight {
    var ambient: [Float], colour: [Float], direction: [Float]
    /// [9][3]: irradiance coefficients per colour channel, the basis of `Graph.sphericalHarmonics`.
    var coefficients: [[Float]]

    /// Ambient grey 0.45–0.7, a directional light of 0.25–0.6 from up to 60° left or right and
    /// −10° to 50° above the camera axis, both slightly tinted (sd 3%); bands 1–2 perturbed (sd 0.02).
    static func draw(_ random: inout SynthRandom) -> SynthLight {
        func tinted(_ level: Double) -> [Float] {
            (0..<3).map { _ in Float(level * (1 + random.normal(0.03))) }
        }
        let ambient = tinted(random.uniform(0.45, 0.7))
        let colour = tinted(random.uniform(0.25, 0.6))
        let azimuth = random.uniform(-60, 60) * .pi / 180
        let elevation = random.uniform(-10, 50) * .pi / 180
        let l = [cos(elevation) * sin(azimuth), sin(elevation), cos(elevation) * cos(azimuth)]
        let basis = Self.basis(l)
        let coefficients = (0..<9).map { k in
            (0..<3).map { c -> Float in
                let direct = Double(colour[c]) * Self.bandWeight(k) * basis[k]
                let constant = k == 0 ? Double(ambient[c]) / 0.282095 : 0
                return Float(direct + constant + (k == 0 ? 0 : random.normal(0.02)))
            }
        }
        return SynthLight(
            ambient: ambient, colour: colour, direction: l.map { Float($0) }, coefficients: coefficients)
    }

    /// The 9 real spherical harmonics at the unit vector n (the renderer's order and normalisation).
    static func basis(_ n: [Double]) -> [Double] {
        let (x, y, z) = (n[0], n[1], n[2])
        return [
            0.282095, 0.488603 * y, 0.488603 * z, 0.488603 * x, 1.092548 * x * y, 1.092548 * y * z,
            0.315392 * (3 * z * z - 1), 1.092548 * x * z, 0.546274 * (x * x - y * y),
        ]
    }

    /// The clamped cosine's band weights π, 2π/3, π/4: max(0, n·l) ≈ Σ_k w_k·Y_k(l)·Y_k(n).
    static func bandWeight(_ k: Int) -> Double { k == 0 ? .pi : k < 4 ? 2 * .pi / 3 : .pi / 4 }
}
