// A picture of what the landmarker found: each face's detector box (green), the box the landmark
// model ran on (yellow, when calibrated), its 68 points (red dots) and its number (0 = largest);
// and a fit's given or detected landmarks against its fitted ones.

public enum LandmarkOverlay {
    /// `photo` as RGB [H, W, 3] in [0, 1] with every face drawn on it; line and dot sizes follow the face size.
    public static func draw(_ photo: Image, faces: [LandmarkedFace]) -> HostTensor {
        var canvas = Canvas(photo)
        for (index, face) in faces.enumerated() {
            let thickness = max(1, Int(face.detection.width / 120))
            canvas.rectangle(face.detection, thickness: thickness, colour: (0.1, 0.9, 0.2))
            if face.predictorBox != face.detection {
                canvas.rectangle(face.predictorBox, thickness: max(1, thickness / 2), colour: (1, 0.85, 0.1))
            }
            let radius = max(1.5, face.detection.width / 110)
            for p in face.points {
                canvas.disk(x: Double(p.x), y: Double(p.y), radius: radius, colour: (1, 0.15, 0.1))
            }
            canvas.number(
                index, x: Int(face.detection.left), y: Int(face.detection.top) - 2,
                scale: max(2, Int(face.detection.width / 50)), colour: (0.1, 0.9, 0.2))
        }
        return HostTensor([canvas.height, canvas.width, 3], canvas.rgb)
    }

    /// The square `frame.box` of `photo` at `side`² pixels with `given` [68] (red) and `fitted` [68]
    /// (green) points (0-based photo pixel centres), each pair joined by a yellow line.
    public static func compare(_ photo: Image, box: FaceBox, side: Int, given: [SIMD2<Float>],
                               fitted: [SIMD2<Float>]) -> HostTensor {
        let crop = FaceCrop.cropRGB(photo, box: box, height: side, width: side)
        var canvas = Canvas(Image(pixels: crop, bitDepth: 8))
        let scale = Float(Double(side) / box.width), origin = SIMD2(Float(box.x), Float(box.y))
        func place(_ p: SIMD2<Float>) -> SIMD2<Float> { (p + 0.5 - origin) * scale - 0.5 }
        let radius = max(1.5, Double(side) / 160)
        for (a, b) in zip(given, fitted) {
            canvas.segment(place(a), place(b), thickness: radius / 2, colour: (1, 0.85, 0.1))
        }
        for (points, size, colour) in [(given, radius, (Float(1), Float(0.15), Float(0.1))),
                                       (fitted, radius * 0.8, (0.1, 0.9, 0.2))] {
            for p in points.map(place) {
                canvas.disk(x: Double(p.x), y: Double(p.y), radius: size, colour: colour)
            }
        }
        return HostTensor([canvas.height, canvas.width, 3], canvas.rgb)
    }
}

/// An RGB drawing surface; everything drawn is clipped to it.
private struct Canvas {
    let width: Int, height: Int
    var rgb: [Float]

    init(_ photo: Image) {
        (width, height) = (photo.width, photo.height)
        let c = photo.channels
        let v = photo.pixels.values
        rgb = (0..<width * height * 3).map { k in v[(k / 3) * c + (c >= 3 ? k % 3 : 0)] }
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: (Float, Float, Float)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        (rgb[i], rgb[i + 1], rgb[i + 2]) = colour
    }

    mutating func fill(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ colour: (Float, Float, Float)) {
        for y in stride(from: max(0, y0), through: min(height - 1, y1), by: 1) {
            for x in stride(from: max(0, x0), through: min(width - 1, x1), by: 1) { set(x, y, colour) }
        }
    }

    /// The outline of dlib's inclusive rectangle, `thickness` pixels inward.
    mutating func rectangle(_ r: DetectedFace, thickness t: Int, colour: (Float, Float, Float)) {
        guard r.left.isFinite, r.top.isFinite, r.right.isFinite, r.bottom.isFinite else { return }
        let (l, top, right, b) = (
            Int(r.left.rounded()), Int(r.top.rounded()), Int(r.right.rounded()), Int(r.bottom.rounded())
        )
        fill(l, top, right, top + t - 1, colour)
        fill(l, b - t + 1, right, b, colour)
        fill(l, top, l + t - 1, b, colour)
        fill(right - t + 1, top, right, b, colour)
    }

    mutating func disk(x: Double, y: Double, radius: Double, colour: (Float, Float, Float)) {
        guard x.isFinite, y.isFinite else { return }
        let r = Int(radius.rounded(.up))
        let (cx, cy) = (Int(x.rounded()), Int(y.rounded()))
        for dy in -r...r {
            for dx in -r...r where Double(dx * dx + dy * dy) <= radius * radius {
                set(cx + dx, cy + dy, colour)
            }
        }
    }

    /// A line from `a` to `b` of disks of `thickness` diameter, one per pixel along it.
    mutating func segment(_ a: SIMD2<Float>, _ b: SIMD2<Float>, thickness: Double,
                          colour: (Float, Float, Float)) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let steps = max(1, Int(((b - a) * (b - a)).sum().squareRoot().rounded(.up)))
        for s in 0...steps {
            let p = a + (b - a) * Float(s) / Float(steps)
            disk(x: Double(p.x), y: Double(p.y), radius: thickness / 2, colour: colour)
        }
    }

    /// `value` in a 3×5 pixel font, each font pixel `scale` wide, its bottom-left corner at (x, y).
    mutating func number(_ value: Int, x: Int, y: Int, scale: Int, colour: (Float, Float, Float)) {
        for (k, digit) in String(value).compactMap(\.wholeNumberValue).enumerated() {
            let bits = Self.digits[digit]
            for row in 0..<5 {
                for column in 0..<3 where bits >> (14 - row * 3 - column) & 1 == 1 {
                    let px = x + (k * 4 + column) * scale
                    let py = y - (5 - row) * scale
                    fill(px, py, px + scale - 1, py + scale - 1, colour)
                }
            }
        }
    }

    /// Rows of three bits, top row first, for 0…9.
    private static let digits: [Int] = [
        0b111_101_101_101_111, 0b010_110_010_010_111, 0b111_001_111_100_111, 0b111_001_111_001_111,
        0b101_101_111_001_001, 0b111_100_111_001_111, 0b111_100_111_101_111, 0b111_001_001_010_010,
        0b111_101_111_101_111, 0b111_101_111_001_111,
    ]
}
