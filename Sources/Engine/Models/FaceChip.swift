// dlib's aligned face chips (dlib/image_transforms/interpolation.h): get_face_chip_details places a square
// on the photo by a similarity from dlib's mean face to the 68 points; extract_image_chip samples it
// bilinearly, from a ×½ Gaussian pyramid level when the face is much bigger than the chip.
import Foundation

public struct FaceChip {
    /// The chip's square on the photo before rotation: dlib's drectangle, corners inclusive, in pixels.
    public let left, top, right, bottom: Double
    /// Its rotation about its centre, radians (image axes: x right, y down).
    public let angle: Double
    /// The chip's side in pixels.
    public let size: Int

    /// get_face_chip_details(shape, size, padding) for 68 iBUG points (0-based pixel centres): the
    /// least-squares similarity from dlib's mean face (its brows, lower lip and jaw left out), padded
    /// by `padding` of the face's size on each side, to the points.
    public init(landmarks: [SIMD2<Float>], size: Int = 150, padding: Double = 0.25) throws {
        guard landmarks.count == 68, landmarks.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
            throw EngineError.invalidValue("a face chip needs 68 finite iBUG points (got \(landmarks.count))")
        }
        guard size > 1, padding >= 0 else {
            throw EngineError.invalidValue("a face chip needs size > 1, padding ≥ 0 (got \(size), \(padding))")
        }
        let from = Self.meanFace.map { _, x, y in
            SIMD2((padding + x) / (2 * padding + 1), (padding + y) / (2 * padding + 1)) * Double(size)
        }
        let to = Self.meanFace.map { i, _, _ in SIMD2(Double(landmarks[i].x), Double(landmarks[i].y)) }
        let n = Double(from.count)
        let meanFrom = from.reduce(.zero, +) / n, meanTo = to.reduce(.zero, +) / n
        // In 2-D the best rotation and scale is closed-form (Umeyama's SVD gives the same):
        // image = M·chip + t, M = [a −b; b a].
        var (a, b, norm) = (0.0, 0.0, 0.0)
        for (f, t) in zip(from, to) {
            let (p, q) = (f - meanFrom, t - meanTo)
            a += p.x * q.x + p.y * q.y
            b += p.x * q.y - p.y * q.x
            norm += p.x * p.x + p.y * p.y
        }
        guard norm > 0, a * a + b * b > 0 else {
            throw EngineError.invalidValue("the 68 landmarks are degenerate (all at one point): no face chip")
        }
        (a, b) = (a / norm, b / norm)
        func image(_ p: SIMD2<Double>) -> SIMD2<Double> {
            let q = p - meanFrom
            return SIMD2(a * q.x - b * q.y, b * q.x + a * q.y) + meanTo
        }
        angle = atan2(b, a)
        // centered_drect: a square of side size·scale whose inclusive corners are size·scale − 1 apart.
        let centre = image(SIMD2(Double(size), Double(size)) / 2)
        let half = (Double(size) * (a * a + b * b).squareRoot() - 1) / 2
        (left, top, right, bottom) = (centre.x - half, centre.y - half, centre.x + half, centre.y + half)
        self.size = size
    }

    /// extract_image_chip with bilinear sampling: the photo cropped to the chip's rotated square grown by
    /// a margin, halved by pyramid_down<2> while the chip's square there stays bigger than the chip, then
    /// sampled at each chip pixel; samples whose 2×2 neighbourhood leaves that image are black.
    public func extract(from photo: RGBImage8) -> RGBImage8 {
        var rect = Rect(left: left, top: top, right: right, bottom: bottom)
        let pixels = Double(size * size)
        var levels = 0, grow = 2.0
        while rect.down(levels + 1).area > pixels {
            levels += 1
            grow = grow * 2 + 2
        }
        let corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
            .map { rotated(SIMD2($0.0, $0.1), rect) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        // The crop: grown, clipped to the photo, rounded to whole pixels (dlib's rectangle of a drectangle).
        func whole(_ v: Double) -> Double { (v + 0.5).rounded(.down) }
        let x0 = whole(max(xs.min()! - grow, 0)), x1 = whole(min(xs.max()! + grow, Double(photo.width - 1)))
        let y0 = whole(max(ys.min()! - grow, 0)), y1 = whole(min(ys.max()! + grow, Double(photo.height - 1)))
        var source = RGBImage8(width: 0, height: 0, samples: [])
        if x0 <= x1 && y0 <= y1 {
            source = photo.crop(x: Int(x0), y: Int(y0), width: Int(x1 - x0) + 1, height: Int(y1 - y0) + 1)
        }
        for _ in 0..<levels { source = source.pyramidDown() }
        rect = Rect(left: left - x0, top: top - y0, right: right - x0, bottom: bottom - y0).down(levels)
        // The chip's corners (0, 0), (size − 1, 0), (0, size − 1) land on the rotated square's tl, tr, bl.
        let origin = rotated(SIMD2(rect.left, rect.top), rect)
        let across = (rotated(SIMD2(rect.right, rect.top), rect) - origin) / Double(size - 1)
        let down = (rotated(SIMD2(rect.left, rect.bottom), rect) - origin) / Double(size - 1)
        var samples = [UInt8](repeating: 0, count: size * size * 3)
        for r in 0..<size {
            for c in 0..<size {
                let (x, y) = (Double(c), Double(r))
                let p = SIMD2(across.x * x + down.x * y, across.y * x + down.y * y) + origin
                source.bilinear(p, into: &samples, at: (r * size + c) * 3)
            }
        }
        return RGBImage8(width: size, height: size, samples: samples)
    }

    /// `p` rotated by the chip's angle about the centre of `rect`.
    private func rotated(_ p: SIMD2<Double>, _ rect: Rect) -> SIMD2<Double> {
        let centre = SIMD2(rect.left + rect.right, rect.top + rect.bottom) / 2, d = p - centre
        return SIMD2(cos(angle) * d.x - sin(angle) * d.y, sin(angle) * d.x + cos(angle) * d.y) + centre
    }

    /// A drectangle (corners inclusive).
    private struct Rect {
        var left, top, right, bottom: Double

        var area: Double { left > right || top > bottom ? 0 : (right - left + 1) * (bottom - top + 1) }

        /// pyramid_down<2>'s rect_down applied `times` times: p/2 − (1.25, 0.75).
        func down(_ times: Int) -> Rect {
            var r = self
            for _ in 0..<times {
                r = Rect(left: r.left / 2 - 1.25, top: r.top / 2 - 0.75,
                         right: r.right / 2 - 1.25, bottom: r.bottom / 2 - 0.75)
            }
            return r
        }
    }

    /// dlib's mean face (points 27–54 and 60–64 of 68, as fractions of the face's box): (index, x, y).
    private static let meanFace: [(Int, Double, Double)] = [
        (27, 0.490127, 0.203352), (28, 0.490127, 0.307009), (29, 0.490127, 0.409805),
        (30, 0.490127, 0.515625), (31, 0.36688, 0.587326), (32, 0.426036, 0.609345),
        (33, 0.490127, 0.628106), (34, 0.554217, 0.609345), (35, 0.613373, 0.587326),
        (36, 0.121737, 0.216423), (37, 0.187122, 0.178758), (38, 0.265825, 0.179852),
        (39, 0.334606, 0.231733), (40, 0.260918, 0.245099), (41, 0.182743, 0.244077),
        (42, 0.645647, 0.231733), (43, 0.714428, 0.179852), (44, 0.793132, 0.178758),
        (45, 0.858516, 0.216423), (46, 0.79751, 0.244077), (47, 0.719335, 0.245099),
        (48, 0.254149, 0.780233), (49, 0.340985, 0.745405), (50, 0.428858, 0.727388),
        (51, 0.490127, 0.742578), (52, 0.551395, 0.727388), (53, 0.639268, 0.745405),
        (54, 0.726104, 0.780233), (60, 0.290379, 0.784792), (61, 0.428096, 0.778746),
        (62, 0.490127, 0.785343), (63, 0.552157, 0.778746), (64, 0.689874, 0.784792),
    ]
}

extension RGBImage8 {
    /// The image as a network input [1, 3, H, W], RGB planes in [0, 1].
    public var planes: HostTensor {
        let plane = width * height
        var values = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane { for k in 0..<3 { values[k * plane + i] = Float(samples[i * 3 + k]) / 255 } }
        return HostTensor([1, 3, height, width], values)
    }

    /// The pixels of a box inside the image.
    func crop(x: Int, y: Int, width: Int, height: Int) -> RGBImage8 {
        var samples: [UInt8] = []
        samples.reserveCapacity(width * height * 3)
        for row in y..<y + height {
            samples += self.samples[((row * self.width) + x) * 3..<((row * self.width) + x + width) * 3]
        }
        return RGBImage8(width: width, height: height, samples: samples)
    }

    /// pyramid_down<2> on 8-bit RGB: a separable [1 4 6 4 1] filter in integers, every other row and
    /// column from the third, (rows − 3)/2 × (cols − 3)/2 pixels, each sum / 256 truncated; empty when a
    /// side has 8 pixels or fewer.
    func pyramidDown() -> RGBImage8 {
        guard width > 8, height > 8 else { return RGBImage8(width: 0, height: 0, samples: []) }
        let w = (width - 3) / 2, h = (height - 3) / 2, taps = [1, 4, 6, 4, 1]
        var rows = [Int](repeating: 0, count: height * w * 3)
        for r in 0..<height {
            for c in 0..<w {
                for k in 0..<3 {
                    var sum = 0
                    for t in 0..<5 { sum += taps[t] * Int(samples[(r * width + 2 * c + t) * 3 + k]) }
                    rows[(r * w + c) * 3 + k] = sum
                }
            }
        }
        var out = [UInt8](repeating: 0, count: h * w * 3)
        for d in 0..<h {
            for i in 0..<w * 3 {
                var sum = 0
                for t in 0..<5 { sum += taps[t] * rows[(2 * d + t) * w * 3 + i] }
                out[d * w * 3 + i] = UInt8(sum / 256)
            }
        }
        return RGBImage8(width: w, height: h, samples: out)
    }

    /// dlib's interpolate_bilinear at `p` (pixel centres at integers), each channel truncated to 8 bits,
    /// written at `out[offset...]`; nothing written (black) when the 2×2 neighbourhood leaves the image.
    func bilinear(_ p: SIMD2<Double>, into out: inout [UInt8], at offset: Int) {
        let x = p.x.rounded(.down), y = p.y.rounded(.down)
        guard x >= 0, y >= 0, x + 1 < Double(width), y + 1 < Double(height) else { return }
        let (fx, fy) = (p.x - x, p.y - y), i = (Int(y) * width + Int(x)) * 3, below = width * 3
        for k in 0..<3 {
            let tl = Double(samples[i + k]), tr = Double(samples[i + 3 + k])
            let bl = Double(samples[i + below + k]), br = Double(samples[i + below + 3 + k])
            out[offset + k] = UInt8((1 - fy) * ((1 - fx) * tl + fx * tr) + fy * ((1 - fx) * bl + fx * br))
        }
    }
}
