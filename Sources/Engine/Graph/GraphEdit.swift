// A rewrite of a graph that may insert nodes: nodes replaced in place, new nodes inserted before a
// given node, a node's readers sent to another node; `applied` numbers the nodes anew in an order
// that keeps every input before its reader, and says where each original node went.

/// A rewritten graph, and where each node of the original went.
struct EditedGraph {
    let graph: Graph
    /// Per node of the original graph, the node that holds its value in `graph`.
    let ids: [Int]
}

struct GraphEdit {
    /// A node of the original graph, or the k-th inserted one.
    enum Ref {
        case old(Int)
        case new(Int)
    }

    private struct Pending {
        let kind: NodeKind
        let inputs: [Ref]
        let type: TensorType
        let part: String?
    }

    private let original: [Node]
    private var replaced: [Int: Pending] = [:]
    private var inserted: [Pending] = []
    /// Per original node, the inserted nodes that go before it (indices into `inserted`).
    private var before: [Int: [Int]] = [:]
    private var aliases: [Int: Int] = [:]

    init(_ nodes: [Node]) { original = nodes }

    func old(_ id: Int) -> Ref { .old(id) }

    /// Inserts a node before original node `id`; its inputs must come before that node.
    mutating func insert(
        before id: Int, _ kind: NodeKind, _ inputs: [Ref], _ type: TensorType, _ part: String?
    ) -> Ref {
        inserted.append(Pending(kind: kind, inputs: inputs, type: type, part: part))
        before[id, default: []].append(inserted.count - 1)
        return .new(inserted.count - 1)
    }

    /// Node `id` computes `kind` of `inputs` instead (its type and part unchanged).
    mutating func replace(_ id: Int, _ kind: NodeKind, _ inputs: [Ref]) {
        replaced[id] = Pending(kind: kind, inputs: inputs, type: original[id].type, part: original[id].part)
    }

    /// Node `id`'s readers (and a program output that is `id`) read original node `target` instead.
    mutating func alias(_ id: Int, to target: Int) { aliases[id] = target }

    private func resolved(_ id: Int) -> Int {
        var id = id
        while let target = aliases[id] { id = target }
        return id
    }

    func applied() -> EditedGraph {
        var nodes: [Node] = [], newIds = [Int](repeating: -1, count: original.count)
        var insertedIds = [Int](repeating: -1, count: inserted.count)
        func id(_ ref: Ref) -> Int {
            switch ref {
            case .old(let k): return newIds[resolved(k)]
            case .new(let k): return insertedIds[k]
            }
        }
        func emit(_ pending: Pending) -> Int {
            let inputs = pending.inputs.map(id)
            precondition(inputs.allSatisfy { $0 >= 0 }, "GraphEdit: an input comes after its reader")
            nodes.append(Node(kind: pending.kind, inputs: inputs, type: pending.type, part: pending.part))
            return nodes.count - 1
        }
        for (k, node) in original.enumerated() {
            for index in before[k] ?? [] { insertedIds[index] = emit(inserted[index]) }
            let kept = Pending(
                kind: node.kind, inputs: node.inputs.map(Ref.old), type: node.type, part: node.part)
            newIds[k] = emit(replaced[k] ?? kept)
        }
        return EditedGraph(graph: Graph(nodes: nodes), ids: original.indices.map { newIds[resolved($0)] })
    }
}
