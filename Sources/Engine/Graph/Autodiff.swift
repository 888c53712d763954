// Reverse-mode differentiation: appends the backward nodes to the same graph.

extension Graph {
    /// Gradients of Σ seed·output over the given (output, seed) pairs with respect to `wrt`.
    /// A leaf that no output depends on gets a zero gradient.
    public func gradients(of outputs: [(value: Value, seed: Value)], wrt: [Value]) throws -> [Value] {
        for (output, seed) in outputs where output.type != seed.type {
            throw EngineError.shapeMismatch(op: "gradients", expected: "seed of type \(output.type)",
                                            got: seed.type.description)
        }
        let end = nodes.count
        // Nodes that depend on some `wrt` value: only these carry gradients.
        var dependsOnWrt = [Bool](repeating: false, count: end)
        for v in wrt { dependsOnWrt[v.id] = true }
        for id in 0..<end where !dependsOnWrt[id] {
            dependsOnWrt[id] = nodes[id].inputs.contains { dependsOnWrt[$0] }
        }
        var grads: [Int: Value] = [:]
        func accumulate(_ id: Int, _ g: Value) throws {
            grads[id] = try grads[id].map { try add($0, g) } ?? g
        }
        for (output, seed) in outputs where dependsOnWrt[output.id] { try accumulate(output.id, seed) }

        for id in stride(from: end - 1, through: 0, by: -1) {
            guard let outputGrad = grads[id], case .op(let op) = nodes[id].kind else { continue }
            let inputs = nodes[id].inputs.map(value)
            guard inputs.contains(where: { dependsOnWrt[$0.id] }) else { continue }
            // The backward of a tagged part is tagged "<part> backward" (see Graph.within).
            try within(nodes[id].partName + " backward") {
                let inputGrads = try op.gradients(self, inputs: inputs, output: value(id), outputGrad: outputGrad)
                for (input, g) in zip(inputs, inputGrads) where dependsOnWrt[input.id] {
                    if let g { try accumulate(input.id, g) }
                }
            }
        }
        return try wrt.map { v in try grads[v.id] ?? zeros(v.shape) }
    }

    /// The gradient of a scalar `loss` with respect to `wrt`.
    public func gradients(of loss: Value, wrt: [Value]) throws -> [Value] {
        guard loss.type.count == 1 else {
            throw EngineError.shapeMismatch(op: "gradients", expected: "a scalar loss", got: loss.type.description)
        }
        let one = constant(HostTensor(loss.shape, [1]))
        return try gradients(of: [(loss, one)], wrt: wrt)
    }

    /// A zero tensor of `shape` (a broadcast scalar constant).
    public func zeros(_ shape: Shape) throws -> Value {
        try broadcast(scalar(0), to: shape)
    }
}
