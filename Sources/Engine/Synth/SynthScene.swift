// One synthetic face's truth, drawn from its seed: identity and expression coefficients, pose,
// camera (35 mm-equivalent focal, size and place in the frame), spherical-harmonics light,
// which albedo and which background crop, the shape the model cannot express (bumps) and the
// photo's degradations. Everything `truth.json` records.
import Foundation

/// The parameters of one synthetic face; enough to render it again.
public struct SynthFace: Codable, Equatable, Sendable {
    public var index: Int
    /// Which photo of the person (0-based; `SynthSettings.views`): every view shares the shape, the
    /// bumps and the albedo, and draws its own expression, pose, camera, light, background and capture.
    public var view = 0
    /// Shape coefficients [Ks] in standard deviations, ~ N(0, SynthRanges.shape²).
    public var shape: [Float]
    /// Expression blendshape weights [Ke], |N(0, SynthRanges.expression)| each.
    public var expression: [Float]
    /// Degrees: yaw (positive: the subject turns to their left, eos's sign), pitch (positive: chin up),
    /// roll; R = R_y(yaw)·R_x(−pitch)·R_z(roll).
    public var yaw: Float, pitch: Float, roll: Float
    /// The same rotation as an axis-angle [3] (radians) and the translation [3] (mm): camera = R·model + t.
    public var rotation: [Float]
    public var translation: [Float]
    /// Focal length in pixels, and its 35 mm equivalent (mm, by the image diagonal against 43.27 mm).
    public var focal: Float
    public var focal35mm: Float
    /// The mean face's landmark height (brows to chin) over the image's shorter side.
    public var faceFraction: Float
    /// Where the model's landmark centroid projects (continuous pixels, x right, y down).
    public var centre: [Float]
    /// The light as it was drawn (ambient [3], directional colour [3] and direction [3] towards the
    /// light, camera space) and as rendered: spherical-harmonics coefficients [9][3].
    public var ambient: [Float]
    public var lightColour: [Float]
    public var lightDirection: [Float]
    public var sphericalHarmonics: [[Float]]
    /// Index into the albedo list of `truth.json`.
    public var albedo: Int
    /// Index into the photo list and the crop of that photo (x, y, width, height in photo pixels).
    public var background: Int
    public var backgroundBox: [Double]
    /// The displacement along the mean face's normals that the model cannot express.
    public var bumps: [SynthBump]
    /// The photo's degradations (highlight, blur, noise, JPEG).
    public var capture: SynthCapture
    /// The model's floor (face_i.floor.obj), filled in after the render.
    public var floor: SynthFloor?
}

/// The true mesh projected onto the model (least squares, up to a similarity): its coefficients and
/// how far its vertices are from the truth's.
public struct SynthFloor: Codable, Equatable, Sendable {
    /// The floor's shape coefficients [Ks] (standard deviations) and expression weights [Ke].
    public var shape: [Float]
    public var expression: [Float]
    /// Root mean square over the vertices of the displacement, and of the floor's distance to the
    /// truth (mm).
    public var displacementRMS: Float
    public var vertexRMS: Float
}

/// The ranges faces are drawn from (issue 10's benchmark).
public struct SynthRanges: Sendable {
    public var yaw: ClosedRange<Double> = -60...60
    public var pitch: ClosedRange<Double> = -20...20
    public var roll: ClosedRange<Double> = -10...10
    /// 35 mm-equivalent focal lengths, mm (drawn uniformly in log focal).
    public var focal35mm: ClosedRange<Double> = 24...135
    public var faceFraction: ClosedRange<Double> = 0.15...0.60
    /// The landmarks keep this fraction of the face's height clear of the frame's edges.
    public var edgeMargin = 0.1
    /// The shape coefficients' standard deviation (each N(0, shape²)) and the expression weights'
    /// scale (each |N(0, expression)|). Calibrated so that the mean face scores about 1.2 mm under
    /// `evaluate`, as it does on real scans (issue 10): with N(0, 1) the mean face scores 1.66 mm
    /// against the neutral shapes alone (16 faces, seed 2024, no bumps) and 1.90 mm with expression
    /// weights |N(0, 0.2)|, so the Surrey model's N(0, 1) faces are further from its mean than real
    /// faces are. 0.5 and 0.1 (mild expressions: MICC-style scans are near-neutral) with the bumps
    /// below give 1.22 ± 0.28 mm (30 faces).
    public var shape = 0.5
    public var expression = 0.1
    /// The bumps: how many, their radii (mm, uniform) and heights (mm, N(0, bumpHeight)), on
    /// vertices within `bumpRegion` mm of the nose tip on the mean face. Narrow enough that the
    /// model absorbs about half of their energy (wide ones it mostly expresses, raising the mean
    /// face's error more than the floor), high enough for a floor of 0.49 ± 0.10 mm (30 faces).
    public var bumpCount = 20
    public var bumpRadius: ClosedRange<Double> = 5...12
    public var bumpHeight = 2.2
    public var bumpRegion = 75.0
    public var capture = SynthCaptureRanges()

    public init() {}
}

extension SynthFace {
    /// Face `index` of `seed` for a `width`×`height` image; its `view` draws from a stream of its own.
    static func draw(
        index: Int, view: Int = 0, seed: UInt64, width: Int, height: Int, layout: SynthLayout, ranges: SynthRanges,
        albedoCount: Int, photos: [SynthPhoto]
    ) -> SynthFace {
        var random = SynthRandom(seed: seed, stream: index + view * 1_000_003)
        let shape = (0..<layout.shapeCount).map { _ in Float(random.normal(ranges.shape)) }
        let expression = (0..<layout.expressionCount).map { _ in Float(abs(random.normal(ranges.expression)))
        }
        let yaw = random.uniform(ranges.yaw)
        let pitch = random.uniform(ranges.pitch)
        let roll = random.uniform(ranges.roll)
        let rotation = SynthRotation.matrix(yaw: yaw, pitch: pitch, roll: roll)
        let (w, h) = (Double(width), Double(height))
        let focal35mm = Foundation.exp(
            random.uniform(
                Foundation.log(ranges.focal35mm.lowerBound)...Foundation.log(ranges.focal35mm.upperBound)))
        let focal = focal35mm * (w * w + h * h).squareRoot() / 43.27
        let fraction = random.uniform(ranges.faceFraction)
        let side = fraction * Swift.min(w, h)  // the frontal landmark box's height in pixels
        let depth = focal * layout.landmarkHeight / side
        // The turned landmarks' extent around their centroid (pixels, at the centroid's depth), kept
        // `edgeMargin`·side clear of the frame's edges where the frame is large enough.
        let offsets = layout.landmarks.map { p -> [Double] in
            let r = SynthRotation.apply(rotation, p)
            return [r[0] * focal / depth, -r[1] * focal / depth]
        }
        let margin = ranges.edgeMargin * side
        let centre = (0..<2).map { axis -> Double in
            let low = margin - offsets.map { $0[axis] }.min()!
            let high = (axis == 0 ? w : h) - margin - offsets.map { $0[axis] }.max()!
            return low <= high ? random.uniform(low...high) : (low + high) / 2
        }
        let c = layout.landmarkCentre
        let rc = SynthRotation.apply(rotation, c)
        let translation = [
            (centre[0] - w / 2) * depth / focal - rc[0], -(centre[1] - h / 2) * depth / focal - rc[1],
            -depth - rc[2],
        ]
        let light = SynthLight.draw(&random)
        let albedo = random.index(albedoCount)
        let (background, box) = SynthBackground.choose(&random, photos: photos, aspect: w / h)
        let bumps = SynthBump.draw(
            &random, layout: layout, count: ranges.bumpCount, radius: ranges.bumpRadius,
            height: ranges.bumpHeight)
        let capture = SynthCapture.draw(&random, ranges: ranges.capture)
        return SynthFace(
            index: index, view: view, shape: shape, expression: expression, yaw: Float(yaw), pitch: Float(pitch),
            roll: Float(roll),
            rotation: SynthRotation.axisAngle(rotation).map { Float($0) },
            translation: translation.map { Float($0) },
            focal: Float(focal), focal35mm: Float(focal35mm), faceFraction: Float(fraction),
            centre: centre.map { Float($0) }, ambient: light.ambient, lightColour: light.colour,
            lightDirection: light.direction, sphericalHarmonics: light.coefficients, albedo: albedo,
            background: background, backgroundBox: [box.x, box.y, box.width, box.height], bumps: bumps,
            capture: capture, floor: nil)
    }
}

extension SynthRandom {
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        uniform(range.lowerBound, range.upperBound)
    }
}

/// What the scene needs to know of the model: coefficient counts and the mean face's landmarks
/// (centroid, every true landmark's offset from it, height from the brows to the chin), model units;
/// its vertices, unit normals and the vertices bumps may sit on.
struct SynthLayout {
    let shapeCount: Int, expressionCount: Int
    let landmarkCentre: [Double]
    let landmarks: [[Double]]
    let landmarkHeight: Double
    let mean: [SIMD3<Float>], normals: [SIMD3<Float>]
    let bumpVertices: [Int]

    init(_ face: FitModel, bumpRegion: Double = SynthRanges().bumpRegion) throws {
        shapeCount = face.model.shapeComponentCount
        expressionCount = face.model.expressionCount
        let mean = face.model.meanVertices
        let mapped = face.mapping.vertices.values.map { mean[$0] }
        let centre = mapped.reduce(SIMD3<Float>(), +) / Float(mapped.count)
        landmarkCentre = [Double(centre.x), Double(centre.y), Double(centre.z)]
        landmarks = SynthLandmarks.vertices(face).values.map { v in
            (0..<3).map { Double(mean[v][$0] - centre[$0]) }
        }
        landmarkHeight = Double(mapped.map(\.y).max()! - mapped.map(\.y).min()!)
        self.mean = mean
        // Area-weighted unit normals, as `evaluate`'s surfaces have them.
        normals = try SurfaceMesh(positions: mean.map(SIMD3<Double>.init), triangles: face.model.triangles).normals
            .map(SIMD3<Float>.init)
        let nose = face.mapping.vertices[31].map { mean[$0] } ?? centre
        let inside = mean.indices.filter { v in
            let d = mean[v] - nose
            return Double((d * d).sum().squareRoot()) <= bumpRegion
        }
        bumpVertices = inside.isEmpty ? Array(mean.indices) : inside
    }
}

/// Rotation matrices (row-major [9], camera = R·model) from head angles, and their axis-angle.
enum SynthRotation {
    /// R_y(yaw)·R_x(−pitch)·R_z(roll), angles in degrees.
    static func matrix(yaw: Double, pitch: Double, roll: Double) -> [Double] {
        let (y, p, r) = (yaw * .pi / 180, -pitch * .pi / 180, roll * .pi / 180)
        let ry: [Double] = [cos(y), 0, sin(y), 0, 1, 0, -sin(y), 0, cos(y)]
        let rx: [Double] = [1, 0, 0, 0, cos(p), -sin(p), 0, sin(p), cos(p)]
        let rz: [Double] = [cos(r), -sin(r), 0, sin(r), cos(r), 0, 0, 0, 1]
        return multiply(multiply(ry, rx), rz)
    }

    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        (0..<9).map { k -> Double in
            let (i, j) = (k / 3, k % 3)
            return a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j]
        }
    }

    static func apply(_ r: [Double], _ v: [Double]) -> [Double] {
        (0..<3).map { i -> Double in r[3 * i] * v[0] + r[3 * i + 1] * v[1] + r[3 * i + 2] * v[2] }
    }

    /// The axis-angle of a rotation by less than π (the angle along the unit axis).
    static func axisAngle(_ r: [Double]) -> [Double] {
        let angle = acos(Swift.min(1, Swift.max(-1, (r[0] + r[4] + r[8] - 1) / 2)))
        guard angle > 1e-9 else { return [0, 0, 0] }
        let k = angle / (2 * sin(angle))
        return [(r[7] - r[5]) * k, (r[2] - r[6]) * k, (r[3] - r[1]) * k]
    }
}
