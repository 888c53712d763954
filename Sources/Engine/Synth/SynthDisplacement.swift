// Shape the model cannot express: a smooth random displacement of each synthetic face along the
// mean face's normals, a sum of Gaussian bumps centred on random vertices of the face's middle.
// Sized (SynthRanges.bumpHeight) so that the true mesh projected onto the model scores about
// 0.5 mm under `evaluate`, as the model's floor does on real scans (issue 10).
import Foundation

/// One bump: height·exp(−d²/(2·radius²)) along the normal, d the distance on the mean face (mm)
/// from `vertex`.
public struct SynthBump: Codable, Equatable, Sendable {
    public var vertex: Int
    public var radius: Float
    public var height: Float
}

extension SynthBump {
    /// `count` bumps on vertices within `layout.bumpRegion`, radii uniform in `radius` (mm), heights
    /// N(0, `height`) (mm).
    static func draw(
        _ random: inout SynthRandom, layout: SynthLayout, count: Int, radius: ClosedRange<Double>,
        height: Double
    ) -> [SynthBump] {
        (0..<count).map { _ in
            SynthBump(
                vertex: layout.bumpVertices[random.index(layout.bumpVertices.count)],
                radius: Float(random.uniform(radius)), height: Float(random.normal(height)))
        }
    }

    /// The displacement [V, 3] (mm) of `bumps` on the mean face `mean` with unit normals `normals`.
    static func displacement(_ bumps: [SynthBump], mean: [SIMD3<Float>], normals: [SIMD3<Float>])
        -> HostTensor
    {
        var values = [Float](repeating: 0, count: 3 * mean.count)
        for bump in bumps {
            let centre = mean[bump.vertex]
            let scale = -1 / (2 * bump.radius * bump.radius)
            for (v, p) in mean.enumerated() {
                let d = p - centre
                let h = bump.height * Foundation.exp((d * d).sum() * scale)
                for c in 0..<3 { values[3 * v + c] += h * normals[v][c] }
            }
        }
        return HostTensor([mean.count, 3], values)
    }
}
