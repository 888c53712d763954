// The CPU reference's GEMM split over workers and conv2d's lowering paths: the split GEMM
// against a plain triple loop, and the conv2d cases against the paths they are meant to reach.
@testable import Engine
import XCTest

final class CPULoweringTests: XCTestCase {
    func testParallelGemmMatchesATripleLoopForEveryLayout() {
        var rng = SplitMix64(seed: "parallel gemm")
        let saved = CPUParallel.workers
        CPUParallel.workers = 3  // an odd count, and not 1 (an OpenCL CPU device in this process sets 1)
        defer { CPUParallel.workers = saved }
        // Wide (split by columns) and tall (split by rows), each with every transpose and accumulation;
        // 2·m·n·k ≥ 12e6 so that the work is split three ways.
        for (m, n, k) in [(33, 311, 600), (311, 33, 600)] {
            for (transA, transB, accumulate) in [(false, false, false), (true, false, true), (false, true, false), (true, true, true)] {
                let a = (0..<(m * k)).map { _ in Double(rng.nextUnit()) - 0.5 }
                let b = (0..<(k * n)).map { _ in Double(rng.nextUnit()) - 0.5 }
                let start = (0..<(m * n)).map { _ in Double(rng.nextUnit()) - 0.5 }
                var expected = accumulate ? start : [Double](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        for l in 0..<k {
                            expected[i * n + j] += (transA ? a[l * m + i] : a[i * k + l]) * (transB ? b[j * k + l] : b[l * n + j])
                        }
                    }
                }
                var c = start
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            Double.parallelGemm(GemmOperands(transA: transA, transB: transB, m: m, n: n, k: k,
                                                             a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!,
                                                             accumulate: accumulate))
                        }
                    }
                }
                let worst = zip(c, expected).map { Swift.abs($0 - $1) }.max()!
                XCTAssertLessThan(worst, 1e-12, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) accumulate \(accumulate)")
            }
        }
    }

    func testConv2dCasesReachEveryCPULoweringPath() throws {
        let geometries = try Conv2d.cases.flatMap { opCase -> [ConvGeometry] in
            let graph = try opCase.makeGraph(withGradients: false).graph
            return try graph.nodes.compactMap { node in
                guard case .op(let op as Conv2d) = node.kind else { return nil }
                return try ConvGeometry(input: graph.nodes[node.inputs[0]].type.shape,
                                        weight: graph.nodes[node.inputs[1]].type.shape, window: op.window, op: op.name)
            }
        }
        XCTAssertTrue(geometries.contains { $0.isPointwise }, "a 1×1 case (GEMM on the image itself)")
        XCTAssertTrue(geometries.contains { $0.bands.count > 1 && $0.transposedForInputGrad != nil },
                      "a stride-1 case in several bands whose input gradient is the flipped convolution")
        XCTAssertTrue(geometries.contains { $0.bands.count > 1 && $0.window.strideH > 1 },
                      "a strided case in several bands (input gradient by col2im)")
        XCTAssertTrue(geometries.contains { !$0.isPointwise && $0.window.strideH == 1 && $0.transposedForInputGrad == nil },
                      "a stride-1 case whose input gradient takes col2im (weight larger than the im2col matrix)")
    }
}
