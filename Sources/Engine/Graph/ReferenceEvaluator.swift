// Runs a graph on the CPU reference in any RefScalar (Double for gradient checks), with no
// backend or buffers involved.

extension Graph {
    /// Evaluates `outputs` given leaf values by name (inputs and parameters).
    public func evaluate<T: RefScalar>(_ outputs: [Value], feeds: [String: RefTensor<T>]) throws -> [RefTensor<T>] {
        let last = outputs.map(\.id).max() ?? -1
        var values = [RefTensor<T>?](repeating: nil, count: last + 1)
        for id in 0...Swift.max(last, 0) where last >= 0 {
            let node = nodes[id]
            switch node.kind {
            case .input(let name), .parameter(let name):
                guard let fed = feeds[name] else { throw EngineError.invalidValue("no value fed for '\(name)'") }
                guard fed.type == node.type else {
                    throw EngineError.shapeMismatch(op: "feed '\(name)'", expected: node.type.description,
                                                    got: fed.type.description)
                }
                values[id] = fed
            case .constant(let host):
                values[id] = host.converted(to: T.self)
            case .op(let op):
                let args = node.inputs.map { values[$0]! }
                values[id] = try op.reference(args)[0]
            }
        }
        return outputs.map { values[$0.id]! }
    }
}
