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

    func testCaseNamesAreUniqueAndInputsReproducible() {
        let names = OpCases.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "duplicate case names")
        let first = OpCases.all[0]
        XCTAssertEqual(first.feeds(outputShape: [2]), first.feeds(outputShape: [2]))
    }
}
