import XCTest

// The CPU reference's GEMM split over workers and conv2d's lowering paths: the split GEMM
// against a plain triple loop, tap products and fused relu against im2col and Map's relu, and
// the conv2d cases against the paths they are meant to reach.
@testable import Engine

final class CPULoweringTests: XCTestCase {
    func testParallelGemmMatchesATripleLoopForEveryLayout() {
        var rng = SplitMix64(seed: "parallel gemm")
        let saved = CPUParallel.workers
        CPUParallel.workers = 3  // an odd count, and not 1 (an OpenCL CPU device in this process sets 1)
        defer { CPUParallel.workers = saved }
        // Wide (split by columns) and tall (split by rows), each with every transpose and accumulation;
        // 2·m·n·k ≥ 12e6 so that the work is split three ways.
        for (m, n, k) in [(33, 311, 600), (311, 33, 600)] {
            for (transA, transB, accumulate) in [
                (false, false, false), (true, false, true), (false, true, false), (true, true, true),
            ] {
                let a = (0..<(m * k)).map { _ in Double(rng.nextUnit()) - 0.5 }
                let b = (0..<(k * n)).map { _ in Double(rng.nextUnit()) - 0.5 }
                let start = (0..<(m * n)).map { _ in Double(rng.nextUnit()) - 0.5 }
                var expected = accumulate ? start : [Double](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        for l in 0..<k {
                            expected[i * n + j] +=
                                (transA ? a[l * m + i] : a[i * k + l])
                                * (transB ? b[j * k + l] : b[l * n + j])
                        }
                    }
                }
                var c = start
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            Double.parallelGemm(
                                GemmOperands(
                                    transA: transA, transB: transB, m: m, n: n, k: k,
                                    a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!,
                                    accumulate: accumulate))
                        }
                    }
                }
                let worst = zip(c, expected).map { Swift.abs($0 - $1) }.max()!
                XCTAssertLessThan(
                    worst, 1e-12,
                    "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) accumulate \(accumulate)")
            }
        }
    }

    func testConv2dCasesReachEveryCPULoweringPath() throws {
        let geometries = try Conv2d.cases.flatMap { opCase -> [ConvGeometry] in
            let graph = try opCase.makeGraph(withGradients: false).graph
            return try graph.nodes.compactMap { node in
                guard case .op(let op as Conv2d) = node.kind else { return nil }
                return try ConvGeometry(
                    input: graph.nodes[node.inputs[0]].type.shape,
                    weight: graph.nodes[node.inputs[1]].type.shape, window: op.window, op: op.name)
            }
        }
        XCTAssertTrue(geometries.contains { $0.isPointwise }, "a 1×1 case (GEMM on the image itself)")
        XCTAssertTrue(
            geometries.contains { $0.bands.count > 1 && $0.transposedFlippingEachCall != nil },
            "a stride-1 case in several bands whose input gradient is the flipped convolution")
        XCTAssertTrue(
            geometries.contains { $0.bands.count > 1 && $0.window.strideH > 1 },
            "a strided case in several bands (input gradient by col2im)")
        XCTAssertTrue(
            geometries.contains {
                !$0.isPointwise && $0.window.strideH == 1 && $0.transposedFlippingEachCall == nil
            },
            "a stride-1 case whose input gradient takes col2im (weight larger than the im2col matrix)")
        XCTAssertTrue(
            geometries.contains { $0.preferredLowering == .tapProducts },
            "a stride-1 case with K < C (forward by tap products)")
    }

    /// Tap products against the reference im2col lowering, in Double: one output channel
    /// (MMOD's score layer), asymmetric padding, dilation, padding wider than the window, a batch;
    /// and an image of 12 bands, which im2col lowers whole bands per worker (3 workers).
    func testTapProductsMatchTheIm2colLowering() throws {
        var rng = SplitMix64(seed: "tap products")
        let saved = CPUParallel.workers
        CPUParallel.workers = 3
        defer { CPUParallel.workers = saved }
        let shapes: [(input: Shape, weight: Shape, window: Window)] = [
            ([2, 6, 7, 9], [1, 6, 3, 5], Window(padding: (1, 1, 2, 2))),
            ([1, 5, 8, 6], [3, 5, 3, 3], Window(dilation: (2, 2), padding: (2, 1, 0, 3))),
            ([1, 4, 6, 6], [2, 4, 3, 3], Window()),
            ([1, 3, 5, 4], [1, 3, 3, 3], Window(padding: (3, 3, 3, 3))),
            ([1, 45, 20, 31], [1, 45, 9, 9], Window(padding: (4, 4, 4, 4))),
            ([1, 8, 120, 1000], [4, 8, 5, 5], Window(padding: (2, 2, 2, 2))),
        ]
        for (input, weight, window) in shapes {
            let g = try ConvGeometry(input: input, weight: weight, window: window, op: "test")
            XCTAssertEqual(g.preferredLowering, .tapProducts, "\(input) \(weight)")
            if input[3] == 1000 { XCTAssertEqual(g.bands.count, 12) }
            let x = (0..<input.elementCount).map { _ in Double(rng.nextUnit()) - 0.5 }
            let w = (0..<weight.elementCount).map { _ in Double(rng.nextUnit()) - 0.5 }
            func run(_ lowering: ConvGeometry.Lowering) -> [Double] {
                var y = [Double](repeating: .nan, count: g.outputShape.elementCount)
                x.withUnsafeBufferPointer { x in
                    w.withUnsafeBufferPointer { w in
                        y.withUnsafeMutableBufferPointer {
                            g.forward(
                                x.baseAddress!, w.baseAddress!, into: $0.baseAddress!,
                                lowering: lowering)
                        }
                    }
                }
                return y
            }
            let (taps, windows) = (run(.tapProducts), run(.windows))
            let worst = zip(taps, windows).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-12, "x \(input) w \(weight) \(window)")
        }
        let mmodFeatures = try ConvGeometry(
            input: [1, 32, 160, 463], weight: [45, 32, 5, 5],
            window: Window(padding: (2, 2, 2, 2)), op: "test")
        XCTAssertEqual(mmodFeatures.preferredLowering, .windows, "K ≥ C: im2col")
    }

    /// conv2d's epilogue is exactly Map's ops after conv2d (bias added), zero included:
    /// relu(scale·conv + residual) and leaky relu.
    func testFusedEpilogueIsMapsOpsAfterTheConvolution() throws {
        var rng = SplitMix64(seed: "fused relu")
        let x = HostTensor([2, 3, 6, 5], (0..<180).map { _ in rng.nextUnit() - 0.5 })
        let w = HostTensor([4, 3, 3, 3], (0..<108).map { _ in rng.nextUnit() - 0.5 })
        let b = HostTensor([4], [0.1, -0.2, 0, 0.3])
        let r = HostTensor([2, 4, 6, 5], (0..<240).map { _ in rng.nextUnit() - 0.5 })
        let window = Window(padding: (1, 1, 1, 1))
        let conv = try Conv2d(window).reference([x, w, b])
        let relu = try Conv2d(window, epilogue: ConvEpilogue(activation: .relu)).reference([x, w, b])[0]
        XCTAssertEqual(relu, try Map(.relu).reference(conv)[0])
        XCTAssertTrue(relu.values.contains(0) && relu.values.contains { $0 > 0 })
        let block = try Conv2d(window, epilogue: ConvEpilogue(scale: 0.17, residual: true, activation: .relu))
            .reference([x, w, b, r])[0]
        let scaled = try Map(.mul).reference([conv[0], HostTensor([], [0.17])])[0]
        XCTAssertEqual(block, try Map(.relu).reference(try Map(.add).reference([r, scaled]))[0])
        let leaky = try Conv2d(window, epilogue: ConvEpilogue(activation: .leakyRelu(slope: 0.2))).reference([
            x, w, b,
        ])[0]
        XCTAssertEqual(leaky, try Map(.leakyRelu, 0.2).reference(conv)[0])
    }
}
