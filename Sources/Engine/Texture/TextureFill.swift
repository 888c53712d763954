// Completing a partly seen UV map on the host: texels the camera did not see take their mirror
// texel's colour where that one was seen (symmetric completion), and what neither side saw is
// filled from the seen texels around it by pull-push (a pyramid of weighted means, each coarser
// level filling the gaps of the finer one), so no part of the map is a flat patch.
import Foundation

enum TextureFill {
    /// The photo's colours on the UV map where the camera saw them, over a completed skin layer:
    /// result = w·p + (1 − w)·S, where p, w are a texel's photo colour and weight (its ragged
    /// edges softened) and S the photo completed by symmetry and filled everywhere, from the
    /// trusted weights v = w·`trust` (default 1; see `skinLikeness`): colour
    /// (v·p + (1 − v)·v′·p′) / (v + (1 − v)·v′) with weight v + (1 − v)·v′, p′ and v′ the mirror
    /// texel's, then `pullPush`. Seen texels keep the photo (hair included: the pixel loss wants
    /// it); unseen ones take the mirror's skin, or the skin around them.
    static func completed(_ photo: ProjectedPhoto, symmetry: UVSymmetry, trust: HostTensor? = nil) throws
        -> HostTensor
    {
        let (t, n) = (photo.texture.shape[0], photo.texture.shape[0] * photo.texture.shape[1])
        guard symmetry.size == t else {
            throw EngineError.shapeMismatch(
                op: "TextureFill", expected: "a symmetry map of \(t)² texels",
                got: "\(symmetry.size)²")
        }
        let skin = photo.skin.values
        let covered = symmetry.coverage.values
        let p = photo.photoColours
        // The weights softened: their edges are ragged where occlusion and facing cut them.
        let raw = zip(photo.weight.values, covered).map(*)
        let w = zip(boxBlur(raw, size: t, radius: Swift.max(t / 32, 1)), raw).map { Swift.min($0, $1) }
        let v = zip(w, trust?.values ?? w.map { _ in 1 }).map(*)
        let trustedSeen = (0..<n * 3).map { v[$0 / 3] * p[$0] }
        let sample = TextureSample()
        let mirrorSeen = try sample.reference([HostTensor([t, t, 3], trustedSeen), symmetry.mirror])[0].values
        let mirrorWeight = try sample.reference([HostTensor([t, t, 1], v), symmetry.mirror])[0].values
        var colours = [Float](repeating: 0, count: n * 3)
        var weight = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let other = covered[i] > 0 ? mirrorWeight[i] : 0
            weight[i] = Swift.min(v[i] + (1 - v[i]) * other, 1)
            guard weight[i] > 0 else { continue }
            for c in 0..<3 {
                colours[3 * i + c] = (trustedSeen[3 * i + c] + (1 - v[i]) * mirrorSeen[3 * i + c]) / weight[i]
            }
        }
        let layer = pullPush(
            HostTensor([t, t, 3], colours), weight: HostTensor([t, t, 1], weight), fallback: skin)
        return HostTensor(
            [t, t, 3], (0..<n * 3).map { w[$0 / 3] * p[$0] + (1 - w[$0 / 3]) * layer.values[$0] })
    }

    /// Per texel [T, T, 1], how far to trust the photo there: near the facial features (within
    /// `radius` of the UVs in `features`, such as the inner landmarks' vertices, fading out over as
    /// much again) 1, since eyes, brows and lips differ from skin by right; elsewhere by how far the
    /// photo's colour is from the skin around the features (their weighted mean colour m), in hue
    /// and in brightness: s = max(|c/mean(c) − m/mean(m)| / `hue`, |ln(mean(c)/mean(m))| / `brightness`),
    /// 1 up to s = 1 and falling to 0 at s = 2. Hair and background that the mesh's outer parts
    /// project onto count as unseen; shading (brightness, mostly) is tolerated.
    static func skinLikeness(
        _ photo: ProjectedPhoto, features: [SIMD2<Float>], radius: Float = 0.04,
        hue: Float = 0.25, brightness: Float = 0.6
    ) -> HostTensor {
        let t = photo.texture.shape[0]
        let w = photo.weight.values
        let colours = photo.photoColours
        let protection = (0..<t * t).map { i -> Float in
            let uv = texelCentre(i, side: t)
            let nearest = features.map { (($0 - uv) * ($0 - uv)).sum() }.min() ?? .infinity
            return Swift.min(Swift.max(2 - nearest.squareRoot() / radius, 0), 1)
        }
        func photoColour(_ i: Int) -> SIMD3<Float> { SIMD3(colours[3 * i], colours[3 * i + 1], colours[3 * i + 2]) }
        // The skin colour: the seen texels around the features (within 3 radii), weighted.
        var sum = SIMD3<Float>()
        var total: Float = 0
        for i in 0..<t * t where protection[i] < 1 && w[i] > 0 {
            let uv = texelCentre(i, side: t)
            guard features.contains(where: { (($0 - uv) * ($0 - uv)).sum() < 9 * radius * radius }) else {
                continue
            }
            sum += w[i] * photoColour(i)
            total += w[i]
        }
        let mean = total > 0 ? sum / total : SIMD3(photo.skin.values[0], photo.skin.values[1], photo.skin.values[2])
        let meanLevel = Swift.max(mean.sum() / 3, 1e-3)
        return HostTensor(
            [t, t, 1],
            (0..<t * t).map { i -> Float in
                guard w[i] > 0 else { return 1 }
                let c = photoColour(i)
                let level = Swift.max(c.sum() / 3, 1e-3)
                let d = c / level - mean / meanLevel
                let score = Swift.max(
                    (d * d).sum().squareRoot() / hue,
                    Swift.abs(Foundation.log(level / meanLevel)) / brightness)
                return Swift.max(Swift.min(Swift.max(2 - score, 0), 1), protection[i])
            })
    }

    /// `colours` [H, W, C] where `weight` [H, W, 1] (in [0, 1]) is 1, blended towards the
    /// weighted colours around where it is less: result = w·c + (1 − w)·(the coarser level's
    /// result, bilinearly upsampled). `fallback` [C] where nothing has weight.
    static func pullPush(_ colours: HostTensor, weight: HostTensor, fallback: [Float]) -> HostTensor {
        let (h, w, c) = (colours.shape[0], colours.shape[1], colours.shape[2])
        if h == 1 && w == 1 {
            let k = weight.values[0]
            return HostTensor([1, 1, c], (0..<c).map { k * colours.values[$0] + (1 - k) * fallback[$0] })
        }
        // Pull: 2×2 weighted means, weights summed (at most 1).
        let (ch, cw) = ((h + 1) / 2, (w + 1) / 2)
        var coarse = [Float](repeating: 0, count: ch * cw * c)
        var coarseWeight = [Float](repeating: 0, count: ch * cw)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let j = (y / 2) * cw + x / 2
                let k = weight.values[i]
                coarseWeight[j] += k
                for d in 0..<c { coarse[j * c + d] += k * colours.values[i * c + d] }
            }
        }
        for j in 0..<ch * cw where coarseWeight[j] > 0 {
            for d in 0..<c { coarse[j * c + d] /= coarseWeight[j] }
            coarseWeight[j] = Swift.min(coarseWeight[j], 1)
        }
        let filled = pullPush(
            HostTensor([ch, cw, c], coarse), weight: HostTensor([ch, cw, 1], coarseWeight),
            fallback: fallback
        ).values
        // Push: the coarse level, bilinear at each fine texel's centre, under the fine colours.
        var out = [Float](repeating: 0, count: h * w * c)
        for y in 0..<h {
            let (y0, y1, fy) = taps((Float(y) + 0.5) / 2 - 0.5, ch)
            for x in 0..<w {
                let (x0, x1, fx) = taps((Float(x) + 0.5) / 2 - 0.5, cw)
                let i = y * w + x
                let k = weight.values[i]
                for d in 0..<c {
                    func at(_ yy: Int, _ xx: Int) -> Float { filled[(yy * cw + xx) * c + d] }
                    let up =
                        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy
                        * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))
                    out[i * c + d] = k * colours.values[i * c + d] + (1 - k) * up
                }
            }
        }
        return HostTensor([h, w, c], out)
    }

    /// `values` [size, size] averaged over (2·radius + 1)² boxes (clamped at the borders).
    static func boxBlur(_ values: [Float], size n: Int, radius r: Int) -> [Float] {
        func pass(_ x: [Float], _ step: (Int, Int) -> Int) -> [Float] {
            var out = x
            for line in 0..<n {
                for k in 0..<n {
                    let range = Swift.max(k - r, 0)...Swift.min(k + r, n - 1)
                    out[step(line, k)] = range.map { x[step(line, $0)] }.reduce(0, +) / Float(range.count)
                }
            }
            return out
        }
        return pass(pass(values) { $0 * n + $1 }) { $1 * n + $0 }
    }

    /// The two neighbouring indices in 0..<n of continuous position p and the weight of the second.
    private static func taps(_ p: Float, _ n: Int) -> (Int, Int, Float) {
        let clamped = Swift.min(Swift.max(p, 0), Float(n - 1))
        let low = Int(clamped)
        return (low, Swift.min(low + 1, n - 1), clamped - Float(low))
    }
}
