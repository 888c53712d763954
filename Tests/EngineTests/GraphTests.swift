// Graph building, planning, CPU fallback, residency of a training step, Adam.
@testable import Engine
import XCTest

/// An op with no OpenCL launcher: the scheduler must place it on the CPU, visibly.
private struct CPUOnlyNegate: Op {
    var name: String { "cpu_only_negate" }
    func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] { [inputs[0]] }
    func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        [RefTensor(inputs[0].shape, inputs[0].values.map { -$0 })]
    }
}

final class GraphTests: XCTestCase {
    func testShapeMismatchNamesTheOpAndBothShapes() {
        let g = Graph()
        let a = g.input("a", [2, 3]), b = g.input("b", [4])
        XCTAssertThrowsError(try g.add(a, b)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("map(add)") && text.contains("[2, 3]") && text.contains("[4]"), text)
        }
        XCTAssertThrowsError(try g.matmul(a, b)) { XCTAssertTrue("\($0)".contains("matmul")) }
    }

    func testPlannerReusesBuffersAlongAChain() throws {
        let device = try TestDevice.openCL()
        let g = Graph()
        var x = g.input("x", [100])
        for _ in 0..<10 { x = try g.tanh(x) }
        let program = try Program(graph: g, outputs: [x], device: device)
        // input, output, and two intermediates that alternate.
        XCTAssertLessThanOrEqual(program.deviceBufferCount, 4)
        try program.set("x", HostTensor([100], (0..<100).map { Float($0) / 100 }))
        try program.run()
        let expected = (0..<100).map { i -> Float in (0..<10).reduce(Float(i) / 100) { v, _ in Foundation.tanh(v) } }
        assertClose(try program.read(x).values, expected)
    }

    /// A program can read and write another's leaves in place: what one sets, the other sees, with
    /// nothing copied; only inputs and parameters of its own graph can be bound.
    func testAProgramReadsTheLeavesBoundToAnothersTensors() throws {
        let device = try TestDevice.openCL()
        let g = Graph()
        let (x, w) = (g.input("x", [4]), g.parameter("w", [4]))
        let product = try g.mul(x, w)
        let full = try Program(graph: g, outputs: [try g.tanh(product)], device: device)
        let part = try Program(graph: g, outputs: [product], device: device, bound: full.leafTensors)
        XCTAssertEqual(part.deviceBufferCount, 1, "only the product's buffer is its own")
        let moved = Counters.shared.snapshot
        try full.set("x", HostTensor([4], [1, 2, 3, 4]))
        try full.set("w", HostTensor([4], [0.5, -1, 2, 0]))
        try part.run()
        XCTAssertEqual(try part.read(product).values, [0.5, -2, 6, 0])
        XCTAssertEqual(Counters.shared.snapshot.since(moved).bytesToDevice, 2 * 4 * 4, "the two feeds, once")
        let h = Graph()
        let y = h.input("y", [4])
        let xOnDevice = full.leafTensors[0].tensor
        let strangers = [(y, "another graph's input"), (product, "an op's value"), (g.scalar(2), "a constant")]
        for (leaf, what) in strangers {
            XCTAssertThrowsError(
                try Program(graph: g, outputs: [product], device: device, bound: [(leaf, xOnDevice)]), what
            ) { XCTAssertTrue("\($0)".contains("can be bound"), "\($0)") }
        }
        XCTAssertThrowsError(
            try Program(graph: g, outputs: [product], device: CPUBackend.shared, bound: [(x, xOnDevice)])
        ) { XCTAssertTrue("\($0)".contains("needs a tensor of that type on cpu"), "\($0)") }
    }

    func testAnOpTheDeviceLacksFallsBackToTheCPUVisibly() throws {
        let device = try TestDevice.openCL()
        let g = Graph()
        let x = g.input("x", [3])
        let y = try g.exp(try g.apply(CPUOnlyNegate(), try g.scale(x, 2)))
        let before = Counters.shared.snapshot
        let program = try Program(graph: g, outputs: [y], device: device)
        XCTAssertEqual(program.fallbacks, ["node 2: cpu_only_negate"])
        XCTAssertEqual(Counters.shared.snapshot.since(before).fallbacks, 1)
        try program.set("x", HostTensor([3], [0, 0.5, 1]))
        try program.run()
        assertClose(try program.read(y).values, [1, Foundation.exp(-1), Foundation.exp(-2)])
        XCTAssertThrowsError(try device.run(CPUOnlyNegate(), inputs: [], outputs: [])) { error in
            XCTAssertEqual(error as? EngineError, .unsupportedOp(op: "cpu_only_negate", backend: device.name))
        }
    }

    /// Least squares W·x ≈ t fitted by Adam: a step moves nothing between host and device but
    /// the loss scalar, and the device agrees with the CPU reference step by step.
    func testTrainingStepStaysOnTheDeviceAndMatchesTheReference() throws {
        let device = try TestDevice.openCL()
        func train(on backend: any Backend, steps: Int) throws -> (losses: [Float], traffic: Counters.Snapshot) {
            let g = Graph()
            let w = g.parameter("w", [4, 3]), x = g.input("x", [3, 5]), t = g.input("t", [4, 5])
            let loss = try g.mean(try g.square(try g.sub(try g.matmul(w, x), t)))
            let grad = try g.gradients(of: loss, wrt: [w])[0]
            let program = try Program(graph: g, outputs: [loss, grad], device: backend)
            try program.set("w", HostTensor([4, 3], (0..<12).map { Float($0) / 12 }))
            try program.set("x", HostTensor([3, 5], (0..<15).map { Foundation.sin(Float($0)) }))
            try program.set("t", HostTensor([4, 5], (0..<20).map { Foundation.cos(Float($0)) }))
            let adam = try Adam(program: program, parameters: [w], gradients: [grad], learningRate: 0.05)
            let before = Counters.shared.snapshot
            var losses: [Float] = []
            for _ in 0..<steps {
                try program.run()
                try adam.update()
                losses.append(try program.read(loss).values[0])
            }
            return (losses, Counters.shared.snapshot.since(before))
        }
        let steps = 30
        let onDevice = try train(on: device, steps: steps)
        let onCPU = try train(on: CPUBackend.shared, steps: steps)
        XCTAssertEqual(onDevice.traffic.bytesToDevice, 0, "a step uploaded data")
        XCTAssertEqual(onDevice.traffic.bytesToHost, 4 * steps, "a step downloaded more than the loss")
        XCTAssertGreaterThan(onDevice.traffic.launches, 0)
        XCTAssertLessThan(onDevice.losses.last!, 0.5 * onDevice.losses.first!, "Adam did not reduce the loss")
        assertClose(onDevice.losses, onCPU.losses, atol: 1e-4, rtol: 1e-3)
    }

    /// Σ (w − t)² with t = (−1, 0.5, −0.2, 2) from w = 0.3: a non-negative Adam ends at max(t, 0) on
    /// either backend, never below 0 on the way; a plain one reaches the negative targets.
    func testNonNegativeAdamProjectsEachStepOntoZeroOrAbove() throws {
        let target: [Float] = [-1, 0.5, -0.2, 2]
        func fit(on backend: any Backend, nonNegative: Bool) throws -> (final: [Float], lowest: Float) {
            let g = Graph()
            let w = g.parameter("w", [4]), t = g.input("t", [4])
            let loss = try g.sum(try g.square(try g.sub(w, t)))
            let grad = try g.gradients(of: loss, wrt: [w])[0]
            let program = try Program(graph: g, outputs: [loss, grad], device: backend)
            try program.set("w", HostTensor([4], [0.3, 0.3, 0.3, 0.3]))
            try program.set("t", HostTensor([4], target))
            let adam = try Adam(
                program: program, parameters: [w], gradients: [grad], learningRate: 0.1, nonNegative: nonNegative)
            var lowest = Float.infinity
            for _ in 0..<300 {
                try program.run()
                try adam.update()
                lowest = min(lowest, try program.read(w).values.min()!)
            }
            return (try program.read(w).values, lowest)
        }
        for backend in [CPUBackend.shared, try TestDevice.openCL()] as [any Backend] {
            let projected = try fit(on: backend, nonNegative: true)
            assertClose(projected.final, [0, 0.5, 0, 2], atol: 2e-2)
            XCTAssertEqual(projected.lowest, 0, "\(backend.name): a step left a weight below 0")
            let plain = try fit(on: backend, nonNegative: false)
            assertClose(plain.final, target, atol: 2e-2)
        }
    }

    func testPartsTagNodesTheirBackwardAndTheProgramsTimeOnTheCPU() throws {
        let g = Graph()
        let x = g.parameter("x", [64])
        let hidden = try g.within("network") { try g.tanh(g.tanh(x)) }
        XCTAssertNil(g.currentPart, "the tag ends with its block")
        let loss = try g.sum(g.square(hidden))
        XCTAssertEqual(g.nodes[hidden.id].part, "network")
        XCTAssertNil(g.nodes[loss.id].part)
        let grad = try g.gradients(of: loss, wrt: [x])[0]
        XCTAssertEqual(g.nodes[grad.id].part, "network backward", "the tanh's backward is the network's")
        let program = try Program(graph: g, outputs: [loss, grad], device: CPUBackend.shared)
        try program.set("x", HostTensor([64], (0..<64).map { Float($0) / 64 }))
        try program.run()
        XCTAssertTrue(program.partSeconds.isEmpty, "no timing unless asked")
        program.timesParts = true
        for _ in 0..<3 { try program.run() }
        // The loss's backward maps join the tanh's backward (a fused map takes the absorbing map's part).
        XCTAssertEqual(Set(program.partSeconds.keys), ["network", "network backward", "other"])
        XCTAssertTrue(program.partSeconds.values.allSatisfy { $0 > 0 })
    }

    func testReadingAValueTheProgramDoesNotComputeIsAnError() throws {
        let g = Graph()
        let x = g.input("x", [2])
        let y = try g.exp(x)
        let unrelated = try g.neg(g.input("z", [2]))
        let program = try Program(graph: g, outputs: [y], device: CPUBackend.shared)
        XCTAssertThrowsError(try program.read(unrelated))
        XCTAssertEqual(try program.read(g.leaf(named: "x")!).shape, [2], "a leaf is readable")
    }

    /// An intermediate's buffer is reused by a later step: reading it is an error, not a stale copy.
    func testReadingAnIntermediateThatIsNotAnOutputIsAnError() throws {
        let g = Graph()
        let x = g.input("x", [4])
        let middle = try g.tanh(x)
        let y = try g.exp(g.tanh(g.tanh(middle)))
        let program = try Program(graph: g, outputs: [y], device: CPUBackend.shared)
        try program.set("x", HostTensor([4], [0.1, 0.2, 0.3, 0.4]))
        try program.run()
        XCTAssertThrowsError(try program.read(middle)) { XCTAssertTrue("\($0)".contains("list it in outputs"), "\($0)") }
        XCTAssertNoThrow(try program.read(y))
        XCTAssertThrowsError(try program.set("x", HostTensor([3], [1, 2, 3]))) { XCTAssertTrue("\($0)".contains("feed 'x'")) }
        XCTAssertThrowsError(try program.set("nope", HostTensor([2], [1, 2]))) { XCTAssertTrue("\($0)".contains("nope")) }
    }
}
