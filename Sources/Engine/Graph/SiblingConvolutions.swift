// Sibling convolutions, merged when a program is built. Convolutions that read the same input with
// the same window and constant weights (an Inception block's 1×1 branches), each read only by a
// relu, become one convolution with their weights (and biases) stacked along the output channels
// and one relu; each sibling and its relu become a channel slice of those (a view on OpenCL at batch
// 1). In the backward the sum of their input gradients, Σ conv2d_input_grad(dy_k, W_k), becomes one
// input gradient of the dy_k concatenated (in place on OpenCL where Regions.swift can place them)
// against the stacked weights, and the sums' other terms keep their place. One wider GEMM instead of
// several narrow ones, and fewer launches, in every network that has such branches (siblings with
// another activation, or none, stay apart). A sibling that a concatenation reads goes last in the
// merged output, so that the concatenation can take that output whole on a device
// (ConcatWidening.swift) instead of copying the slice. The merged nodes are inserted, so the
// rewritten graph numbers its nodes anew (`EditedGraph.ids`).

extension Graph {
    /// A copy computing `outputs` with sibling convolutions merged (see the file's comment); the
    /// graph itself, each node in its place, when there are none.
    func mergingSiblingConvolutions(for outputs: [Value]) -> EditedGraph {
        let needed = Schedule.neededNodes(self, outputs)
        var readers = [[Int]](repeating: [], count: nodes.count)
        for id in needed { for input in nodes[id].inputs { readers[input].append(id) } }
        let outputIds = Set(outputs.map(\.id))
        let siblings = needed.compactMap { sibling($0, readers, outputIds) }
        let groups = Dictionary(grouping: siblings, by: \.key).values.filter { $0.count > 1 }
            .sorted { $0[0].conv < $1[0].conv }
        guard !groups.isEmpty else { return EditedGraph(graph: self, ids: Array(nodes.indices)) }
        var edit = GraphEdit(nodes)
        var dropped = Set<Int>(), sums = Set<Int>()
        for group in groups.map({ concatenatedLast($0, readers) }) {
            let weights = merge(group, readers, &edit)
            if let (gone, adds) = mergeInputGradients(group, weights: weights, readers, outputIds, &edit) {
                dropped.formUnion(gone)
                sums.formUnion(adds)
            }
        }
        // Each add that summed a dropped input gradient becomes its other operand (or is dropped too).
        for add in sums.sorted() {
            let kept = nodes[add].inputs.filter { !dropped.contains($0) }
            if kept.count == 1 { edit.alias(add, to: kept[0]) } else if kept.isEmpty { dropped.insert(add) }
        }
        return edit.applied()
    }

    /// `group` with the siblings whose relu a concatenation reads placed last, so that such a relu
    /// is the merged output's tail, which the concatenation can then take whole (ConcatWidening.swift).
    private func concatenatedLast(_ group: [Sibling], _ readers: [[Int]]) -> [Sibling] {
        let concatenated = { (sibling: Sibling) in readers[sibling.relu].contains(where: self.isConcatenation) }
        return group.filter { !concatenated($0) } + group.filter(concatenated)
    }

    /// Convolution `id` as a sibling: identity epilogue, constant weight (and bias), read by one
    /// relu (and by that relu's backward), neither a program output.
    private func sibling(_ id: Int, _ readers: [[Int]], _ outputs: Set<Int>) -> Sibling? {
        guard case .op(let conv as Conv2d) = nodes[id].kind, conv.epilogue.isIdentity,
            case let inputs = nodes[id].inputs, inputs.dropFirst().allSatisfy(isConstant),
            !outputs.contains(id)
        else { return nil }
        let relus = readers[id].filter { map(of: $0)?.function == .relu }
        guard relus.count == 1, let relu = relus.first, !outputs.contains(relu) else { return nil }
        let gradientsOfRelu = readers[id].filter { $0 != relu }.allSatisfy { reader in
            map(of: reader)?.function == .reluGrad && nodes[reader].inputs.prefix(2) == [id, relu]
        }
        guard gradientsOfRelu else { return nil }
        let key = SiblingKey(
            input: inputs[0], window: conv.window, kernel: Array(nodes[inputs[1]].type.shape.dropFirst()),
            biased: inputs.count == 3)
        return Sibling(conv: id, relu: relu, key: key)
    }

    private func map(of id: Int) -> Map? {
        guard case .op(let map as Map) = nodes[id].kind else { return nil }
        return map
    }

    private func isConstant(_ id: Int) -> Bool {
        if case .constant = nodes[id].kind { return true }
        return false
    }

    private func constant(_ id: Int) -> HostTensor {
        guard case .constant(let host) = nodes[id].kind else {
            preconditionFailure("node \(id) is not a constant")
        }
        return host
    }

    /// Inserts one convolution with `group`'s weights stacked (siblings in `group`'s order) and its relu;
    /// each sibling and its relu become their channel slices, and the relu's backward reads the
    /// relu's slice. Returns the stacked weights.
    private func merge(_ group: [Sibling], _ readers: [[Int]], _ edit: inout GraphEdit) -> GraphEdit.Ref {
        let first = group.map(\.conv).min()!, part = nodes[first].part  // inserted before every sibling
        func stacked(_ operand: Int) -> GraphEdit.Ref {
            let parts = group.map { constant(nodes[$0.conv].inputs[operand]) }
            let shape = [parts.map { $0.shape[0] }.reduce(0, +)] + parts[0].shape.dropFirst()
            let host = HostTensor(shape, parts.flatMap(\.values))
            return edit.insert(before: first, .constant(host), [], TensorType(shape), part)
        }
        let operands = [stacked(1)] + (group[0].key.biased ? [stacked(2)] : [])
        var wide = nodes[first].type.shape
        wide[1] = group.map { nodes[$0.conv].type.shape[1] }.reduce(0, +)
        let x = edit.old(nodes[first].inputs[0])
        let conv = edit.insert(before: first, nodes[first].kind, [x] + operands, TensorType(wide), part)
        let relu = edit.insert(before: first, nodes[group[0].relu].kind, [conv], TensorType(wide), part)
        var start = 0
        for sibling in group {
            let starts = [0, start, 0, 0]
            var ends = wide
            start += nodes[sibling.conv].type.shape[1]
            ends[1] = start
            edit.replace(sibling.conv, .op(Slice(starts: starts, ends: ends)), [conv])
            edit.replace(sibling.relu, .op(Slice(starts: starts, ends: ends)), [relu])
            for reader in readers[sibling.conv] where reader != sibling.relu {
                let inputs = [sibling.relu] + nodes[reader].inputs.dropFirst()
                edit.replace(reader, nodes[reader].kind, inputs.map(edit.old))
            }
        }
        return operands[0]
    }

    /// Σ conv2d_input_grad(dy_k, W_k) over `group` (one each, each summed into the same total) →
    /// conv2d_input_grad(concat(dy_k), `weights`), which the last of them becomes. Returns the
    /// others (now dropped) and the adds that summed them; nil where the pattern does not hold.
    private func mergeInputGradients(
        _ group: [Sibling], weights: GraphEdit.Ref, _ readers: [[Int]], _ outputs: Set<Int>,
        _ edit: inout GraphEdit
    ) -> (dropped: [Int], adds: [Int])? {
        let dxs = group.compactMap { sibling -> Int? in
            let weight = nodes[sibling.conv].inputs[1]
            let found = readers[weight].filter { reader in
                guard case .op(let grad as Conv2dGrad) = nodes[reader].kind else { return false }
                return grad.wrt == .input && grad.epilogue.isIdentity && grad.dyScale == 1
                    && nodes[reader].inputs.count == 2 && nodes[reader].inputs[1] == weight
            }
            return found.count == 1 ? found[0] : nil
        }
        let paths = dxs.map { sumPath($0, readers, outputs) }
        guard dxs.count == group.count, dxs.allSatisfy({ !outputs.contains($0) }),
            let top = paths[0].last, paths.allSatisfy({ $0.last == top })
        else { return nil }
        let last = dxs.max()!, part = nodes[last].part
        let dys = dxs.map { nodes[$0].inputs[0] }
        var wide = nodes[dys[0]].type.shape
        wide[1] = dys.map { nodes[$0].type.shape[1] }.reduce(0, +)
        let dy = edit.insert(before: last, .op(Concat(axis: 1)), dys.map(edit.old), TensorType(wide), part)
        edit.replace(last, nodes[last].kind, [dy, weights])
        return (dxs.filter { $0 != last }, paths.flatMap { $0 })
    }

    /// The adds that sum `id` onward: each the one reader of the last, of the same type, until a
    /// program output (which ends it).
    private func sumPath(_ id: Int, _ readers: [[Int]], _ outputs: Set<Int>) -> [Int] {
        var path: [Int] = [], current = id
        while !outputs.contains(current), readers[current].count == 1, case let next = readers[current][0],
            let add = map(of: next), add.function == .add, add.shape == nil,
            nodes[next].inputs.allSatisfy({ nodes[$0].type == nodes[next].type })
        {
            path.append(next)
            current = next
        }
        return path
    }
}

/// A convolution that can merge with others of the same key, and the relu that reads it.
private struct Sibling {
    let conv: Int
    let relu: Int
    let key: SiblingKey
}

/// What siblings share: the input node, the window, the weight's shape past its output channels,
/// and whether they have a bias.
private struct SiblingKey: Hashable {
    let input: Int
    let window: Window
    let kernel: [Int]
    let biased: Bool
}
