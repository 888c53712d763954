import XCTest

// Input gradients reading a constant weight flipped once when a program is built (FlippedWeights.swift):
// which are rewritten, and that their values are the reference's on the CPU and on OpenCL.
@testable import Engine

final class FlippedWeightTests: XCTestCase {
    /// x [1, 4, 3, 4] through a chain of convolutions with 16 output channels and constant weights,
    /// each relu'd: 1×1, 1×3 padded (0, 0, 1, 1), 3×3 dilated 2 padded 2 (the same weight twice),
    /// 3×3 at stride 2, then a 1×1 with its weight fed; Σ of the result times a constant. Every image
    /// holds fewer positions than there are output channels, so the reference evaluator computes the
    /// input gradients with the weight transposed (or col2im), never through the flipped weight.
    private func chain() throws -> (Graph, outputs: [Value], feeds: [String: HostTensor]) {
        let g = Graph()
        let x = g.input("x", [1, 4, 3, 4])
        var feeds = ["x": HostTensor([1, 4, 3, 4], sawtoothValues(48, 1))]
        func conv(_ input: Value, _ weight: Value, _ window: Window) throws -> Value {
            try g.relu(g.conv2d(input, weight, window))
        }
        func constant(_ shape: Shape, seed: Int) -> Value {
            g.constant(HostTensor(shape, sawtoothValues(shape.elementCount, seed)))
        }
        var y = try conv(x, constant([16, 4, 1, 1], seed: 2), Window())
        y = try conv(y, constant([16, 16, 1, 3], seed: 3), Window(padding: (0, 0, 1, 1)))
        let dilated = constant([16, 16, 3, 3], seed: 4)
        let twice = Window(dilation: (2, 2), padding: (2, 2, 2, 2))
        y = try conv(conv(y, dilated, twice), dilated, twice)
        y = try conv(y, constant([16, 16, 3, 3], seed: 5), .valid(stride: (2, 2)))
        feeds["fed"] = HostTensor([16, 16, 1, 1], sawtoothValues(256, 6))
        y = try conv(y, g.input("fed", [16, 16, 1, 1]), Window())
        let weights = g.constant(HostTensor(y.shape, sawtoothValues(y.shape.elementCount, 7)))
        let loss = try g.sum(g.mul(y, weights))
        return (g, [loss, try g.gradients(of: loss, wrt: [x])[0]], feeds)
    }

    func testStrideOneGradientsOfConstantWeightsReadThemFlippedAndEqualTheReference() throws {
        let (g, outputs, feeds) = try chain()
        for backend in [CPUBackend.shared, try TestDevice.openCL()] as [any Backend] {
            let program = try Program(graph: g, outputs: outputs, device: backend)
            let gradients = program.ranOps.filter { $0.hasPrefix("conv2d_input_grad") }
            // The first convolution's input gradient is the one to x; the strided one and the one
            // whose weight is fed keep theirs.
            XCTAssertEqual(
                gradients.filter { $0.contains("(flipped weight)") }.count, 4,
                "\(backend.name): \(gradients)")
            XCTAssertEqual(gradients.count, 6, "\(backend.name): \(gradients)")
            let flippedConstants = program.fused.nodes.filter {
                if case .constant(let host) = $0.kind { return host.shape == [16, 16, 3, 3] }
                return false
            }
            XCTAssertEqual(flippedConstants.count, 3, "the dilated weight flipped once, beside the strided")
            try assertEqualsReference(program, g, outputs, feeds, backend.name)
        }
    }

    func testAFlippedWeightIsOnlyForStrideOneInputGradients() throws {
        let g = Graph()
        let dy = g.input("dy", [1, 2, 4, 4]), weight = g.input("w", [3, 2, 3, 3])
        let strided = Conv2dGrad(
            wrt: .input, window: .valid(stride: (2, 2)), shape: [1, 3, 9, 9], flippedWeight: true)
        XCTAssertThrowsError(try g.apply(strided, dy, weight)) { error in
            XCTAssertTrue("\(error)".contains("stride 1"), "\(error)")
        }
        let ofWeight = Conv2dGrad(wrt: .weight, window: Window(), shape: [2, 3, 3, 3], flippedWeight: true)
        XCTAssertThrowsError(try g.apply(ofWeight, dy, g.input("x", [1, 3, 6, 6])))
    }
}
