// Sibling convolutions, merged when a program is built. Convolutions that read the same input with
// the same window and constant weights (an Inception block's 1×1 branches), each read only by a
// relu, become one convolution with their weights (and biases) stacked along the output channels
// and one relu; each sibling and its relu become a channel slice of those (a view on OpenCL at batch
// 1). In the backward the sum of their input gradients, Σ conv2d_input_grad(dy_k, W_k), becomes one
// input gradient of the dy_k concatenated (written in place on OpenCL) against the stacked weights,
// and the sums' other terms keep their place. One wider GEMM instead of several narrow ones, and
// fewer launches, in every network that has such branches. The merged nodes are inserted, so the
// rewritten graph numbers its nodes anew (`SiblingMerge.ids`).

/// A graph with its sibling convolutions merged, and where each node of the original went.
struct SiblingMerge {
    let graph: Graph
    /// Per node of the original graph, the node that holds its value in `graph`.
    let ids: [Int]
}

extension Graph {
    /// A copy computing `outputs` with sibling convolutions merged (see the file's comment); the
    /// graph itself, each node in its place, when there are none.
    func mergingSiblingConvolutions(for outputs: [Value]) -> SiblingMerge {
        let needed = Schedule.neededNodes(self, outputs)
        var readers = [[Int]](repeating: [], count: nodes.count)
        for id in needed { for input in nodes[id].inputs { readers[input].append(id) } }
        let outputIds = Set(outputs.map(\.id))
        let groups = Dictionary(grouping: needed.compactMap { sibling($0, readers, outputIds) }, by: \.key)
            .values.filter { $0.count > 1 }.sorted { $0[0].conv < $1[0].conv }
        guard !groups.isEmpty else { return SiblingMerge(graph: self, ids: Array(nodes.indices)) }
        var edit = GraphEdit(nodes)
        for group in groups { merge(group, readers, outputIds, &edit) }
        return edit.applied()
    }

    /// Convolution `id` as a sibling: identity epilogue, constant weight (and bias), read by one
    /// relu (and by that relu's backward), neither a program output.
    private func sibling(_ id: Int, _ readers: [[Int]], _ outputs: Set<Int>) -> Sibling? {
        guard case .op(let conv as Conv2d) = nodes[id].kind, conv.epilogue.isIdentity,
            case let inputs = nodes[id].inputs, inputs.dropFirst().allSatisfy(isConstant),
            !outputs.contains(id)
        else { return nil }
        let relus = readers[id].filter { reader in
            guard case .op(let map as Map) = nodes[reader].kind else { return false }
            return map.function == .relu
        }
        guard relus.count == 1, let relu = relus.first, !outputs.contains(relu) else { return nil }
        let others = readers[id].filter { $0 != relu }
        let gradientsOfRelu = others.allSatisfy { reader in
            guard case .op(let map as Map) = nodes[reader].kind else { return false }
            return map.function == .reluGrad && nodes[reader].inputs[0] == id && nodes[reader].inputs[1] == relu
        }
        guard gradientsOfRelu else { return nil }
        let weight = nodes[inputs[1]].type.shape
        return Sibling(
            conv: id, relu: relu,
            key: SiblingKey(input: inputs[0], window: conv.window, kernel: Array(weight.dropFirst()), biased: inputs.count == 3))
    }

    private func isConstant(_ id: Int) -> Bool {
        if case .constant = nodes[id].kind { return true }
        return false
    }

    private func constant(_ id: Int) -> HostTensor {
        guard case .constant(let host) = nodes[id].kind else { preconditionFailure("node \(id) is not a constant") }
        return host
    }

    /// Rewrites `group` (siblings in node order) as one convolution and relu with channel slices,
    /// and their input gradients' sum as one input gradient where it can.
    private func merge(_ group: [Sibling], _ readers: [[Int]], _ outputs: Set<Int>, _ edit: inout GraphEdit) {
        let first = group[0].conv, part = nodes[first].part
        let x = nodes[first].inputs[0]
        let weights = group.map { constant(nodes[$0.conv].inputs[1]) }
        let stacked = HostTensor(
            [weights.map { $0.shape[0] }.reduce(0, +)] + weights[0].shape.dropFirst(), weights.flatMap(\.values))
        var operands: [GraphEdit.Ref] = [edit.insert(before: first, .constant(stacked), [], TensorType(stacked.shape), part)]
        if group[0].key.biased {
            let biases = group.map { constant(nodes[$0.conv].inputs[2]) }
            let bias = HostTensor([stacked.shape[0]], biases.flatMap(\.values))
            operands.append(edit.insert(before: first, .constant(bias), [], TensorType(bias.shape), part))
        }
        var wide = nodes[first].type.shape
        wide[1] = stacked.shape[0]
        let conv = edit.insert(before: first, nodes[first].kind, [edit.old(x)] + operands, TensorType(wide), part)
        let relu = edit.insert(before: first, nodes[group[0].relu].kind, [conv], TensorType(wide), part)
        var start = 0
        for sibling in group {
            let channels = nodes[sibling.conv].type.shape[1]
            var (starts, ends) = ([0, start, 0, 0], wide)
            (starts[1], ends[1]) = (start, start + channels)
            edit.replace(sibling.conv, .op(Slice(starts: starts, ends: ends)), [conv])
            edit.replace(sibling.relu, .op(Slice(starts: starts, ends: ends)), [relu])
            for reader in readers[sibling.conv] where reader != sibling.relu {  // relu's backward reads relu's output
                edit.replace(reader, nodes[reader].kind, ([sibling.relu] + nodes[reader].inputs.dropFirst()).map(edit.old))
            }
            start += channels
        }
        mergeInputGradients(group, weights: operands[0], readers, outputs, &edit)
    }

    /// Σ conv2d_input_grad(dy_k, W_k) over the siblings (one each, each read once by an add of the
    /// same sum) → conv2d_input_grad(concat(dy_k), W): the last of them becomes it, and each add that
    /// read another becomes its other operand.
    private func mergeInputGradients(
        _ group: [Sibling], weights: GraphEdit.Ref, _ readers: [[Int]], _ outputs: Set<Int>, _ edit: inout GraphEdit
    ) {
        let gradients = group.map { sibling -> Int? in
            let weight = nodes[sibling.conv].inputs[1]
            let found = readers[weight].filter { reader in
                guard case .op(let grad as Conv2dGrad) = nodes[reader].kind else { return false }
                return grad.wrt == .input && grad.epilogue.isIdentity && grad.dyScale == 1
                    && nodes[reader].inputs == [nodes[reader].inputs[0], weight]
            }
            return found.count == 1 ? found[0] : nil
        }
        guard case let dxs = gradients.compactMap({ $0 }), dxs.count == group.count,
            dxs.allSatisfy({ !outputs.contains($0) }),
            case let tops = dxs.map({ sumPath($0, readers, outputs).last }), tops.allSatisfy({ $0 != nil && $0 == tops[0] })
        else { return }
        let last = dxs.max()!, part = nodes[last].part
        let dys = dxs.map { nodes[$0].inputs[0] }
        var wide = nodes[dys[0]].type.shape
        wide[1] = dys.map { nodes[$0].type.shape[1] }.reduce(0, +)
        let dy = edit.insert(before: last, .op(Concat(axis: 1)), dys.map(edit.old), TensorType(wide), part)
        edit.replace(last, nodes[last].kind, [dy, weights])
        var dropped = Set(dxs.filter { $0 != last })
        for add in Set(dxs.flatMap { sumPath($0, readers, outputs) }).sorted() {  // the adds, in node order
            let kept = nodes[add].inputs.filter { !dropped.contains($0) }
            if kept.count == 1 { edit.alias(add, to: kept[0]) } else if kept.isEmpty { dropped.insert(add) }
        }
    }

    /// The adds that sum `id` onward: each the one reader of the last, of the same type, until a
    /// program output (which ends it).
    private func sumPath(_ id: Int, _ readers: [[Int]], _ outputs: Set<Int>) -> [Int] {
        var path: [Int] = [], current = id
        while !outputs.contains(current), readers[current].count == 1, case let next = readers[current][0],
            case .op(let map as Map) = nodes[next].kind, map.function == .add, map.shape == nil,
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
