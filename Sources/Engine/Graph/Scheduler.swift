// Places each node on a backend: the preferred one where it supports the op, else the CPU
// reference, explicitly (counted and reported). Produces the ordered steps of a run, with
// the transfers that moving between backends needs.

enum Step {
    /// Run node `node` on backend number `backend`.
    case run(node: Int, backend: Int)
    /// Copy value `value` from backend `from` to backend `to`.
    case transfer(value: Int, from: Int, to: Int)
}

struct Schedule {
    /// backends[0] is the preferred backend; backends[1], if present, the CPU fallback.
    let backends: [any Backend]
    let steps: [Step]
    /// Where each node's output is produced.
    let home: [Int]
    /// The names of ops placed on the CPU fallback, with their node ids.
    let fallbacks: [(node: Int, op: String)]

    init(graph: Graph, outputs: [Value], preferred: any Backend, fallback: @autoclosure () -> any Backend) {
        let needed = Schedule.neededNodes(graph, outputs)
        var backends: [any Backend] = [preferred]
        var home = [Int](repeating: 0, count: graph.nodes.count)
        var fallbacks: [(Int, String)] = []
        for id in needed {
            guard case .op(let op) = graph.nodes[id].kind, !preferred.supports(op) else { continue }
            if backends.count == 1 { backends.append(fallback()) }
            home[id] = 1
            fallbacks.append((id, op.name))
        }
        // Views live where their input lives.
        for id in needed {
            if case .op(let op) = graph.nodes[id].kind, op.isView { home[id] = home[graph.nodes[id].inputs[0]] }
        }
        var steps: [Step] = []
        var present = Set<[Int]>()  // [value, backend] pairs already available
        for id in needed {
            let node = graph.nodes[id]
            guard case .op = node.kind else { present.insert([id, home[id]]); continue }
            for input in node.inputs where !present.contains([input, home[id]]) {
                steps.append(.transfer(value: input, from: home[input], to: home[id]))
                present.insert([input, home[id]])
            }
            steps.append(.run(node: id, backend: home[id]))
            present.insert([id, home[id]])
        }
        self.backends = backends
        self.steps = steps
        self.home = home
        self.fallbacks = fallbacks
    }

    /// Ids of the nodes the outputs depend on, in order.
    static func neededNodes(_ graph: Graph, _ outputs: [Value]) -> [Int] {
        var needed = Set(outputs.map(\.id))
        for id in stride(from: graph.nodes.count - 1, through: 0, by: -1) where needed.contains(id) {
            needed.formUnion(graph.nodes[id].inputs)
        }
        return needed.sorted()
    }
}
