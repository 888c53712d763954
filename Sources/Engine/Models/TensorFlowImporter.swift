// Builds engine graph nodes from a frozen TensorFlow GraphDef: activations NHWC become NCHW,
// weights HWIO become OIHW, Conv2D + BiasAdd become one conv2d with bias, pooling sizes come
// from the attributes. An op outside the supported set is an error naming it and its node.

public struct TensorFlowImporter {
    /// The ops this importer turns into engine ops.
    public static let supportedOps: Set<String> = [
        "Placeholder", "Const", "Identity", "Conv2D", "BiasAdd", "Relu", "ConcatV2", "Add", "AddV2", "Mul",
        "Maximum", "Square", "Sum", "Rsqrt", "MaxPool", "AvgPool", "MatMul", "Reshape", "FusedBatchNorm",
        "FusedBatchNormV3",
    ]

    /// An imported output: the engine value and whether it is a TensorFlow NHWC activation held
    /// as NCHW (`channelsFirst`), or a tensor in TensorFlow's own layout.
    struct Imported {
        let value: Value
        let channelsFirst: Bool
    }

    let def: GraphDef
    let path: String
    let graph: Graph
    private let nodes: [String: GraphNode]
    /// Conv2D nodes whose only consumer is a BiasAdd: the bias joins the convolution.
    private let convsWithBias: Set<String>
    private var imported: [String: Imported] = [:]
    /// Nodes being built: meeting one again means the graph has a cycle.
    private var building: Set<String> = []

    /// Imports into `graph`, feeding the Placeholder named `placeholder` with `input`, an NCHW
    /// image batch standing for the placeholder's NHWC shape.
    public init(_ def: GraphDef, path: String, into graph: Graph, placeholder: String, input: Value) throws {
        self.def = def
        self.path = path
        self.graph = graph
        nodes = Dictionary(def.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var consumers: [String: [GraphNode]] = [:]
        for node in def.nodes { for input in node.inputs { consumers[Self.nodeName(input), default: []].append(node) } }
        convsWithBias = Set(def.nodes.filter { node in
            node.op == "Conv2D" && consumers[node.name]?.count == 1 && consumers[node.name]?.first?.op == "BiasAdd"
        }.map(\.name))
        guard let node = nodes[placeholder], node.op == "Placeholder" else {
            throw EngineError.badFile(path: path, problem: "has no Placeholder named '\(placeholder)'")
        }
        // The batch may differ from the placeholder's (graphs are often frozen with batch 1).
        if case .shape(let nhwc)? = node.attributes["shape"], nhwc.count == 4,
           input.shape.count != 4 || [nhwc[3], nhwc[1], nhwc[2]] != Array(input.shape.dropFirst()) {
            throw EngineError.shapeMismatch(op: "import \(placeholder)", expected: "an NCHW input for NHWC \(nhwc)",
                                            got: input.type.description)
        }
        imported[placeholder] = Imported(value: input, channelsFirst: true)
    }

    /// The engine value of TensorFlow node `name` (output 0), in TensorFlow's layout except that
    /// a 4-D activation is NCHW.
    public mutating func value(_ name: String) throws -> Value { try output(name).value }

    // MARK: - Nodes

    mutating func output(_ reference: String) throws -> Imported {
        let name = Self.nodeName(reference)
        if let done = imported[name] { return done }
        guard let node = nodes[name] else {
            throw EngineError.badFile(path: path, problem: "refers to node '\(name)', which the graph does not have")
        }
        guard Self.supportedOps.contains(node.op) else {
            throw EngineError.unsupportedOp(op: "TensorFlow \(node.op) (node \(node.name))", backend: "the TensorFlow importer")
        }
        guard building.insert(name).inserted else {
            throw EngineError.badFile(path: path, problem: "has a cycle through node '\(name)'; a frozen graph has none")
        }
        defer { building.remove(name) }
        let result = try build(node)
        imported[name] = result
        return result
    }

    private mutating func build(_ node: GraphNode) throws -> Imported {
        switch node.op {
        case "Identity":
            return try output(try input(node, 0))
        case "Const":
            let tensor = try constant(node.name)
            guard tensor.dtype == GraphTensor.float32 else { throw malformed(node, "float32 values where used as a tensor") }
            return Imported(value: graph.constant(HostTensor(tensor.shape, tensor.floats)), channelsFirst: false)
        case "Conv2D":
            return try convolution(node, bias: nil)
        case "BiasAdd":
            let source = Self.nodeName(try input(node, 0))
            if convsWithBias.contains(source), let conv = nodes[source] { return try convolution(conv, bias: try input(node, 1)) }
            return try elementwise(node) { g, x in try g.add(x[0], x[1]) }
        case "Relu": return try unary(node) { try $0.relu($1) }
        case "Square": return try unary(node) { try $0.square($1) }
        case "Rsqrt": return try unary(node) { try $0.rsqrt($1) }
        case "Add", "AddV2": return try elementwise(node) { g, x in try g.add(x[0], x[1]) }
        case "Mul": return try elementwise(node) { g, x in try g.mul(x[0], x[1]) }
        case "Maximum": return try maximum(node)
        case "ConcatV2": return try concat(node)
        case "MaxPool", "AvgPool": return try pool(node)
        case "MatMul": return try matmul(node)
        case "Reshape": return try reshape(node)
        case "Sum": return try sum(node)
        case "FusedBatchNorm", "FusedBatchNormV3": return try batchNorm(node)
        default:  // Placeholder other than the fed one
            throw EngineError.invalidValue("TensorFlow node \(node.name) (\(node.op)) is not fed; feed the placeholder it names")
        }
    }

    private mutating func convolution(_ node: GraphNode, bias: String?) throws -> Imported {
        let x = try activationNCHW(try input(node, 0))
        let hwio = try constant(try input(node, 1))
        guard hwio.shape.count == 4, hwio.dtype == GraphTensor.float32 else {
            throw malformed(node, "float32 weights of rank 4 (HWIO), got \(hwio.shape) of data type \(hwio.dtype)")
        }
        let (r, s, c, k) = (hwio.shape[0], hwio.shape[1], hwio.shape[2], hwio.shape[3])
        var oihw = [Float](repeating: 0, count: hwio.floats.count)
        for tap in 0..<(r * s) { for ci in 0..<c { for ko in 0..<k { oihw[(ko * c + ci) * r * s + tap] = hwio.floats[(tap * c + ci) * k + ko] } } }
        let weight = graph.constant(HostTensor([k, c, r, s], oihw))
        let biasValue = try bias.map { reference -> Value in
            let values = try constant(reference).floats
            guard values.count == k else { throw malformed(node, "a bias of \(k) float32 values, got \(values.count)") }
            return graph.constant(HostTensor([k], values))
        }
        let window = try self.window(node, input: x.shape, kernel: (r, s))
        return Imported(value: try graph.conv2d(x, weight, bias: biasValue, window), channelsFirst: true)
    }

    private mutating func pool(_ node: GraphNode) throws -> Imported {
        let x = try activationNCHW(try input(node, 0))
        let size = try ints(node, "ksize")
        guard size.count == 4, size[0] == 1, size[3] == 1 else { throw malformed(node, "ksize [1, kh, kw, 1], got \(size)") }
        let window = try self.window(node, input: x.shape, kernel: (size[1], size[2]))
        let y = node.op == "MaxPool" ? try graph.maxPool2d(x, kernel: (size[1], size[2]), window)
                                     : try graph.avgPool2d(x, kernel: (size[1], size[2]), window)
        return Imported(value: y, channelsFirst: true)
    }

    /// Strides, dilations and SAME/VALID padding of a Conv2D or pooling node (NHWC only).
    private func window(_ node: GraphNode, input: Shape, kernel: (Int, Int)) throws -> Window {
        if case .string(let format)? = node.attributes["data_format"], format != "NHWC" {
            throw malformed(node, "data_format NHWC, got \(format)")
        }
        let strides = try ints(node, "strides")
        let dilations = node.attributes["dilations"] == nil ? [1, 1, 1, 1] : try ints(node, "dilations")
        guard strides.count == 4, dilations.count == 4 else { throw malformed(node, "strides and dilations of 4 values") }
        let stride = (strides[1], strides[2]), dilation = (dilations[1], dilations[2])
        switch node.attributes["padding"] {
        case .string("SAME")?: return .same(input: (input[2], input[3]), kernel: kernel, stride: stride, dilation: dilation)
        case .string("VALID")?: return .valid(stride: stride, dilation: dilation)
        default: throw malformed(node, "padding SAME or VALID, got \(String(describing: node.attributes["padding"]))")
        }
    }

    private mutating func matmul(_ node: GraphNode) throws -> Imported {
        let a = try activationTensorFlowLayout(try input(node, 0)), b = try operand(try input(node, 1), like: false)
        let transA = node.attributes["transpose_a"] == .bool(true), transB = node.attributes["transpose_b"] == .bool(true)
        return Imported(value: try graph.matmul(a, b, transA: transA, transB: transB), channelsFirst: false)
    }

    private mutating func reshape(_ node: GraphNode) throws -> Imported {
        let x = try activationTensorFlowLayout(try input(node, 0))
        var shape = try constant(try input(node, 1)).integers
        if let unknown = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            guard known > 0, x.type.count % known == 0 else { throw malformed(node, "a shape that fits \(x.type)") }
            shape[unknown] = x.type.count / known
        }
        return Imported(value: try graph.reshape(x, shape), channelsFirst: false)
    }

    /// A sum keeping its dimensions stays NCHW; one dropping them is taken in TensorFlow's layout.
    private mutating func sum(_ node: GraphNode) throws -> Imported {
        let x = try output(try input(node, 0))
        let axes = try constant(try input(node, 1)).integers
        let keep = node.attributes["keep_dims"] == .bool(true)
        let rank = x.value.shape.count
        guard axes.allSatisfy({ (-rank..<rank).contains($0) }) else { throw malformed(node, "axes in -\(rank)..<\(rank), got \(axes)") }
        if x.channelsFirst && keep {
            return Imported(value: try graph.sum(x.value, axes: axes.map { Self.nchwAxis($0, rank: rank) }, keepDims: true),
                            channelsFirst: true)
        }
        return Imported(value: try graph.sum(try activationTensorFlowLayout(x), axes: axes, keepDims: keep), channelsFirst: false)
    }

    private mutating func concat(_ node: GraphNode) throws -> Imported {
        let parts = try node.inputs.dropLast().map { try output($0) }
        let axis = try constant(node.inputs.last ?? "").integers.first ?? 0
        guard let rank = parts.first?.value.shape.count else { throw malformed(node, "at least one input") }
        let channelsFirst = parts.allSatisfy(\.channelsFirst)
        let values = try parts.map { channelsFirst ? $0.value : try activationTensorFlowLayout($0) }
        guard (-rank..<rank).contains(axis) else { throw malformed(node, "an axis in -\(rank)..<\(rank), got \(axis)") }
        let engineAxis = channelsFirst ? Self.nchwAxis(axis, rank: rank) : axis
        return Imported(value: try graph.concat(values, axis: engineAxis), channelsFirst: channelsFirst)
    }

    private mutating func batchNorm(_ node: GraphNode) throws -> Imported {
        guard node.attributes["is_training"] != .bool(true) else { throw malformed(node, "is_training false (inference)") }
        let x = try output(try input(node, 0))
        let epsilon: Float = if case .float(let e)? = node.attributes["epsilon"] { e } else { 1e-3 }
        let (gamma, beta, mean, variance) = (try constant(try input(node, 1)).floats, try constant(try input(node, 2)).floats,
                                             try constant(try input(node, 3)).floats, try constant(try input(node, 4)).floats)
        let scale = zip(gamma, variance).map { $0 / (($1 + epsilon).squareRoot()) }
        let shift = zip(zip(beta, mean), scale).map { $0.0 - $0.1 * $1 }
        let shape = x.channelsFirst && x.value.shape.count == 4 ? [1, scale.count, 1, 1] : [scale.count]
        let y = try graph.add(try graph.mul(x.value, graph.constant(HostTensor(shape, scale))), graph.constant(HostTensor(shape, shift)))
        return Imported(value: y, channelsFirst: x.channelsFirst)
    }

    private mutating func maximum(_ node: GraphNode) throws -> Imported {
        let inputs = node.inputs.map(Self.nodeName)
        guard inputs.count == 2, let floor = inputs.firstIndex(where: { nodes[$0]?.op == "Const" }),
              let bound = try constant(inputs[floor]).floats.first, try constant(inputs[floor]).floats.count == 1 else {
            throw malformed(node, "one operand a scalar constant (a lower bound)")
        }
        let x = try output(inputs[1 - floor])
        return Imported(value: try graph.clamp(x.value, bound, .infinity), channelsFirst: x.channelsFirst)
    }

    private mutating func unary(_ node: GraphNode, _ body: (Graph, Value) throws -> Value) throws -> Imported {
        let x = try output(try input(node, 0))
        return Imported(value: try body(graph, x.value), channelsFirst: x.channelsFirst)
    }

    /// A binary op whose activations share a layout and whose constants broadcast as in TensorFlow.
    private mutating func elementwise(_ node: GraphNode, _ body: (Graph, [Value]) throws -> Value) throws -> Imported {
        guard node.inputs.count == 2 else { throw malformed(node, "2 inputs, got \(node.inputs.count)") }
        let activations = try node.inputs.filter { nodes[Self.nodeName($0)]?.op != "Const" }.map { try output($0) }
        let channelsFirst = !activations.isEmpty && activations.allSatisfy(\.channelsFirst)
        let values = try node.inputs.map { try operand($0, like: channelsFirst) }
        return Imported(value: try body(graph, values), channelsFirst: channelsFirst)
    }

    // MARK: - Operands and layouts

    /// An input as a value: a constant reshaped to broadcast over NCHW when `channelsFirst`
    /// (a per-channel vector becomes [1, C, 1, 1]), an activation in the requested layout.
    private mutating func operand(_ reference: String, like channelsFirst: Bool) throws -> Value {
        if nodes[Self.nodeName(reference)]?.op == "Const" {
            let tensor = try constant(reference)
            let shape = channelsFirst && tensor.shape.count == 1 ? [1, tensor.shape[0], 1, 1] : tensor.shape
            return graph.constant(HostTensor(shape, tensor.floats))
        }
        return channelsFirst ? try activationNCHW(reference) : try activationTensorFlowLayout(try output(reference))
    }

    private mutating func activationNCHW(_ reference: String) throws -> Value {
        let x = try output(reference)
        guard x.value.shape.count == 4 else {
            throw EngineError.shapeMismatch(op: "import \(reference)", expected: "a 4-D activation", got: x.value.type.description)
        }
        return x.channelsFirst ? x.value : try graph.permute(x.value, [0, 3, 1, 2])
    }

    private func activationTensorFlowLayout(_ x: Imported) throws -> Value {
        guard x.channelsFirst else { return x.value }
        let s = x.value.shape
        // With a 1×1 plane NCHW and NHWC hold the same order: a view, not a copy.
        return s[2] * s[3] == 1 ? try graph.reshape(x.value, [s[0], s[2], s[3], s[1]]) : try graph.permute(x.value, [0, 2, 3, 1])
    }

    private mutating func activationTensorFlowLayout(_ reference: String) throws -> Value {
        try activationTensorFlowLayout(try output(reference))
    }

    private func constant(_ reference: String) throws -> GraphTensor {
        let name = Self.nodeName(reference)
        var node = nodes[name], hops = 0
        while node?.op == "Identity", let source = node?.inputs.first, hops < nodes.count {
            node = nodes[Self.nodeName(source)]
            hops += 1  // a cycle of Identity nodes ends here, as "not a constant"
        }
        guard let node, node.op == "Const", case .tensor(let tensor)? = node.attributes["value"] else {
            throw EngineError.badFile(path: path, problem: "node '\(name)' should be a constant tensor (weights, shape or axis)")
        }
        return tensor
    }

    private func input(_ node: GraphNode, _ k: Int) throws -> String {
        guard k < node.inputs.count else { throw malformed(node, "at least \(k + 1) inputs, got \(node.inputs.count)") }
        return node.inputs[k]
    }

    private func ints(_ node: GraphNode, _ attribute: String) throws -> [Int] {
        guard case .ints(let values)? = node.attributes[attribute] else { throw malformed(node, "an attribute '\(attribute)'") }
        return values
    }

    private func malformed(_ node: GraphNode, _ expected: String) -> EngineError {
        EngineError.badFile(path: path, problem: "node \(node.name) (\(node.op)) should have \(expected)")
    }

    /// "name:0" and "name" are output 0 of node "name" (only single-output ops are imported).
    static func nodeName(_ reference: String) -> String {
        reference.split(separator: ":", maxSplits: 1).first.map(String.init) ?? reference
    }

    /// TensorFlow's NHWC axis (negative counts from the end) as the NCHW axis.
    static func nchwAxis(_ axis: Int, rank: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        return rank == 4 ? [0, 2, 3, 1][a] : a
    }
}
