// Concatenations widened to take a whole value where an end operand is a slice of it, when a
// program is built for a backend with views (Regions.swift). An operand that is a slice of another
// value R already lives in R's buffer, so the concatenation copies it. When that slice is R's tail
// and the concatenation's first operand (or R's head and its last operand), R itself can be the
// operand instead:
//   concat(R[tail], a, b) = concat(R, a, b)[|R| − |tail| …]
// R is then written in place into the wider concatenation, and the concatenation's own value is a
// view of that. Sibling convolutions leave this pattern (SiblingConvolutions.swift puts the sibling
// that a concatenation reads last in the merged output): FaceNet's straight 1×1 branch, forward,
// and its gradient in the merged input gradient, backward. Applied only where every offset is
// aligned for views, so that nothing it adds is copied where R and the concatenation run on the
// device (R computed elsewhere, by a fallback, would be copied whole).

extension Graph {
    /// A copy computing `outputs` with such concatenations widened (sub-buffer offsets aligned to
    /// `alignment` bytes); the graph itself, each node in its place, when there are none.
    func wideningConcatenations(for outputs: [Value], alignment: Int) -> EditedGraph {
        let needed = Schedule.neededNodes(self, outputs)
        var readers = [[Int]](repeating: [], count: nodes.count)
        for id in needed { for input in nodes[id].inputs { readers[input].append(id) } }
        let pinned = Set(outputs.map(\.id))
        var edit = GraphEdit(nodes)
        var taken = Set<Int>()  // values already made an operand
        for id in needed where !pinned.contains(id) {
            guard case .op(let concat as Concat) = nodes[id].kind,
                let wider = widened(id, concat.axis, readers, pinned),
                taken.isDisjoint(with: wider.sources), aligned(wider, concat, alignment)
            else { continue }
            taken.formUnion(wider.sources)
            let type = TensorType(wider.shape, nodes[id].type.dtype)
            let operands = wider.operands.map(edit.old)
            let wide = edit.insert(before: id, .op(concat), operands, type, nodes[id].part)
            var starts = [Int](repeating: 0, count: wider.shape.count), ends = nodes[id].type.shape
            starts[concat.axis] = wider.before
            ends[concat.axis] += wider.before
            edit.replace(id, .op(Slice(starts: starts, ends: ends)), [wide])
        }
        return edit.applied()
    }

    /// Whether node `id` is a concatenation.
    func isConcatenation(_ id: Int) -> Bool {
        if case .op(_ as Concat) = nodes[id].kind { return true }
        return false
    }

    /// Concatenation `id`'s operands with its first replaced by the value whose tail it is, and its
    /// last by the value whose head it is, where they are; nil where neither end is such a slice.
    private func widened(_ id: Int, _ axis: Int, _ readers: [[Int]], _ pinned: Set<Int>) -> Widened? {
        var operands = nodes[id].inputs
        guard Set(operands).count == operands.count else { return nil }
        var sources: [Int] = [], before = 0, after = 0
        for (end, tail) in [(0, true), (operands.count - 1, false)] {
            guard let whole = source(of: operands[end], axis, tail: tail, readers, pinned),
                !operands.contains(whole)
            else { continue }
            let extra = nodes[whole].type.shape[axis] - nodes[operands[end]].type.shape[axis]
            if tail { before = extra } else { after = extra }
            operands[end] = whole
            sources.append(whole)
        }
        guard !sources.isEmpty else { return nil }
        var shape = nodes[id].type.shape
        shape[axis] += before + after
        return Widened(operands: operands, sources: sources, shape: shape, before: before)
    }

    /// The value R that `operand` slices, when it is R's tail (or head) along `axis` and whole on
    /// every other axis, and R is an op's own buffer (not a view, a concatenation or a leaf) that no
    /// concatenation reads and the caller does not read.
    private func source(of operand: Int, _ axis: Int, tail: Bool, _ readers: [[Int]], _ pinned: Set<Int>)
        -> Int?
    {
        guard case .op(let slice as Slice) = nodes[operand].kind else { return nil }
        let whole = nodes[operand].inputs[0], shape = nodes[whole].type.shape
        guard case .op(let op) = nodes[whole].kind, !op.isView, !isConcatenation(whole),
            !pinned.contains(whole), !readers[whole].contains(where: isConcatenation)
        else { return nil }
        let others = shape.indices.allSatisfy { k in
            k == axis || (slice.starts[k] == 0 && slice.ends[k] == shape[k])
        }
        let end = tail ? slice.ends[axis] == shape[axis] : slice.starts[axis] == 0
        return others && end ? whole : nil
    }

    /// Whether every operand of the wider concatenation, and the concatenation's own value in it,
    /// start at multiples of `alignment` bytes (each then a view: nothing copied).
    private func aligned(_ wider: Widened, _ concat: Concat, _ alignment: Int) -> Bool {
        guard let offsets = concat.contiguousOffsets(wider.operands.map { nodes[$0].type.shape }) else {
            return false
        }
        let bytes = nodes[wider.operands[0]].type.dtype.byteSize
        let stride = wider.shape.dropFirst(concat.axis + 1).reduce(1, *)
        return (offsets + [wider.before * stride]).allSatisfy { $0 * bytes % alignment == 0 }
    }
}

/// A concatenation's wider form: its operands with the end slices replaced by their `sources`, its
/// shape, and where the concatenation's own value starts in it along the axis.
private struct Widened {
    let operands: [Int]
    let sources: [Int]
    let shape: Shape
    let before: Int
}
