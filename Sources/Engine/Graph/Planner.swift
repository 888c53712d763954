// Buffer planning: each value gets a tensor on each backend that holds it; a value's buffer
// returns to a free list after its last use and is reused by a later value of the same type.
// Leaves, program outputs and views of them are never reused. Values that live in another's
// buffer (Regions.swift) get a sub-buffer of it, which keeps that buffer from reuse while in use.
// Inputs and parameters may be bound to tensors that exist already (another program's); constants
// that no step reads get no buffer.

struct BufferPlan {
    /// tensors[backend][value]
    private(set) var tensors: [[Int: Tensor]]
    /// Distinct buffers allocated, per backend (for reports and tests).
    private(set) var allocatedBuffers: [Int]
    /// Values inside another's buffer, and the steps that run nothing because of them.
    let regions: Regions

    init(graph: Graph, schedule: Schedule, pinned: Set<Int>, placesRegions: Bool = true,
         bound: [Int: Tensor] = [:]) throws {
        let regions = placesRegions ? Regions(graph: graph, schedule: schedule, pinned: pinned) : Regions()
        self.regions = regions
        let backendCount = schedule.backends.count
        tensors = [[Int: Tensor]](repeating: [:], count: backendCount)
        allocatedBuffers = [Int](repeating: 0, count: backendCount)

        // The step at which each value's copy on each backend is written, and last read.
        struct Key: Hashable { let value: Int; let backend: Int }
        var root: [Key: Key] = [:]    // views share their input's buffer
        var lastUse: [Key: Int] = [:]
        var written: [(step: Int, key: Key)] = []
        var concatenations = Set<Key>()  // in place, written already
        for (index, step) in schedule.steps.enumerated() {
            switch step {
            case let .run(node, b):
                let inputs = graph.nodes[node].inputs
                for input in inputs { lastUse[root[Key(value: input, backend: b)] ?? Key(value: input, backend: b)] = index }
                let key = Key(value: node, backend: b)
                if case .op(let op) = graph.nodes[node].kind, op.isView {
                    let source = Key(value: inputs[0], backend: b)
                    root[key] = root[source] ?? source
                } else if let home = regions.home[node] {
                    let holder = Key(value: home.value, backend: b)
                    if regions.runsNothing.contains(node) {  // a slice: a view of its input
                        root[key] = root[holder] ?? holder
                    } else {  // an operand: its concatenation's buffer is written from the first one on
                        if concatenations.insert(holder).inserted { written.append((index, holder)) }
                        root[key] = holder
                    }
                } else if !regions.runsNothing.contains(node) && !concatenations.contains(key) {
                    written.append((index, key))
                }
            case let .transfer(value, from, to):
                let source = Key(value: value, backend: from)
                lastUse[root[source] ?? source] = index
                written.append((index, Key(value: value, backend: to)))
            }
        }
        var pinnedRoots = Set<Key>()
        for (key, r) in root where pinned.contains(key.value) { pinnedRoots.insert(r) }
        for id in 0..<graph.nodes.count {
            if case .op = graph.nodes[id].kind { continue }
            pinnedRoots.insert(Key(value: id, backend: schedule.home[id]))
        }
        for b in 0..<backendCount { for id in pinned { pinnedRoots.insert(Key(value: id, backend: b)) } }

        // Leaves first: they exist before any step.
        var read = pinned
        for case .run(let node, _) in schedule.steps { read.formUnion(graph.nodes[node].inputs) }
        for id in 0..<graph.nodes.count {
            let b = schedule.home[id]
            switch graph.nodes[id].kind {
            case .op: continue
            case .constant where !read.contains(id): continue
            case .input, .parameter, .constant:
                if let given = bound[id] {
                    guard given.backend === schedule.backends[b], given.type == graph.nodes[id].type else {
                        throw EngineError.invalidValue(
                            "a bound leaf of type \(graph.nodes[id].type) needs a tensor of that type on "
                                + "\(schedule.backends[b].name), got \(given.type) on \(given.backend.name)")
                    }
                    tensors[b][id] = given
                } else {
                    tensors[b][id] = try schedule.backends[b].allocate(graph.nodes[id].type)
                    allocatedBuffers[b] += 1
                }
            }
        }
        var free: [[TensorType: [Tensor]]] = [[TensorType: [Tensor]]](repeating: [:], count: backendCount)
        var releaseAt: [Int: [Key]] = [:]
        for (key, index) in lastUse where !pinnedRoots.contains(key) { releaseAt[index, default: []].append(key) }
        var writtenAt: [Int: [Key]] = [:]
        for w in written { writtenAt[w.step, default: []].append(w.key) }

        for (index, step) in schedule.steps.enumerated() {
            for key in writtenAt[index] ?? [] {
                let type = graph.nodes[key.value].type
                if let reused = free[key.backend][type]?.popLast() {
                    tensors[key.backend][key.value] = reused
                } else {
                    tensors[key.backend][key.value] = try schedule.backends[key.backend].allocate(type)
                    allocatedBuffers[key.backend] += 1
                }
                // A value nobody reads is released right after it is written.
                if lastUse[key] == nil && !pinnedRoots.contains(key) { releaseAt[index, default: []].append(key) }
            }
            if case let .run(node, b) = step, case .op(let op) = graph.nodes[node].kind, op.isView {
                let source = tensors[b][graph.nodes[node].inputs[0]]!
                tensors[b][node] = source.reshaped(graph.nodes[node].type.shape)
            } else if case let .run(node, b) = step, let home = regions.home[node] {
                tensors[b][node] = try schedule.backends[b].region(
                    of: tensors[b][home.value]!, offset: home.offset, type: graph.nodes[node].type)
            }
            for key in releaseAt[index] ?? [] {
                let type = graph.nodes[key.value].type
                free[key.backend][type, default: []].append(tensors[key.backend][key.value]!)
            }
        }
    }

    func tensor(_ value: Int, on backend: Int) -> Tensor? { tensors[backend][value] }

    func tensors(on backend: Int) -> [Tensor] { tensors[backend].sorted { $0.key < $1.key }.map(\.value) }
}
