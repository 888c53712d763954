// What the fit does not model, added to each synthetic photo: a Blinn-Phong specular highlight of
// the directional light (skin's sheen; the fit's shading is diffuse only), then, after the
// supersampled render is averaged down, a slight Gaussian blur, Gaussian pixel noise and JPEG
// compression. Each drawn from the face's seed and recorded in truth.json.
import Foundation

/// One face's photographic degradations.
public struct SynthCapture: Codable, Equatable, Sendable {
    /// Specular strength k_s (a fraction of the directional light's colour) and Blinn-Phong
    /// exponent: k_s·colour·max(0, n·h)^shininess where n·l > 0.
    public var specular: Float
    public var shininess: Float
    /// Gaussian blur's standard deviation, output pixels (0: none).
    public var blur: Float
    /// Pixel noise's standard deviation, [0, 1] units, independent per pixel and channel.
    public var noise: Float
    /// The JPEG's quality (libjpeg's 1–100 scale).
    public var jpegQuality: Int
    /// Seeds the noise (drawn from the face's stream).
    public var noiseSeed: UInt64
}

/// The ranges the degradations are drawn from.
public struct SynthCaptureRanges: Sendable {
    public var specular: ClosedRange<Double> = 0.05...0.35
    /// Drawn uniformly in log.
    public var shininess: ClosedRange<Double> = 8...64
    public var blur: ClosedRange<Double> = 0...1
    public var noise: ClosedRange<Double> = 0.002...0.02
    public var jpegQuality: ClosedRange<Int> = 70...95

    public init() {}
}

extension SynthCapture {
    static func draw(_ random: inout SynthRandom, ranges: SynthCaptureRanges) -> SynthCapture {
        let specular = random.uniform(ranges.specular)
        let logShininess = random.uniform(
            Foundation.log(ranges.shininess.lowerBound)...Foundation.log(ranges.shininess.upperBound))
        let blur = random.uniform(ranges.blur)
        let noise = random.uniform(ranges.noise)
        let quality = ranges.jpegQuality.lowerBound + random.index(ranges.jpegQuality.count)
        return SynthCapture(
            specular: Float(specular), shininess: Float(Foundation.exp(logShininess)), blur: Float(blur),
            noise: Float(noise), jpegQuality: quality, noiseSeed: random.next())
    }

    /// Adds the highlight to `image` [H, W, 3] from its camera-space pixel normals [H, W, 3]
    /// (unnormalised, antialiased: their length is the coverage), the camera's `focal` (pixels,
    /// principal point at the centre; it looks along −z), the light's unit `direction` (towards
    /// the light) and `colour`.
    func addSpecular(
        to image: inout [Float], normals: [Float], width: Int, height: Int, focal: Float, direction: [Float],
        colour: [Float]
    ) {
        let l = SIMD3(direction[0], direction[1], direction[2])
        for i in 0..<height {
            for j in 0..<width {
                let k = 3 * (i * width + j)
                let n = SIMD3(normals[k], normals[k + 1], normals[k + 2])
                let coverage = (n * n).sum().squareRoot()
                guard coverage > 0.05 else { continue }
                let unit = n / coverage
                let cosine = (unit * l).sum()
                guard cosine > 0 else { continue }
                // Towards the camera from the pixel's point: −(x, y, −f) up to scale, y up.
                var view = SIMD3(
                    -(Float(j) + 0.5 - Float(width) / 2), Float(i) + 0.5 - Float(height) / 2, focal)
                view /= (view * view).sum().squareRoot()
                var half = l + view
                half /= Swift.max(1e-6, (half * half).sum().squareRoot())
                let highlight = specular * Foundation.pow(Swift.max(0, (unit * half).sum()), shininess)
                for c in 0..<3 { image[k + c] += Swift.min(1, coverage) * highlight * colour[c] }
            }
        }
    }

    /// `image` [H, W, 3] blurred, noised and clamped to [0, 1] (the JPEG is the writer's).
    func degrade(_ image: [Float], width: Int, height: Int) -> [Float] {
        var out = blur >= 0.05 ? Self.gaussianBlur(image, width: width, height: height, sigma: blur) : image
        var random = SynthRandom(seed: noiseSeed)
        for k in out.indices {
            out[k] = Swift.min(1, Swift.max(0, out[k] + Float(random.normal(Double(noise)))))
        }
        return out
    }

    /// Separable Gaussian blur of an [H, W, 3] image (radius 3σ, edges clamped).
    static func gaussianBlur(_ image: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
        let radius = Int((3 * sigma).rounded(.up))
        var weights = (-radius...radius).map { Foundation.exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        func pass(_ source: [Float], horizontal: Bool) -> [Float] {
            var result = [Float](repeating: 0, count: source.count)
            for i in 0..<height {
                for j in 0..<width {
                    for (t, w) in weights.enumerated() {
                        let o = t - radius
                        let (y, x) =
                            horizontal
                            ? (i, Swift.min(width - 1, Swift.max(0, j + o)))
                            : (Swift.min(height - 1, Swift.max(0, i + o)), j)
                        for c in 0..<3 {
                            result[3 * (i * width + j) + c] += w * source[3 * (y * width + x) + c]
                        }
                    }
                }
            }
            return result
        }
        return pass(pass(image, horizontal: true), horizontal: false)
    }
}
