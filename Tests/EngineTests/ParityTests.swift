// Every op case in test mode (OpenCL vs CPU reference, on PoCL in CI) and in grad mode
// (analytic backward vs finite differences, in Double).
@testable import Engine
import XCTest

final class ParityTests: XCTestCase {
    func testEveryOpCaseMatchesTheCPUReferenceOnOpenCL() throws {
        let device = try TestDevice.openCL()
        let cases = OpCases.all
        XCTAssertGreaterThan(cases.count, 40)
        for opCase in cases {
            let result = ParityCheck.run(opCase, on: device)
            XCTAssertTrue(result.passed, result.description)
        }
    }

    func testEveryBackwardMatchesFiniteDifferences() {
        for opCase in OpCases.all where opCase.checksGradient {
            let result = GradientCheck.run(opCase)
            XCTAssertTrue(result.passed, result.description)
        }
    }

    /// The matmul cases reach each of its OpenCL kernels (named in the case), and the shapes the fit
    /// runs choose the kernels meant for them.
    func testMatMulCasesReachEveryKernel() throws {
        var reached: Set<String> = []
        for opCase in MatMul.cases {
            for kernel in ["tiled", "rows", "dot"] where opCase.name.contains("(\(kernel))") {
                let graph = try opCase.makeGraph(withGradients: false).graph
                let node = try XCTUnwrap(
                    graph.nodes.first { if case .op(let op) = $0.kind { op is MatMul } else { false } })
                guard case .op(let op as MatMul) = node.kind else { return XCTFail(opCase.name) }
                let (a, b) = (graph.nodes[node.inputs[0]].type.shape, graph.nodes[node.inputs[1]].type.shape)
                let dims = try op.dims(a, b)
                XCTAssertEqual("\(MatMul.kernel(m: dims.m, n: dims.n, k: dims.k))", kernel, opCase.name)
                reached.insert(kernel)
            }
        }
        XCTAssertEqual(reached, ["tiled", "rows", "dot"])
        XCTAssertEqual(MatMul.kernel(m: 10344, n: 1, k: 63), .rows, "a basis times its coefficients")
        XCTAssertEqual(MatMul.kernel(m: 63, n: 1, k: 10344), .dot, "the basis's transpose times a gradient")
        XCTAssertEqual(MatMul.kernel(m: 512, n: 1792, k: 128), .tiled)
    }

    func testCaseNamesAreUniqueAndInputsReproducible() {
        let names = OpCases.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "duplicate case names")
        let first = OpCases.all[0]
        XCTAssertEqual(first.feeds(outputShape: [2]), first.feeds(outputShape: [2]))
    }
}
