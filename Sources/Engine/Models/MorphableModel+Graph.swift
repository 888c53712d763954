// The morphable model as graph nodes: vertices from shape and expression coefficients, built
// from matmul, add and reshape so that autodiff gives the gradients to both.

public extension MorphableModel {
    /// Vertices [V, 3] = reshape(mean + offset_e + B_s·p_s + B_e·p_e) for p_s [Ks] and p_e [Ke]
    /// (p_e may be nil: no expression). B_s and B_e are rescaled, so coefficients are in
    /// standard deviations (blendshape weights for blendshapes). The bases are graph
    /// constants, uploaded once when the program is built.
    func vertices(_ g: Graph, shapeCoefficients ps: Value, expressionCoefficients pe: Value? = nil) throws -> Value {
        let op = "MorphableModel.vertices"
        guard ps.shape == [shapeComponentCount] else {
            throw EngineError.shapeMismatch(op: op, expected: "shape coefficients [\(shapeComponentCount)]", got: "\(ps.type)")
        }
        let d = shape.dimension
        var mean = shape.mean
        var sum = try g.matmul(g.constant(HostTensor([d, shapeComponentCount], shape.rescaledBasis)),
                               g.reshape(ps, [shapeComponentCount, 1]))
        if let pe {
            guard let expression, pe.shape == [expression.count] else {
                throw EngineError.shapeMismatch(op: op, expected: "expression coefficients [\(expressionCount)]"
                                                + (expression == nil ? " (the model has no expression model)" : ""),
                                                got: "\(pe.type)")
            }
            let be = g.constant(HostTensor([d, expression.count], expression.basis))
            sum = try g.add(sum, g.matmul(be, g.reshape(pe, [expression.count, 1])))
            for (i, offset) in expression.offset.enumerated() { mean[i] += offset }
        }
        return try g.reshape(g.add(sum, g.constant(HostTensor([d, 1], mean))), [vertexCount, 3])
    }
}
