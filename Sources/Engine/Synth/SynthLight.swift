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
        let exact = SphericalHarmonics.irradiance(
            ambient: ambient.map(Double.init), colour: colour.map(Double.init),
            direction: SIMD3(l[0], l[1], l[2]))
        let coefficients = exact.enumerated().map { k, row in
            row.map { Float($0 + (k == 0 ? 0 : random.normal(0.02))) }
        }
        return SynthLight(
            ambient: ambient, colour: colour, direction: l.map { Float($0) }, coefficients: coefficients)
    }
}
