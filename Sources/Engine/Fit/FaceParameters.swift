// The values a fit optimises, on the host between stages and for the outputs: shape and
// expression coefficients, camera, light and texture; and their first guess from the landmarks.
import Foundation

/// The fitted light: irradiance as 9 spherical-harmonics coefficients per colour channel (see
/// `Graph.sphericalHarmonics`), camera space.
public struct FaceLight: Sendable, Equatable {
    /// [9, 3] row-major (band k's red, green, blue). The start: ambient 0.6 plus 0.4 from the camera,
    /// about 1 on a surface facing the camera, so the projected photo starts as its own render.
    public var coefficients: [Float] = SphericalHarmonics.irradiance(
        ambient: [0.6, 0.6, 0.6], colour: [0.4, 0.4, 0.4], direction: SIMD3(0, 0, 1)
    ).flatMap { $0.map(Float.init) }

    public var tensor: HostTensor { HostTensor([9, 3], coefficients) }
}

public struct FaceParameters: Equatable {
    /// p_s [Ks] and p_e [Ke], in standard deviations (blendshape weights for p_e).
    public var shape: [Float]
    public var expression: [Float]
    /// Axis-angle [3], radians, and translation [3], model units (the Surrey model: mm).
    public var rotation: [Float]
    public var translation: [Float]
    /// The camera in the fitting crop's pixels: focal length, and principal point [2] (continuous
    /// pixels; the photo's centre, see `FitCamera`).
    public var focal: Float
    public var principalPoint: [Float]
    public var light = FaceLight()
    /// Stage 2's texture model's leaves by graph name (see `TextureModel`; empty before stage 2).
    public var texture: [String: HostTensor] = [:]

    /// The graph name of the leaf `base` of photo `view` (0-based) in a fit of several photos: the
    /// first photo's leaves keep their names, photo k's (k = 2, 3, …) end in "_k"; the shape (and the
    /// texture) are shared and never suffixed.
    static func leafName(_ base: String, view: Int) -> String {
        view == 0 || base == "shape" ? base : "\(base)_\(view + 1)"
    }

    /// The graph leaf names and values of the geometry and camera of photo `view`; the shared shape
    /// with the first photo's only.
    func geometryFeeds(view: Int = 0) -> [String: HostTensor] {
        var values = [
            "expression": HostTensor([expression.count], expression),
            "rotation": HostTensor([3], rotation), "translation": HostTensor([3], translation),
            "focal": HostTensor([1], [focal]), "principal_point": HostTensor([2], principalPoint),
        ]
        if view == 0 { values["shape"] = HostTensor([shape.count], shape) }
        return Dictionary(uniqueKeysWithValues: values.map { (Self.leafName($0.key, view: view), $0.value) })
    }

    /// Every leaf's name and value of photo `view`, the texture's last (absent before stage 2); the
    /// shared shape and texture with the first photo's only.
    func feeds(view: Int = 0) -> [(name: String, tensor: HostTensor)] {
        return geometryFeeds(view: view).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            + [(Self.leafName("light", view: view), light.tensor)]
            + (view == 0 ? texture.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } : [])
    }

    /// Reads back every parameter of photo `view` that `program` holds (after a stage).
    mutating func update(from program: Program, view: Int = 0) throws {
        func held(_ name: String) throws -> HostTensor? {
            guard let leaf = program.graph.leaf(named: name), let tensor = program.tensor(leaf) else {
                return nil
            }
            return try tensor.toHost()
        }
        func read(_ base: String) throws -> HostTensor? { try held(Self.leafName(base, view: view)) }
        shape = try read("shape")?.values ?? shape
        expression = try read("expression")?.values ?? expression
        rotation = try read("rotation")?.values ?? rotation
        translation = try read("translation")?.values ?? translation
        light.coefficients = try read("light")?.values ?? light.coefficients
        for name in texture.keys { texture[name] = try held(name) ?? texture[name] }
    }

    /// The mean face, frontal, placed so that its mapped landmarks' centroid projects onto the
    /// targets' centroid and their spread (RMS distance from the centroid) matches:
    /// depth d = f·spread_model/spread_image, translation = (x, y, −d) − centroid_model.
    /// `targets` [68] are in continuous crop pixels; `focal` and `principalPoint` the crop's camera.
    public static func initial(
        _ face: FitModel, targets: [SIMD2<Float>], focal: Float, principalPoint: SIMD2<Float>
    )
        -> FaceParameters
    {
        let pairs = face.mapping.vertices.filter { $0.key <= targets.count }.sorted { $0.key < $1.key }
        let mean = face.model.meanVertices
        let model = pairs.map { mean[$0.value] }
        let image = pairs.map { targets[$0.key - 1] }
        let modelCentre = model.reduce(SIMD3<Float>(), +) / Float(model.count)
        let imageCentre = image.reduce(SIMD2<Float>(), +) / Float(image.count)
        func spread<V: SIMD>(_ points: [V], _ centre: V) -> Float where V.Scalar == Float {
            (points.map { (($0 - centre) * ($0 - centre)).sum() }.reduce(0, +) / Float(points.count))
                .squareRoot()
        }
        let planar = model.map { SIMD2($0.x, $0.y) }
        let depth =
            focal * spread(planar, SIMD2(modelCentre.x, modelCentre.y))
            / Swift.max(spread(image, imageCentre), 1e-3)
        let offset = imageCentre - principalPoint
        let target = SIMD3(offset.x * depth / focal, -offset.y * depth / focal, -depth)
        let t = target - modelCentre
        return FaceParameters(
            shape: [Float](repeating: 0, count: face.model.shapeComponentCount),
            expression: [Float](repeating: 0, count: face.model.expressionCount),
            rotation: [0, 0, 0], translation: [t.x, t.y, t.z], focal: focal,
            principalPoint: [principalPoint.x, principalPoint.y])
    }

    /// `initial` for `input`'s landmarks seen by `camera` (its view of the fitting crop).
    public static func initial(_ face: FitModel, input: FitInput, camera: FitCamera) -> FaceParameters {
        let (focal, principalPoint) = camera.inCrop(input.frame)
        return initial(face, targets: input.cropLandmarks, focal: focal, principalPoint: principalPoint)
    }

    /// The head's yaw in degrees: the angle of the face's forward axis R·(0, 0, 1) about the
    /// vertical, positive when the subject turns towards their left (eos's sign).
    public var yawDegrees: Float {
        let r =
            (try? Rodrigues().reference([HostTensor([3], rotation)])[0].values) ?? [
                1, 0, 0, 0, 1, 0, 0, 0, 1,
            ]
        return Foundation.atan2(r[2], r[8]) * 180 / .pi
    }
}
