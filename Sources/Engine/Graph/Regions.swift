// Values that live inside another value's buffer on a backend with sub-buffer views (OpenCL), so
// that no kernel copies them: the operands of a concatenation, written by their producers straight
// into their part of its output (the concatenation then runs nothing; other readers of an operand
// read it there, which keeps the output's buffer until the last of them), and a slice that is one
// contiguous run of its input (a view of it: concatenation's gradient is such slices). The
// planner places them (Planner.swift); where a backend has no views, or an offset is not aligned
// to what its sub-buffers need, the ops copy as before. A program's outputs (and what they reshape)
// are never views (a view of a parameter would change when the optimiser writes it).

struct Regions {
    /// value → the value whose buffer holds it, and the element where it starts there.
    private(set) var home: [Int: (value: Int, offset: Int)] = [:]
    /// Concatenations whose operands are in place and slices that are views: their steps run nothing.
    private(set) var runsNothing = Set<Int>()

    /// None: every op copies.
    init() {}

    init(graph: Graph, schedule: Schedule, pinned: Set<Int>) {
        var moved = Set<Int>()
        for case let .transfer(value, _, _) in schedule.steps { moved.insert(value) }
        // An output that is a reshape of a value makes that value an output too.
        var pinned = pinned
        for id in pinned {
            var value = id
            while case .op(let op) = graph.nodes[value].kind, op.isView {
                value = graph.nodes[value].inputs[0]
                pinned.insert(value)
            }
        }
        for case let .run(node, b) in schedule.steps {
            guard case .op(let op) = graph.nodes[node].kind,
                  let alignment = schedule.backends[b].regionAlignment, alignment > 0 else { continue }
            let inputs = graph.nodes[node].inputs
            let aligned = { (offset: Int) in offset * graph.nodes[node].type.dtype.byteSize % alignment == 0 }
            if let slice = op as? Slice, graph.nodes[node].type.count > 0, !pinned.contains(node),
               let offset = slice.contiguousOffset(graph.nodes[inputs[0]].type.shape), aligned(offset) {
                home[node] = (inputs[0], offset)
                runsNothing.insert(node)
            } else if let concat = op as? Concat, Set(inputs).count == inputs.count,
                      let offsets = concat.contiguousOffsets(inputs.map { graph.nodes[$0].type.shape }),
                      offsets.allSatisfy(aligned),
                      inputs.allSatisfy({ ownsItsBuffer($0, graph, schedule, on: b) && home[$0] == nil
                                          && !moved.contains($0) && !pinned.contains($0) }) {
                for (input, offset) in zip(inputs, offsets) { home[input] = (node, offset) }
                runsNothing.insert(node)
            }
        }
    }

    /// Whether `value` is written by its own op on backend `b` into a buffer of its own (not a
    /// leaf, a view, a concatenation in place, or an empty tensor).
    private func ownsItsBuffer(_ value: Int, _ graph: Graph, _ schedule: Schedule, on b: Int) -> Bool {
        guard case .op(let op) = graph.nodes[value].kind, !op.isView, schedule.home[value] == b,
              graph.nodes[value].type.count > 0 else { return false }
        return !runsNothing.contains(value)
    }
}
