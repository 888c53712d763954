// The part of a fit graph both stages share: the geometry leaves, the model's vertices and
// their projection, and the Gaussian priors on the coefficients.

struct FaceGraph {
    /// Parameters p_s [Ks], p_e [Ke], rotation [3], translation [3]; inputs focal [1] and principal
    /// point [2] (fixed; crop pixels).
    let shape, expression, rotation, translation, focal, principalPoint: Value
    /// [V, 3] model vertices S(p_s, p_e).
    let vertices: Value
    /// −2 log of the coefficients' prior (up to a constant): |p_s|² + |p_e|²/σ_e², in squared standard deviations.
    let prior: Value

    init(_ g: Graph, face: FitModel, settings: FitSettings) throws {
        shape = g.parameter("shape", [face.model.shapeComponentCount])
        expression = g.parameter("expression", [face.model.expressionCount])
        rotation = g.parameter("rotation", [3])
        translation = g.parameter("translation", [3])
        focal = g.input("focal", [1])
        principalPoint = g.input("principal_point", [2])
        vertices = try face.model.vertices(g, shapeCoefficients: shape, expressionCoefficients: expression)
        prior = try g.add(g.sum(g.square(shape)),
                          g.scale(g.sum(g.square(expression)), 1 / (settings.expressionDeviation * settings.expressionDeviation)))
    }

    /// Screen vertices [V, 3] (crop pixels and depth) of a `size`² crop.
    func screen(_ g: Graph, size: Int) throws -> Value {
        try g.project(vertices, rotation: rotation, translation: translation, focal: focal, width: size, height: size,
                      principalPoint: principalPoint)
    }

    /// Adam groups for the geometry with `rates`, given the gradients of (shape, expression, rotation, translation).
    func groups(_ gradients: [Value], _ rates: StageRates) -> [ParameterGroup] {
        zip([shape, expression, rotation, translation], [rates.shape, rates.expression, rates.rotation, rates.translation])
            .enumerated().map { ParameterGroup(parameters: [$0.element.0], gradients: [gradients[$0.offset]], rate: $0.element.1) }
    }

    var parameters: [Value] { [shape, expression, rotation, translation] }
}
