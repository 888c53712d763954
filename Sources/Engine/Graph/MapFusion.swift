// Elementwise fusion, run when a program is built (after the conv epilogues took theirs): a map
// absorbs the maps of its shape that it reads, that nothing else reads and that the program does
// not output, so a chain such as coverage · |render − photo| runs its maps in one pass over memory
// instead of one pass each. A fused map (FusedMap) holds at most three distinct leaves and eight steps; an
// operand that would pass those limits stays a leaf. Node ids are kept: the fused op takes the
// last map's id and part (Node.part: the absorbed maps' time counts there); the maps it absorbed
// stay, unread.

extension Graph {
    /// A copy with the same node ids and chains of maps fused, for computing `outputs`.
    func fusingMaps(for outputs: [Value]) -> Graph {
        var nodes = self.nodes
        let needed = Schedule.neededNodes(self, outputs)
        var readers = [Int](repeating: 0, count: nodes.count)
        for id in needed { for input in nodes[id].inputs { readers[input] += 1 } }
        for output in outputs { readers[output.id] += 1 }  // read by the caller
        var chains: [Int: MapChain] = [:]  // each needed map's chain (itself and what it absorbed)
        for id in needed {
            guard case .op(let map as Map) = nodes[id].kind else { continue }
            // Only maps of the same shape: a smaller one broadcast would be computed again per copy.
            let absorbable = nodes[id].inputs.map {
                readers[$0] == 1 && nodes[$0].type == nodes[id].type ? chains[$0] : nil
            }
            guard let chain = MapChain.best(map, operands: nodes[id].inputs, absorbable: absorbable) else {
                continue
            }
            chains[id] = chain
            if chain.steps.count > 1 {
                nodes[id] = Node(
                    kind: .op(FusedMap(steps: chain.steps, shape: nodes[id].type.shape)), inputs: chain.leaves,
                    type: nodes[id].type, part: nodes[id].part)
            }
        }
        return Graph(nodes: nodes)
    }
}

/// A map with the maps it absorbed: its distinct leaf nodes and its steps (FusedMap's slots).
struct MapChain {
    var leaves: [Int] = []
    var steps: [FusedMap.Step] = []

    /// The slot of leaf `node` (added if new), nil when the leaves are full.
    private mutating func slot(ofLeaf node: Int) -> Int? {
        if let k = leaves.firstIndex(of: node) { return k }
        guard leaves.count < FusedMap.maxLeaves else { return nil }
        leaves.append(node)
        return leaves.count - 1
    }

    /// Appends `chain`'s steps (its leaves merged into these); the slot of its last step.
    private mutating func absorb(_ chain: MapChain) -> Int? {
        let base = FusedMap.maxLeaves + steps.count
        var leafSlots: [Int] = []
        for leaf in chain.leaves {
            guard let k = slot(ofLeaf: leaf) else { return nil }
            leafSlots.append(k)
        }
        for step in chain.steps {
            let operands = step.operands.map { $0 < FusedMap.maxLeaves ? leafSlots[$0] : base + $0 - FusedMap.maxLeaves }
            steps.append(FusedMap.Step(step.function, step.p0, step.p1, operands: operands))
        }
        return FusedMap.maxLeaves + steps.count - 1
    }

    /// `map` over `operands` absorbing the chains of `absorbable` (nil: a leaf), or nil past the limits.
    private static func build(_ map: Map, operands: [Int], absorbing absorbable: [MapChain?]) -> MapChain? {
        var chain = MapChain()
        var slots: [Int] = []
        for (operand, absorbed) in zip(operands, absorbable) {
            guard let k = absorbed.map({ chain.absorb($0) }) ?? chain.slot(ofLeaf: operand) else { return nil }
            slots.append(k)
        }
        chain.steps.append(FusedMap.Step(map.function, map.p0, map.p1, operands: slots))
        return chain.steps.count <= FusedMap.maxSteps ? chain : nil
    }

    /// The chain of `map` absorbing as many of the `absorbable` operand chains as the limits allow
    /// (all of them if they fit, else a largest subset that does).
    static func best(_ map: Map, operands: [Int], absorbable: [MapChain?]) -> MapChain? {
        let candidates = absorbable.indices.filter { absorbable[$0] != nil }
        let subsets = (0..<(1 << candidates.count)).reversed().sorted { $0.nonzeroBitCount > $1.nonzeroBitCount }
        for subset in subsets {
            let chosen = absorbable.indices.map { k -> MapChain? in
                guard let position = candidates.firstIndex(of: k), subset & (1 << position) != 0 else { return nil }
                return absorbable[k]
            }
            if let chain = build(map, operands: operands, absorbing: chosen) { return chain }
        }
        return nil
    }
}
