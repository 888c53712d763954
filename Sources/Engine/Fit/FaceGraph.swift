// The part of a fit graph the stages share: the geometry leaves, the model's vertices and
// their projection, and the Gaussian priors on the coefficients; one shape for every photo of
// the person, and each photo's own expression, pose and camera.

/// One photo's geometry in a fit graph (leaf names suffixed by `FaceParameters.leafName`).
struct ViewGeometry {
    /// Parameters p_e [Ke], rotation [3], translation [3]; inputs focal [1] and principal point [2]
    /// (fixed; crop pixels).
    let expression, rotation, translation, focal, principalPoint: Value
    /// [V, 3] model vertices S(p_s, p_e).
    let vertices: Value

    /// Screen vertices [V, 3] (crop pixels and depth) of a `size`² crop.
    func screen(_ g: Graph, size: Int) throws -> Value {
        try g.within("renderer") {
            try g.project(
                vertices, rotation: rotation, translation: translation, focal: focal, width: size, height: size,
                principalPoint: principalPoint)
        }
    }

    /// The textured face under the spherical-harmonics `light` [9, 3] over `photo`, a `size`² crop.
    func render(_ g: Graph, mesh: Mesh, texture: Value, light: Value, photo: Value, size: Int) throws
        -> MeshRenderOutputs
    {
        try g.within("renderer") {
            try g.renderMesh(
                mesh, vertices: vertices, rotation: rotation, translation: translation, focal: focal,
                albedo: .texture(texture), shading: .sphericalHarmonics(light), background: photo, width: size,
                height: size, principalPoint: principalPoint)
        }
    }
}

struct FaceGraph {
    /// p_s [Ks], shared by the photos.
    let shape: Value
    /// Each photo's geometry, in photo order.
    let views: [ViewGeometry]
    /// −2 log of the coefficients' prior (up to a constant): |p_s|²/σ_s² + Σ_photos |p_e|²/σ_e², in squared
    /// standard deviations.
    let prior: Value

    init(_ g: Graph, face: FitModel, settings: FitSettings, views count: Int = 1) throws {
        shape = g.parameter("shape", [face.model.shapeComponentCount])
        views = try (0..<count).map { [shape] view in
            func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
            let expression = g.parameter(name("expression"), [face.model.expressionCount])
            return ViewGeometry(
                expression: expression, rotation: g.parameter(name("rotation"), [3]),
                translation: g.parameter(name("translation"), [3]), focal: g.input(name("focal"), [1]),
                principalPoint: g.input(name("principal_point"), [2]),
                vertices: try g.within("model") {
                    try face.model.vertices(g, shapeCoefficients: shape, expressionCoefficients: expression)
                })
        }
        let expressionPrior = try g.add(views.map { try g.sum(g.square($0.expression)) })
        prior = try g.add(
            g.scale(g.sum(g.square(shape)), 1 / (settings.shapeDeviation * settings.shapeDeviation)),
            g.scale(expressionPrior, 1 / (settings.expressionDeviation * settings.expressionDeviation)))
    }

    /// The first photo's geometry (the only one in a fit of one photo).
    var first: ViewGeometry { views[0] }

    /// Every parameter: the shape, then the photos' expressions, rotations and translations.
    var parameters: [Value] {
        [shape] + views.map(\.expression) + views.map(\.rotation) + views.map(\.translation)
    }

    /// Adam groups for the geometry with `rates`, given the gradients of `parameters` in order; the
    /// expressions kept at or above 0 when `nonNegativeExpressions`.
    func groups(_ gradients: [Value], _ rates: StageRates, nonNegativeExpressions: Bool) -> [ParameterGroup] {
        let k = views.count
        return [ParameterGroup(parameters: [shape], gradients: [gradients[0]], rate: rates.shape)]
            + zip([rates.expression, rates.rotation, rates.translation], 0..<3).map { rate, part in
                let range = 1 + part * k..<1 + (part + 1) * k
                return ParameterGroup(
                    parameters: Array(parameters[range]), gradients: Array(gradients[range]), rate: rate,
                    nonNegative: part == 0 && nonNegativeExpressions)
            }
    }
}
