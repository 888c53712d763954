// Epilogue fusion, run when a program is built: the ops after a convolution (conv2d or its
// gradients) that its epilogue can do (ConvEpilogue) join it, so that none is a pass over
// memory of its own, in every network built from separate ops. The rules, in node order (so
// chains fuse one op at a time):
//   conv → conv · c, c a scalar constant (or scale by c, offset 0)   while its epilogue is the identity
//   conv → conv + r, r of the output's shape                          while no residual, no activation
//   conv → relu or leaky relu (slope ≥ 0)                              while no activation
//   input gradient → relu's or leaky relu's backward, gated by y       while no activation
// and one the other way: an input gradient reading dy · c, c a scalar constant, reads dy and
// scales it as it stages it (Conv2dGrad.dyScale; the same products). A convolution joins the op
// (or the op the convolution) only where that op is its one reader and the program does not
// output it. Node ids are kept: the fused op takes the op's id; the one it replaces stays,
// unread. Relu's backward reads relu's input; it is made to read relu's output (of the same
// sign), so that forward+backward graphs fuse too; and the backward is first rewritten so that more
// of it fuses (ConcatGradientMask.swift).

extension Graph {
    /// A copy with the same node ids and conv epilogues fused, for computing `outputs`.
    func fusingEpilogues(for outputs: [Value]) -> Graph {
        var nodes = self.nodes
        for id in Schedule.neededNodes(self, outputs) {
            if let rewired = Self.readingActivationOutput(nodes, id) { nodes[id] = rewired }
        }
        nodes = Self.maskingConcatenatedGradients(nodes, outputs: outputs)
        let needed = Schedule.neededNodes(Graph(nodes: nodes), outputs)
        var readers = [Int](repeating: 0, count: nodes.count)
        for id in needed { for input in nodes[id].inputs { readers[input] += 1 } }
        for output in outputs { readers[output.id] += 1 }  // read by the caller
        for id in needed {
            if let scaled = Self.readingScaledGradient(nodes, id, readers) {
                readers[nodes[id].inputs[0]] -= 1
                readers[scaled.inputs[0]] += 1
                nodes[id] = scaled
            }
            if let fused = Self.fusedConv(nodes, id, readers) { nodes[id] = fused }
        }
        return Graph(nodes: nodes)
    }

    /// (x, c) when node `id` is x · c, c · x or scale(x, c, 0), c a one-element constant and x of
    /// the node's type.
    private static func scaledValue(_ nodes: [Node], _ id: Int) -> (value: Int, factor: Float)? {
        guard case .op(let map as Map) = nodes[id].kind else { return nil }
        let inputs = nodes[id].inputs
        switch map.function {
        case .scale where map.p1 == 0:
            return nodes[inputs[0]].type == nodes[id].type ? (inputs[0], map.p0) : nil
        case .mul:
            for k in 0..<2 {
                guard case .constant(let c) = nodes[inputs[1 - k]].kind, c.values.count == 1,
                    nodes[inputs[k]].type == nodes[id].type
                else { continue }
                return (inputs[k], c.values[0])
            }
            return nil
        default: return nil
        }
    }

    /// Node `id`, an input gradient of dy · c that only it reads (`scaledValue`), as the input
    /// gradient of dy reading it times c.
    private static func readingScaledGradient(_ nodes: [Node], _ id: Int, _ readers: [Int]) -> Node? {
        guard case .op(let conv as Conv2dGrad) = nodes[id].kind, conv.wrt == .input, conv.dyScale == 1,
            case let scaled = nodes[id].inputs[0], readers[scaled] == 1,
            let (dy, factor) = scaledValue(nodes, scaled)
        else { return nil }
        return Node(
            kind: .op(conv.readingScaledGradient(factor)), inputs: [dy] + nodes[id].inputs.dropFirst(),
            type: nodes[id].type, part: nodes[id].part)
    }

    /// reluGrad(x, relu(x), dy) → reluGrad(relu(x), relu(x), dy); likewise leaky relu.
    private static func readingActivationOutput(_ nodes: [Node], _ id: Int) -> Node? {
        guard case .op(let op as Map) = nodes[id].kind, op.function == .reluGrad || op.function == .leakyGrad,
            case let inputs = nodes[id].inputs, case .op(let forward as Map) = nodes[inputs[1]].kind,
            nodes[inputs[1]].inputs == [inputs[0]]
        else { return nil }
        let matches =
            op.function == .reluGrad
            ? forward.function == .relu
            : forward.function == .leakyRelu && forward.p0 == op.p0 && op.p0 >= 0
        guard matches else { return nil }
        return Node(
            kind: nodes[id].kind, inputs: [inputs[1], inputs[1], inputs[2]], type: nodes[id].type, part: nodes[id].part)
    }

    /// Node `id` as a convolution that absorbs its operand convolution, if a rule applies.
    private static func fusedConv(_ nodes: [Node], _ id: Int, _ readers: [Int]) -> Node? {
        guard case .op(let map as Map) = nodes[id].kind else { return nil }
        let inputs = nodes[id].inputs
        /// Operand node `operand` as a convolution that only this node reads.
        func conv(_ operand: Int) -> (op: any EpilogueConv, node: Node)? {
            guard case .op(let op as any EpilogueConv) = nodes[operand].kind, readers[operand] == 1,
                nodes[operand].type == nodes[id].type
            else { return nil }
            return (op, nodes[operand])
        }
        func fused(
            _ c: (op: any EpilogueConv, node: Node), _ epilogue: ConvEpilogue, adding extra: Int? = nil
        ) -> Node {
            Node(
                kind: .op(c.op.with(epilogue)), inputs: c.node.inputs + (extra.map { [$0] } ?? []),
                type: nodes[id].type, part: c.node.part)
        }
        switch map.function {
        case .mul, .scale:
            if let (x, s) = scaledValue(nodes, id), let c = conv(x), c.op.epilogue.isIdentity {
                return fused(c, ConvEpilogue(scale: s))
            }
        case .add:
            for k in 0..<2 {
                guard let c = conv(inputs[k]), !c.op.epilogue.residual, c.op.epilogue.activation == .none,
                    nodes[inputs[1 - k]].type == nodes[id].type
                else { continue }
                return fused(
                    c, ConvEpilogue(scale: c.op.epilogue.scale, residual: true), adding: inputs[1 - k])
            }
        case .relu, .leakyRelu:
            guard let c = conv(inputs[0]), c.op.epilogue.activation == .none,
                map.function == .relu || map.p0 >= 0
            else { break }
            var epilogue = c.op.epilogue
            epilogue.activation = map.function == .relu ? .relu : .leakyRelu(slope: map.p0)
            return fused(c, epilogue)
        case .reluGrad, .leakyGrad:
            // a > 0 ? c : slope·c with c an input gradient: gated by a.
            guard let c = conv(inputs[2]), c.op is Conv2dGrad, c.op.epilogue.activation == .none,
                map.function == .reluGrad || map.p0 >= 0
            else { break }
            var epilogue = c.op.epilogue
            epilogue.activation = map.function == .reluGrad ? .relu : .leakyRelu(slope: map.p0)
            epilogue.gated = true
            return fused(c, epilogue, adding: inputs[0])
        default: break
        }
        return nil
    }
}
