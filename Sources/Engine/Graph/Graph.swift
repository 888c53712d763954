// A computation built once: leaves (inputs, parameters, constants) and op nodes, each with a
// known type, appended in topological order. Shape errors surface while building.

/// A handle to one node's output.
public struct Value: Hashable, CustomStringConvertible {
    public let id: Int
    public let type: TensorType
    let graph: ObjectIdentifier

    public var shape: Shape { type.shape }
    public var description: String { "%\(id):\(type)" }
}

public enum NodeKind {
    /// Fed before each run with `Program.set`.
    case input(String)
    /// Trainable, persistent across runs; fed once, then updated on the device (Adam).
    case parameter(String)
    /// Uploaded once when the program is built.
    case constant(HostTensor)
    case op(any Op)

    /// The name of an input or parameter (a leaf that `Program.set` feeds); nil for a constant or an op.
    public var fedName: String? {
        switch self {
        case .input(let name), .parameter(let name): name
        case .constant, .op: nil
        }
    }
}

public struct Node {
    public let kind: NodeKind
    public let inputs: [Int]
    public let type: TensorType
    /// The part of the computation the node belongs to (`Graph.within`; nil: untagged), so a program
    /// can say where its time goes (`Program.partSeconds`).
    public var part: String? = nil

    /// The part's name for time by part: "other" when untagged.
    public var partName: String { part ?? "other" }

    public var label: String {
        switch kind {
        case .input(let name): return "input \(name)"
        case .parameter(let name): return "parameter \(name)"
        case .constant: return "constant"
        case .op(let op): return op.name
        }
    }
}

public final class Graph {
    public private(set) var nodes: [Node] = []
    /// The part that nodes appended now belong to (see `within`).
    public private(set) var currentPart: String?

    public init() {}

    /// A graph of these nodes (a rewrite of another that keeps its node ids).
    init(nodes: [Node]) { self.nodes = nodes }

    private func append(_ kind: NodeKind, _ inputs: [Int], _ type: TensorType) -> Value {
        nodes.append(Node(kind: kind, inputs: inputs, type: type, part: currentPart))
        return Value(id: nodes.count - 1, type: type, graph: ObjectIdentifier(self))
    }

    /// Runs `body` with the nodes it appends tagged `part` (the innermost `within` wins).
    public func within<R>(_ part: String, _ body: () throws -> R) rethrows -> R {
        let outer = currentPart
        currentPart = part
        defer { currentPart = outer }
        return try body()
    }

    public func value(_ id: Int) -> Value {
        Value(id: id, type: nodes[id].type, graph: ObjectIdentifier(self))
    }

    // MARK: Leaves

    public func input(_ name: String, _ shape: Shape, _ dtype: DType = .float32) -> Value {
        append(.input(name), [], TensorType(shape, dtype))
    }

    public func parameter(_ name: String, _ shape: Shape) -> Value {
        append(.parameter(name), [], TensorType(shape))
    }

    public func constant(_ host: HostTensor) -> Value {
        append(.constant(host), [], host.type)
    }

    public func scalar(_ value: Float) -> Value { constant(HostTensor([], [value])) }

    /// The leaf named `name` (input or parameter), if any.
    public func leaf(named name: String) -> Value? {
        nodes.indices.first { nodes[$0].kind.fedName == name }.map(value)
    }

    // MARK: Ops

    /// Appends `op` applied to `inputs`; throws if the inputs do not fit the op.
    public func apply(_ op: any Op, _ inputs: [Value]) throws -> Value {
        for input in inputs where input.graph != ObjectIdentifier(self) || input.id >= nodes.count {
            throw EngineError.invalidValue("\(op.name): operand \(input) belongs to another graph")
        }
        let types = try op.outputTypes(inputs.map(\.type))
        guard types.count == 1 else {
            throw EngineError.invalidValue("\(op.name): graph ops have one output, this has \(types.count)")
        }
        return append(.op(op), inputs.map(\.id), types[0])
    }

    public func apply(_ op: any Op, _ inputs: Value...) throws -> Value { try apply(op, inputs) }
}
