// A graph compiled for a device: conv epilogues and chains of maps fused, placed, planned, its
// tensors allocated once; each run enqueues every step with no host round-trip, and only what is
// read comes back.
import Foundation

public final class Program {
    public let graph: Graph
    public let outputs: [Value]
    /// The graph as it runs: `graph` with sibling convolutions merged (SiblingConvolutions.swift),
    /// conv epilogues (Fusion.swift) and chains of maps (MapFusion.swift) fused, constant weights
    /// flipped for input gradients (FlippedWeights.swift), and on a device with views concatenations
    /// widened (ConcatWidening.swift); `ids` maps `graph`'s node ids to its.
    let fused: Graph
    private let ids: [Int]
    let schedule: Schedule
    let plan: BufferPlan
    /// Per step, the op it runs (nil for a transfer, a view, or a value in place: Regions.swift) and
    /// the prepared tensors (so a run does no lookups).
    private let prepared: [(step: Step, op: (any Op)?, inputs: [Tensor], outputs: [Tensor])]
    /// The parts of the graph (`Node.part`), and per prepared step the index of its part.
    private let parts: [String]
    private let stepParts: [Int]
    private var partNanoseconds: [UInt64]
    /// When set, each run adds every op's wall time to its part (`partSeconds`). Meaningful where ops
    /// run as they are called (the CPU backend); an OpenCL run only enqueues them.
    public var timesParts = false

    /// Compiles the part of `graph` that `outputs` need for `device`; ops the device lacks run
    /// on the CPU reference (see `fallbacks`). Constants are uploaded here, once. With
    /// `placesRegions` false, concatenations and slices copy even where they could be views
    /// (Regions.swift; for comparisons). `bound` gives inputs and parameters tensors that exist
    /// already, on the device (another program's leaves or outputs): this program reads them, and
    /// `set` and Adam write them, in place; no copy is made.
    public init(graph: Graph, outputs: [Value], device: any Backend, placesRegions: Bool = true,
                bound: [(leaf: Value, tensor: Tensor)] = []) throws {
        self.graph = graph
        self.outputs = outputs
        let merged = graph.mergingSiblingConvolutions(for: outputs)
        var runs = outputs.map { merged.graph.value(merged.ids[$0.id]) }
        let flipped = merged.graph.fusingEpilogues(for: runs).fusingMaps(for: runs)
            .flippingConstantWeights(for: runs)
        var fused = flipped.graph, ids = merged.ids.map { flipped.ids[$0] }
        runs = runs.map { fused.value(flipped.ids[$0.id]) }
        if placesRegions, let alignment = device.regionAlignment, alignment > 0 {
            let widened = fused.wideningConcatenations(for: runs, alignment: alignment)
            (fused, ids) = (widened.graph, ids.map { widened.ids[$0] })
            runs = runs.map { widened.graph.value(widened.ids[$0.id]) }
        }
        self.ids = ids
        self.fused = fused
        schedule = Schedule(graph: fused, outputs: runs, preferred: device, fallback: CPUBackend.shared)
        for _ in schedule.fallbacks { Counters.shared.addFallback() }
        var boundIds: [Int: Tensor] = [:]
        for (leaf, tensor) in bound {
            guard leaf.graph == ObjectIdentifier(graph), graph.nodes[leaf.id].kind.fedName != nil else {
                throw EngineError.invalidValue(
                    "only the graph's inputs and parameters can be bound; \(leaf) is not one")
            }
            boundIds[ids[leaf.id]] = tensor
        }
        let plan = try BufferPlan(graph: fused, schedule: schedule, pinned: Set(runs.map(\.id)),
                                  placesRegions: placesRegions, bound: boundIds)
        self.plan = plan
        var prepared: [(Step, (any Op)?, [Tensor], [Tensor])] = []
        for step in schedule.steps {
            switch step {
            case .run(let node, let b):
                var op: (any Op)?
                if case .op(let nodeOp) = fused.nodes[node].kind, !nodeOp.isView,
                   !plan.regions.runsNothing.contains(node) {
                    op = plan.regions.running(nodeOp, node: node)
                }
                let ins = fused.nodes[node].inputs.map { plan.tensor($0, on: b)! }
                prepared.append((step, op, ins, [plan.tensor(node, on: b)!]))
            case .transfer(let value, let from, let to):
                prepared.append((step, nil, [plan.tensor(value, on: from)!], [plan.tensor(value, on: to)!]))
            }
        }
        self.prepared = prepared
        let stepPartNames = schedule.steps.map { step -> String in
            guard case .run(let node, _) = step else { return "transfers" }
            return fused.nodes[node].partName
        }
        let parts = Array(Set(stepPartNames)).sorted()
        self.parts = parts
        stepParts = stepPartNames.map { parts.firstIndex(of: $0)! }
        partNanoseconds = [UInt64](repeating: 0, count: parts.count)
        for (id, node) in fused.nodes.enumerated() {
            if case .constant(let host) = node.kind, let t = plan.tensor(id, on: schedule.home[id]) {
                try t.backend.upload(host, into: t)
            }
        }
    }

    /// The device the program was compiled for.
    public var device: any Backend { schedule.backends[0] }

    /// The ops that run on the CPU fallback because the device lacks them ("node 7: gather").
    public var fallbacks: [String] { schedule.fallbacks.map { "node \($0.node): \($0.op)" } }

    /// Every distinct tensor the program holds on the device (for sentinel checks).
    public var deviceTensors: [Tensor] {
        var seen = Set<ObjectIdentifier>()
        return plan.tensors(on: 0).filter { seen.insert(ObjectIdentifier($0.storage)).inserted }
    }

    /// The summed cost of every op the program runs (for benchmarks).
    public var forwardCost: OpCost {
        var total = OpCost(flops: 0, bytes: 0)
        for case (_, let op?, let inputs, let outputs) in prepared {
            let cost = op.cost(inputs.map(\.type), outputs.map(\.type))
            total.flops += cost.flops
            total.bytes += cost.bytes
        }
        return total
    }

    /// Distinct buffers allocated on the device (after reuse).
    public var deviceBufferCount: Int { plan.allocatedBuffers[0] }

    /// Feeds an input or parameter by name.
    public func set(_ name: String, _ host: HostTensor) throws {
        guard let leaf = graph.leaf(named: name) else {
            throw EngineError.invalidValue("program has no input or parameter named '\(name)'")
        }
        guard host.type == leaf.type else {
            throw EngineError.shapeMismatch(
                op: "feed '\(name)'", expected: leaf.type.description, got: host.type.description)
        }
        let t = tensor(leaf)!
        try t.backend.upload(host, into: t)
    }

    /// Every input and parameter of the graph with the tensor that holds it here (for `bound`).
    public var leafTensors: [(leaf: Value, tensor: Tensor)] {
        graph.nodes.indices.filter { graph.nodes[$0].kind.fedName != nil }.compactMap { id in
            tensor(graph.value(id)).map { (graph.value(id), $0) }
        }
    }

    /// Seconds of op time by part over the runs while `timesParts` was set (parts with time only).
    public var partSeconds: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(parts, partNanoseconds).filter { $0.1 > 0 }.map { ($0, Double($1) / 1e9) })
    }

    /// Enqueues one evaluation of every output. Device work is not waited for.
    public func run() throws {
        for (k, (step, op, inputs, outputs)) in prepared.enumerated() {
            let start = timesParts ? DispatchTime.now().uptimeNanoseconds : 0
            switch step {
            case .run(_, let b):
                guard let op else { continue }
                try schedule.backends[b].run(op, inputs: inputs, outputs: outputs)
            case .transfer:
                let host = try inputs[0].backend.download(inputs[0])
                try outputs[0].backend.upload(host, into: outputs[0])
            }
            if timesParts { partNanoseconds[stepParts[k]] += DispatchTime.now().uptimeNanoseconds - start }
        }
    }

    /// The tensor holding `value` where it was produced (nil if the program does not compute it).
    public func tensor(_ value: Value) -> Tensor? {
        let id = ids[value.id]
        return plan.tensor(id, on: schedule.home[id])
    }

    /// Copies `value`, an output or a leaf, to the host (waits for the queued work). Other values'
    /// buffers are reused by later steps, so reading one is an error, not a stale copy.
    public func read(_ value: Value) throws -> HostTensor {
        let isLeaf: Bool
        if case .op = graph.nodes[value.id].kind { isLeaf = false } else { isLeaf = true }
        guard isLeaf || outputs.contains(where: { $0.id == value.id }), let t = tensor(value) else {
            throw EngineError.invalidValue(
                "\(value) is not an output or a leaf of this program; list it in outputs")
        }
        return try t.toHost()
    }
}
