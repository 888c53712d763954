// Values that live inside another value's buffer on a backend with sub-buffer views (OpenCL), so
// that no kernel copies them: the operands of a concatenation, written by their producers straight
// into their part of its output (other readers of an operand read it there, which keeps the output's
// buffer until the last of them; the concatenation copies only the operands not placed, and runs
// nothing when all are), and a slice that is one contiguous run of its input (a view of it:
// concatenation's gradient is such slices). The planner places them (Planner.swift); where a
// backend has no views, or an offset is not aligned to what its sub-buffers need, the ops copy. A
// program's outputs (and what they reshape) are never views (a view of a parameter would change
// when the optimiser writes it).

struct Regions {
    /// value → the value whose buffer holds it, and the element where it starts there.
    private(set) var home: [Int: (value: Int, offset: Int)] = [:]
    /// Concatenations whose operands are all in place and slices that are views: their steps run nothing.
    private(set) var runsNothing = Set<Int>()
    /// Concatenations with some operands in place: the operands they still copy.
    private(set) var copiedOperands: [Int: [Int]] = [:]

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
                      let offsets = concat.contiguousOffsets(inputs.map { graph.nodes[$0].type.shape }) {
                let placed = inputs.indices.filter { k in
                    aligned(offsets[k]) && ownsItsBuffer(inputs[k], graph, schedule, on: b)
                        && home[inputs[k]] == nil && !moved.contains(inputs[k]) && !pinned.contains(inputs[k])
                }
                guard !placed.isEmpty else { continue }
                for k in placed { home[inputs[k]] = (node, offsets[k]) }
                if placed.count == inputs.count {
                    runsNothing.insert(node)
                } else {
                    copiedOperands[node] = inputs.indices.filter { !placed.contains($0) }
                }
            }
        }
    }

    /// Whether `value` is written by its own op on backend `b` into a buffer of its own (not a
    /// leaf, a view, a concatenation holding operands, or an empty tensor).
    private func ownsItsBuffer(_ value: Int, _ graph: Graph, _ schedule: Schedule, on b: Int) -> Bool {
        guard case .op(let op) = graph.nodes[value].kind, !op.isView, schedule.home[value] == b,
              graph.nodes[value].type.count > 0 else { return false }
        return !runsNothing.contains(value) && copiedOperands[value] == nil
    }

    /// The op node `node` runs: `op`, or a concatenation that copies only the operands not in place.
    func running(_ op: any Op, node: Int) -> any Op {
        guard let copied = copiedOperands[node], let concat = op as? Concat else { return op }
        return Concat(axis: concat.axis, copying: copied)
    }
}
