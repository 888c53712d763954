// A rewrite of the backward graph, run when a program is built before the epilogue fusion
// (Fusion.swift), that leaves more for a convolution's epilogue to absorb. Where every reader of a
// gradient g is a slice, each read only by relu's (or leaky relu's) backward of yᵢ, the operand of
// one concatenation X at that slice's range:
//   reluGrad(yᵢ, yᵢ, sliceᵢ(g)) for each i   →   sliceᵢ(reluGrad(X, X, g))
// equal to the bit, since X holds yᵢ at each range. In FaceNet's residual blocks g is the "up"
// convolution's input gradient, which then masks all the concatenated relu branches as its gate,
// instead of a pass per branch; on a device the slices are views (Regions.swift). Node ids are
// kept: the masked gradient takes the first slice's id, each backward the slice it read; the
// slices replaced stay, unread.

extension Graph {
    /// `nodes` with the concatenations' gradients masked once wherever the rewrite applies.
    static func maskingConcatenatedGradients(_ nodes: [Node], outputs: [Value]) -> [Node] {
        var nodes = nodes
        let isOutput = Set(outputs.map(\.id))
        /// Per node, the nodes among `needed` that read it.
        func readers(among needed: [Int]) -> [[Int]] {
            var readers = [[Int]](repeating: [], count: nodes.count)
            for id in needed { for input in nodes[id].inputs { readers[input].append(id) } }
            return readers
        }
        let needed = Schedule.neededNodes(Graph(nodes: nodes), outputs)
        var read = readers(among: needed)
        /// Whether only `reader` reads node `id` and the program does not output it.
        func onlyRead(_ id: Int, by reader: Int) -> Bool { read[id] == [reader] && !isOutput.contains(id) }

        for g in needed where !isOutput.contains(g) {
            guard let masked = maskedSlices(nodes, g, read, onlyRead: onlyRead) else { continue }
            let first = masked.slices.min()!
            for (slice, backward) in zip(masked.slices, masked.backwards) {
                nodes[backward] = Node(
                    kind: nodes[slice].kind, inputs: [first], type: nodes[backward].type,
                    part: nodes[backward].part)
            }
            nodes[first] = Node(
                kind: .op(masked.function), inputs: [masked.concat, masked.concat, g], type: nodes[g].type,
                part: nodes[masked.backwards[0]].part)
            // The slices replaced are no longer needed, so they no longer count as readers.
            read = readers(among: Schedule.neededNodes(Graph(nodes: nodes), outputs))
        }
        return nodes
    }

    /// When every reader of g is a slice read only by relu's (or leaky relu's, one slope ≥ 0)
    /// backward of y, y the operand of one concatenation X at the slice's range, with X of g's
    /// shape: X, the backward's function, and the slices and backwards in reading order.
    private static func maskedSlices(
        _ nodes: [Node], _ g: Int, _ readers: [[Int]], onlyRead: (Int, Int) -> Bool
    ) -> (concat: Int, function: Map, slices: [Int], backwards: [Int])? {
        let slices = readers[g]
        guard let firstSlice = slices.min() else { return nil }
        var concat: Int?
        var function: Map?
        var backwards: [Int] = []
        for slice in slices {
            guard case .op(let range as Slice) = nodes[slice].kind, let backward = readers[slice].first,
                onlyRead(slice, backward), case .op(let map as Map) = nodes[backward].kind,
                map.function == .reluGrad || (map.function == .leakyGrad && map.p0 >= 0),
                function.map({ $0.function == map.function && $0.p0 == map.p0 }) ?? true,
                nodes[backward].inputs[2] == slice, case let y = nodes[backward].inputs[0],
                nodes[backward].inputs[1] == y,
                let x = concatenation(nodes, readers[y], holding: y, at: range, shaped: nodes[g].type),
                concat.map({ $0 == x }) ?? true, x < firstSlice
            else { return nil }
            (concat, function) = (x, map)
            backwards.append(backward)
        }
        guard let concat, let function else { return nil }
        return (concat, function, slices, backwards)
    }

    /// The concatenation of type `type` among `candidates` that holds `y` at exactly `range`.
    private static func concatenation(
        _ nodes: [Node], _ candidates: [Int], holding y: Int, at range: Slice, shaped type: TensorType
    ) -> Int? {
        candidates.first { x in
            guard nodes[x].type == type, case .op(let concat as Concat) = nodes[x].kind else { return false }
            let shapes = nodes[x].inputs.map { nodes[$0].type.shape }
            var start = 0
            for (operand, shape) in zip(nodes[x].inputs, shapes) {
                var starts = [Int](repeating: 0, count: shape.count)
                starts[concat.axis] = start
                var ends = type.shape
                ends[concat.axis] = start + shape[concat.axis]
                if operand == y && range.starts == starts && range.ends == ends { return true }
                start += shape[concat.axis]
            }
            return false
        }
    }
}
