import XCTest

// Epilogue and map fusion when a program is built: which patterns fuse, which must not, that fused
// programs (forward and backward) equal the unfused reference evaluator, and the launches saved.
@testable import Engine

final class FusionTests: XCTestCase {
    func testConvCasesFuseAndEqualTheUnfusedReferenceForwardAndBackward() throws {
        for opCase in ConvEpilogue.cases + Conv2d.cases {
            let built = try opCase.makeGraph(withGradients: opCase.checksGradient)
            let outputs = [built.output] + built.grads
            let feeds = opCase.feeds(outputShape: opCase.checksGradient ? built.output.shape : nil)
            let program = try Program(graph: built.graph, outputs: outputs, device: CPUBackend.shared)
            for (name, value) in feeds { try program.set(name, value) }
            try program.run()
            let reference = try built.graph.evaluate(outputs, feeds: feeds)
            for (value, expected) in zip(outputs, reference) {
                XCTAssertEqual(try program.read(value).values, expected.values, "\(opCase.name): \(value)")
            }
        }
    }

    func testInceptionResNetBlockRunsAsConvolutionsAndAConcatenation() throws {
        let block = try XCTUnwrap(ConvEpilogue.cases.first { $0.name.contains("Inception-ResNet") })
        let built = try block.makeGraph(withGradients: false)
        let program = try Program(graph: built.graph, outputs: [built.output], device: CPUBackend.shared)
        let ops = program.ranOps
        XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d") }.count, 4, "\(ops)")
        XCTAssertFalse(ops.contains { $0.hasPrefix("map") }, "\(ops)")
        XCTAssertTrue(ops.contains { $0.hasSuffix("·0.17+residual+relu") }, "\(ops)")
        // Forward and backward: the relu backward reads the fused convs' outputs, no relu runs.
        let trained = try block.makeGraph(withGradients: true)
        let both = try Program(
            graph: trained.graph, outputs: [trained.output] + trained.grads, device: CPUBackend.shared)
        XCTAssertFalse(both.ranOps.contains("map(relu)"), "\(both.ranOps)")
        // The inner branch's relu backward joins the 3×3 conv's input gradient, and both branches'
        // (of the concatenation's gradient, sliced) the up conv's input gradient, gated by the
        // concatenation (ConcatGradientMask.swift): the one relu backward left is the block's own,
        // of the seed (in a network, the next block's gradient does it).
        let backward = both.ranOps
        let gated = backward.filter { $0.hasPrefix("conv2d_input_grad") && $0.hasSuffix("+relu_grad") }
        XCTAssertTrue(gated.contains { $0.hasPrefix("conv2d_input_grad(s1x1 d1x1 p1,1,1,1") }, "\(backward)")
        XCTAssertTrue(gated.contains { $0.contains("[1, 10, 7, 7]") }, "\(backward)")
        XCTAssertEqual(backward.filter { $0 == "map(reluGrad)" }.count, 1, "\(backward)")
    }

    func testReluBackwardsOfAConcatenationsSlicesMaskItsGradientOnceWhereNothingElseReadsThem() throws {
        let g = Graph()
        let (a, b, seed) = (g.input("a", [2, 3]), g.input("b", [2, 4]), g.input("seed", [2, 7]))
        let x = try g.concat([try g.relu(a), try g.relu(b)], axis: 1)
        let gradient = try g.mul(seed, g.exp(x))  // g: the concatenation's gradient
        let grads = try g.gradients(of: [(value: x, seed: gradient)], wrt: [a, b])
        func ops(_ outputs: [Value]) throws -> [String] {
            try Program(graph: g, outputs: outputs, device: CPUBackend.shared).ranOps
        }
        let masked = try ops(grads)
        XCTAssertEqual(masked.filter { $0.contains("reluGrad") }.count, 1, "\(masked)")
        var feeds: [String: HostTensor] = [:]
        for (name, shape) in [("a", [2, 3]), ("b", [2, 4]), ("seed", [2, 7])] {
            let values = (0..<shape.elementCount).map { Float(($0 * 5 + name.count) % 7) * 0.3 - 0.9 }
            feeds[name] = HostTensor(shape, values)
        }
        let program = try Program(graph: g, outputs: grads, device: CPUBackend.shared)
        for (name, value) in feeds { try program.set(name, value) }
        try program.run()
        for (value, expected) in zip(grads, try g.evaluate(grads, feeds: feeds)) {
            XCTAssertEqual(try program.read(value).values, expected.values)
        }
        // Not where the gradient is an output, or a slice is read by more than relu's backward.
        XCTAssertEqual(try ops(grads + [gradient]).filter { $0.contains("reluGrad") }.count, 2)
        let other = try g.neg(g.slice(gradient, starts: [0, 0], ends: [2, 3]))
        XCTAssertEqual(try ops(grads + [other]).filter { $0.contains("reluGrad") }.count, 2)
    }

    func testAnInputGradientReadsAScaledGradientAsItStagesIt() throws {
        // A residual branch as FaceNet's: conv(x, w)·0.17 with w constant, so only x gets a gradient.
        let g = Graph()
        let x = g.input("x", [1, 3, 6, 5]), seed = g.input("seed", [1, 4, 6, 5])
        let weight = g.constant(HostTensor([4, 3, 3, 3], (0..<108).map { Float(($0 * 7) % 11) * 0.1 - 0.5 }))
        let branch = try g.mul(try g.conv2d(x, weight, Window(padding: (1, 1, 1, 1))), g.scalar(0.17))
        let dx = try g.gradients(of: [(value: branch, seed: seed)], wrt: [x])[0]
        let ops = try Program(graph: g, outputs: [dx], device: CPUBackend.shared).ranOps
        // (and reads the constant weight flipped: FlippedWeights.swift)
        XCTAssertEqual(ops, ["conv2d_input_grad(s1x1 d1x1 p1,1,1,1,[1, 3, 6, 5])(dy·0.17)(flipped weight)"])
        let feeds = [
            "x": HostTensor([1, 3, 6, 5], (0..<90).map { Float($0 % 13) * 0.1 - 0.6 }),
            "seed": HostTensor([1, 4, 6, 5], (0..<120).map { Float(($0 * 5) % 9) * 0.2 - 0.8 }),
        ]
        let expected = try g.evaluate([dx], feeds: feeds)[0].values
        for device in [CPUBackend.shared, try TestDevice.openCL()] as [any Backend] {
            let program = try Program(graph: g, outputs: [dx], device: device)
            for (name, value) in feeds { try program.set(name, value) }
            try program.run()
            let got = try program.read(dx).values
            if device is CPUBackend {
                XCTAssertEqual(got, expected, "the same products as the separate scale")
            } else {
                for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
            }
        }
        // Read by something else too, the scale stays a pass of its own.
        let scaled = g.value(g.nodes[dx.id].inputs[0])  // dy·0.17, the input gradient's operand
        XCTAssertTrue(
            try Program(graph: g, outputs: [dx, scaled], device: CPUBackend.shared).ranOps
                .contains("map(mul)"))
    }

    func testAConvReadTwiceOrOutputIsNotAbsorbed() throws {
        let g = Graph()
        let x = g.input("x", [1, 2, 4, 4])
        let w = g.input("w", [3, 2, 1, 1])
        let conv = try g.conv2d(x, w)
        let relu = try g.relu(conv)
        let outputs = try Program(graph: g, outputs: [relu, conv], device: CPUBackend.shared)
        XCTAssertEqual(outputs.ranOps, [Conv2d(Window()).name, "map(relu)"])
        // The relu joins the add (a fused map), not the conv read twice.
        let doubled = try g.add(try g.relu(conv), conv)
        XCTAssertEqual(
            try Program(graph: g, outputs: [doubled], device: CPUBackend.shared).ranOps,
            [Conv2d(Window()).name, "fused(relu 0; add 3 0)"])
        let scaledTwice = try g.scale(try g.scale(conv, 2), 3)
        XCTAssertEqual(
            try Program(graph: g, outputs: [scaledTwice], device: CPUBackend.shared).ranOps,
            [Conv2d(Window(), epilogue: ConvEpilogue(scale: 2)).name, "map(scale,3.0,0.0)"])
    }

    func testMapChainsFuseAndEqualTheUnfusedReferenceForwardAndBackward() throws {
        let cases = FusedMap.cases + Map.cases + Composite.cases + TextureTermCases.cases
        var fusedCount = 0
        for opCase in cases {
            let built = try opCase.makeGraph(withGradients: opCase.checksGradient)
            let outputs = [built.output] + built.grads
            let feeds = opCase.feeds(outputShape: opCase.checksGradient ? built.output.shape : nil)
            let program = try Program(graph: built.graph, outputs: outputs, device: CPUBackend.shared)
            fusedCount += program.ranOps.filter { $0.hasPrefix("fused(") }.count
            for (name, value) in feeds { try program.set(name, value) }
            try program.run()
            let reference = try built.graph.evaluate(outputs, feeds: feeds)
            for (value, expected) in zip(outputs, reference) {
                XCTAssertEqual(try program.read(value).values, expected.values, "\(opCase.name): \(value)")
            }
        }
        XCTAssertGreaterThan(fusedCount, FusedMap.cases.count, "the cases' chains fuse")
    }

    func testMapFusionKeepsItsLimitsAndWhatOthersRead() throws {
        let g = Graph()
        let (a, b, c, d) = (g.input("a", [4, 5]), g.input("b", [4, 5]), g.input("c", [4, 5]), g.input("d", [4, 5]))
        func ops(_ outputs: [Value]) throws -> [String] {
            try Program(graph: g, outputs: outputs, device: CPUBackend.shared).ranOps
        }
        // A chain over three leaves is one op; a fourth leaf leaves one operand unfused.
        XCTAssertEqual(try ops([try g.mul(g.add(a, b), g.sub(c, a))]), ["fused(add 0 1; sub 2 0; mul 3 4)"])
        XCTAssertEqual(
            try ops([try g.add(g.add(a, b), g.add(c, d))]), ["map(add)", "fused(add 1 2; add 0 3)"])
        // Read twice, or an output: not absorbed.
        let sum = try g.add(a, b)
        XCTAssertEqual(try ops([try g.mul(sum, sum)]), ["map(add)", "map(mul)"])
        XCTAssertEqual(try ops([try g.neg(sum), sum]), ["map(add)", "map(neg)"])
        // A smaller map broadcast into a larger one is not recomputed per copy.
        let row = try g.exp(g.input("r", [5]))
        XCTAssertEqual(try ops([try g.mul(a, row)]), ["map(exp)", "map(mul)"])
        // Ten unary steps: fused ops of at most eight steps.
        var chain = a
        for _ in 0..<10 { chain = try g.tanh(chain) }
        let steps = try ops([chain]).map { $0.components(separatedBy: ";").count }
        XCTAssertEqual(steps.reduce(0, +), 10)
        XCTAssertTrue(steps.allSatisfy { $0 <= FusedMap.maxSteps }, "\(steps)")
    }

    func testFusedMapRejectsStepsReadingLaterSlots() {
        let bad = FusedMap(steps: [FusedMap.Step(.neg, operands: [FusedMap.maxLeaves])], shape: [2])
        XCTAssertThrowsError(try bad.outputTypes([TensorType([2])]))
        let missingLeaf = FusedMap(steps: [FusedMap.Step(.add, operands: [0, 1])], shape: [2])
        XCTAssertThrowsError(try missingLeaf.outputTypes([TensorType([2])]))
    }

    func testMapChainRunsAsOneOpenCLLaunch() throws {
        let device = try TestDevice.openCL()
        let g = Graph()
        let (render, photo, coverage) = (g.input("render", [8, 8, 3]), g.input("photo", [8, 8, 3]), g.input("coverage", [8, 8, 1]))
        let loss = try g.mul(coverage, g.abs(g.sub(render, photo)))
        let program = try Program(graph: g, outputs: [loss], device: device)
        var feeds: [String: HostTensor] = [:]
        for (name, shape) in [("render", [8, 8, 3]), ("photo", [8, 8, 3]), ("coverage", [8, 8, 1])] {
            feeds[name] = HostTensor(shape, (0..<shape.elementCount).map { Float(($0 * 5 + name.count) % 7) * 0.1 })
            try program.set(name, feeds[name]!)
        }
        let before = Counters.shared.snapshot
        try program.run()
        try device.synchronize()
        XCTAssertEqual(Counters.shared.snapshot.since(before).launches, 1, "one launch instead of three")
        let expected = try g.evaluate([loss], feeds: feeds)[0].values
        for (got, want) in zip(try program.read(loss).values, expected) { XCTAssertEqual(got, want, accuracy: 1e-6) }
    }

    func testFusionCutsOpenCLLaunchesOfTheBlock() throws {
        let device = try TestDevice.openCL()
        let block = try XCTUnwrap(ConvEpilogue.cases.first { $0.name.contains("Inception-ResNet") })
        let program = try block.forwardProgram(on: device)
        let before = Counters.shared.snapshot
        try program.run()
        try device.synchronize()
        // 4 convolutions and the concatenation's copies (one per part); unfused: 11 or more.
        XCTAssertLessThanOrEqual(Counters.shared.snapshot.since(before).launches, 6)
    }
}
