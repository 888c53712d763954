import XCTest

// Sibling convolutions merged when a program is built (SiblingConvolutions.swift): which merge,
// which must not, and that the merged programs, forward and backward, equal the unmerged reference.
@testable import Engine

final class SiblingConvolutionTests: XCTestCase {
    /// x [1, 6, 7, 7] → three 1×1 convolutions (4, 5 and 3 channels, constant weights and biases),
    /// each relu'd, a 3×3 convolution after the second; the three concatenated, times a constant,
    /// summed, plus Σ x²: its value, the concatenation and the gradient to x. `weightsAsInputs`
    /// makes the 1×1 weights inputs; `window` is the third's.
    private func block(weightsAsInputs: Bool = false, window: Window = Window())
        throws -> (Graph, outputs: [Value], feeds: [String: HostTensor])
    {
        let g = Graph()
        let x = g.input("x", [1, 6, 7, 7])
        var feeds = ["x": HostTensor([1, 6, 7, 7], sawtoothValues(294, 1))]
        func weight(_ name: String, _ shape: Shape, seed: Int) -> Value {
            let host = HostTensor(shape, sawtoothValues(shape.elementCount, seed))
            guard weightsAsInputs else { return g.constant(host) }
            feeds[name] = host
            return g.input(name, shape)
        }
        let branches = try [(4, 2), (5, 3), (3, 4)].map { channels, seed in
            try g.relu(
                g.conv2d(
                    x, weight("w\(seed)", [channels, 6, 1, 1], seed: seed),
                    bias: g.constant(HostTensor([channels], sawtoothValues(channels, seed + 10))),
                    seed == 4 ? window : Window()))
        }
        let innerWeight = g.constant(HostTensor([5, 5, 3, 3], sawtoothValues(225, 9)))
        let inner = try g.relu(g.conv2d(branches[1], innerWeight, Window(padding: (1, 1, 1, 1))))
        let joined = try g.concat([branches[0], inner, branches[2]], axis: 1)
        let loss = try g.add(
            g.sum(g.mul(
                joined, g.constant(HostTensor(joined.shape, sawtoothValues(joined.shape.elementCount, 5))))),
            g.sum(g.square(x)))
        return (g, [loss, joined, try g.gradients(of: loss, wrt: [x])[0]], feeds)
    }

    func testSiblingsMergeForwardAndBackwardAndEqualTheUnmergedReference() throws {
        let (g, outputs, feeds) = try block()
        for backend in [CPUBackend.shared, try TestDevice.openCL()] as [any Backend] {
            let program = try Program(graph: g, outputs: outputs, device: backend)
            let ops = program.ranOps
            // The three 1×1 convolutions run as one (12 channels, relu in its epilogue), beside the
            // 3×3; their input gradients as one, beside the 3×3's.
            XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d(") }.count, 2, "\(backend.name): \(ops)")
            XCTAssertEqual(
                ops.filter { $0.hasPrefix("conv2d_input_grad") }.count, 2, "\(backend.name): \(ops)")
            XCTAssertFalse(ops.contains("map(relu)"), "\(backend.name): \(ops)")
            try assertEqualsReference(program, g, outputs, feeds, backend.name)
        }
    }

    func testConvolutionsWithWeightsToLearnOrAnotherWindowStayApart() throws {
        // A 1×1 convolution dilated computes what an undilated one does, but its window differs.
        for (label, weightsAsInputs, window, convolutions) in [
            ("weights fed", true, Window(), 4), ("third dilated", false, Window(dilation: (2, 2)), 3),
        ] {
            let (g, outputs, feeds) = try block(weightsAsInputs: weightsAsInputs, window: window)
            let program = try Program(graph: g, outputs: outputs, device: CPUBackend.shared)
            let ops = program.ranOps
            XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d(") }.count, convolutions, "\(label): \(ops)")
            try assertEqualsReference(program, g, outputs, feeds, label)
        }
    }

    /// An Inception-ResNet branch block: a straight 1×1 branch (4 channels) and two 1×1 → 3×3 ones
    /// (2 each) concatenated, straight first, then a 1×1 "up" convolution. On OpenCL the straight
    /// branch goes last in the merged output and the concatenation takes that output whole
    /// (ConcatWidening.swift), forward, as does the merged input gradient's concatenation of the
    /// branches' gradients, backward: no concatenation copies anything, and the values are the
    /// reference's. 8×8 planes of 256 bytes and even channel counts keep every offset aligned.
    func testTheConcatenatedSiblingIsWrittenInPlaceForwardAndBackward() throws {
        let g = Graph()
        let x = g.input("x", [1, 6, 8, 8])
        let feeds = ["x": HostTensor([1, 6, 8, 8], sawtoothValues(384, 1))]
        func conv(_ input: Value, _ channels: Int, _ window: (Int, Int), seed: Int) throws -> Value {
            let shape = [channels, input.shape[1], window.0, window.1]
            let padding = Window(padding: (window.0 / 2, window.0 / 2, window.1 / 2, window.1 / 2))
            return try g.relu(
                g.conv2d(
                    input, g.constant(HostTensor(shape, sawtoothValues(shape.elementCount, seed))), padding))
        }
        let straight = try conv(x, 4, (1, 1), seed: 2)
        let inner = try [3, 4].map { seed in
            try conv(conv(x, 2, (1, 1), seed: seed), 2, (3, 3), seed: seed + 5)
        }
        let up = try g.conv2d(
            g.concat([straight] + inner, axis: 1),
            g.constant(HostTensor([6, 8, 1, 1], sawtoothValues(48, 9))))
        let loss = try g.add(
            g.sum(g.mul(up, g.constant(HostTensor(up.shape, sawtoothValues(up.shape.elementCount, 5))))),
            g.sum(g.square(x)))
        let outputs = [loss, try g.gradients(of: loss, wrt: [x])[0]]
        let device = try TestDevice.openCL()
        try XCTSkipIf((device.regionAlignment ?? 0) > 512, "this device's views need coarser offsets")
        try assertEqualsReference(
            try Program(graph: g, outputs: outputs, device: CPUBackend.shared), g, outputs, feeds, "cpu")
        let program = try Program(graph: g, outputs: outputs, device: device)
        try assertEqualsReference(program, g, outputs, feeds, device.name)
        let concatenations = program.schedule.steps.compactMap { step -> Int? in
            guard case .run(let node, _) = step, program.fused.isConcatenation(node) else { return nil }
            return node
        }
        XCTAssertEqual(concatenations.count, 2, "the forward's and the merged input gradient's")
        XCTAssertTrue(program.plan.regions.copiedOperands.isEmpty, "\(program.plan.regions.copiedOperands)")
        XCTAssertTrue(concatenations.allSatisfy(program.plan.regions.runsNothing.contains))
    }

    /// Two groups on one input, their convolutions interleaved (a, b, a, b): the gradient's first
    /// sum adds one dropped input gradient of each group, and must vanish, not stand for either.
    func testTwoGroupsOnOneInputSumTheirGradientsOnce() throws {
        let g = Graph()
        let x = g.input("x", [1, 3, 5, 5])
        let feeds = ["x": HostTensor([1, 3, 5, 5], sawtoothValues(75, 3))]
        let branches = try (0..<4).map { k in
            try g.relu(
                g.conv2d(
                    x, g.constant(HostTensor([2 + k, 3, 1, 1], sawtoothValues(3 * (2 + k), k))),
                    Window(dilation: k % 2 == 0 ? (1, 1) : (2, 2))))
        }
        let joined = try g.concat(branches, axis: 1)
        let weights = g.constant(HostTensor(joined.shape, sawtoothValues(joined.shape.elementCount, 8)))
        let loss = try g.sum(g.mul(joined, weights))
        let outputs = [loss, try g.gradients(of: loss, wrt: [x])[0]]
        let program = try Program(graph: g, outputs: outputs, device: CPUBackend.shared)
        let ops = program.ranOps
        XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d_input_grad") }.count, 2, "\(ops)")
        try assertEqualsReference(program, g, outputs, feeds, "interleaved")
    }

    /// FaceNet's Inception branches: 28 of its convolutions and their input gradients merge away.
    func testFaceNetsBranchesMerge() throws {
        let (g, _, gradient, _) = try FaceNetTests.identityLoss()
        let ops = try Program(graph: g, outputs: [gradient], device: CPUBackend.shared).ranOps
        XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d(") }.count, 132 - 28, "\(ops.count) ops")
        XCTAssertEqual(ops.filter { $0.hasPrefix("conv2d_input_grad") }.count, 132 - 28, "\(ops.count) ops")
    }
}
