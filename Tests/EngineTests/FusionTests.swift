import XCTest

// Epilogue fusion when a program is built: which patterns fuse, which must not, that fused
// programs (forward and backward) equal the unfused reference evaluator, and the launches saved.
@testable import Engine

final class FusionTests: XCTestCase {
    /// The ops a program runs, by name.
    private func ranOps(_ program: Program) -> [String] {
        program.schedule.steps.compactMap { step in
            guard case .run(let node, _) = step, case .op(let op) = program.fused.nodes[node].kind else {
                return nil
            }
            return op.name
        }
    }

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
        let ops = ranOps(program)
        XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d") }.count, 4, "\(ops)")
        XCTAssertFalse(ops.contains { $0.hasPrefix("map") }, "\(ops)")
        XCTAssertTrue(ops.contains { $0.hasSuffix("·0.17+residual+relu") }, "\(ops)")
        // Forward and backward: the relu backward reads the fused convs' outputs, no relu runs.
        let trained = try block.makeGraph(withGradients: true)
        let both = try Program(
            graph: trained.graph, outputs: [trained.output] + trained.grads, device: CPUBackend.shared)
        XCTAssertFalse(ranOps(both).contains("map(relu)"), "\(ranOps(both))")
        // The inner branch's relu backward joins the 3×3 conv's input gradient.
        XCTAssertTrue(
            ranOps(both).contains { $0.hasPrefix("conv2d_input_grad") && $0.hasSuffix("+relu_grad") },
            "\(ranOps(both))")
    }

    func testAConvReadTwiceOrOutputIsNotAbsorbed() throws {
        let g = Graph()
        let x = g.input("x", [1, 2, 4, 4])
        let w = g.input("w", [3, 2, 1, 1])
        let conv = try g.conv2d(x, w)
        let relu = try g.relu(conv)
        let outputs = try Program(graph: g, outputs: [relu, conv], device: CPUBackend.shared)
        XCTAssertEqual(ranOps(outputs), [Conv2d(Window()).name, "map(relu)"])
        let doubled = try g.add(try g.relu(conv), conv)
        XCTAssertEqual(
            ranOps(try Program(graph: g, outputs: [doubled], device: CPUBackend.shared)),
            [Conv2d(Window()).name, "map(relu)", "map(add)"])
        let scaledTwice = try g.scale(try g.scale(conv, 2), 3)
        XCTAssertEqual(
            ranOps(try Program(graph: g, outputs: [scaledTwice], device: CPUBackend.shared)),
            [Conv2d(Window(), epilogue: ConvEpilogue(scale: 2)).name, "map(scale,3.0,0.0)"])
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
