import XCTest

// Reductions split over work-groups (conv2d_gemm, reduce_axes): the split counts and lengths
// cover the reduction exactly, and the parity cases built to split do split on the test device
// (their values are checked by ParityTests with every other case).
@testable import Engine

final class ReductionSplitTests: XCTestCase {
    /// conv2d_gemm's rule: splits of at least 64 terms in 16-term steps.
    private func conv(_ tiles: Int, _ terms: Int, _ units: Int) -> ReductionSplit {
        ReductionSplit(groups: tiles, terms: terms, computeUnits: units, minimum: 64, step: 16)
    }

    func testSplitsCoverTheReductionInWholeStepsAndOnlyWhereTilesAreFew() {
        for (tiles, reduction, units) in [
            (2, 30150, 2), (2, 30150, 132), (1, 216, 2), (6, 896 * 9, 132), (3, 4_194_304, 132),
        ] {
            let split = conv(tiles, reduction, units)
            XCTAssertGreaterThan(split.count, 1, "\(tiles) tiles, \(reduction) terms, \(units) units")
            XCTAssertLessThanOrEqual(split.count, 64)
            XCTAssertEqual(split.length % 16, 0)
            XCTAssertGreaterThanOrEqual(split.length, 64)
            XCTAssertGreaterThanOrEqual(split.count * split.length, reduction, "the splits cover every term")
            XCTAssertLessThan((split.count - 1) * split.length, reduction, "no split is empty")
            XCTAssertLessThanOrEqual(
                tiles * split.count, 2 * units + tiles, "no more work-groups than wanted")
        }
        XCTAssertEqual(conv(2, 30150, 2).count, 2)
        XCTAssertEqual(conv(2, 30150, 132).count, 63)
        // Enough tiles to fill the device, or too short a reduction: one pass, as before.
        XCTAssertEqual(conv(300, 30150, 132).count, 1)
        XCTAssertEqual(conv(1, 127, 132).count, 1)
        XCTAssertEqual(conv(1, 127, 132).length, 128)
    }

    /// reduce_axes's rule: a reduction to one value over the fit's 256² RGB image is split on any
    /// device, one of a thousand outputs is not; a split never exceeds the terms.
    func testReductionsSplitOnlyWhenOutputsAreFew() {
        let image = ReductionSplit(groups: 1, terms: 3 * 256 * 256, computeUnits: 2, minimum: 1024, step: 64)
        XCTAssertEqual(image.count, 4)
        XCTAssertEqual(image.length, 49152)
        XCTAssertEqual(
            ReductionSplit(groups: 1, terms: 196_608, computeUnits: 132, minimum: 1024, step: 64).count, 64)
        XCTAssertEqual(
            ReductionSplit(groups: 1000, terms: 1000, computeUnits: 132, minimum: 1024, step: 64).count, 1)
        XCTAssertEqual(ReductionSplit(groups: 1, terms: 0, computeUnits: 2, minimum: 1024, step: 64).count, 1)
    }

    func testTheSplitCasesLaunchTheFinishingKernels() throws {
        let device = try TestDevice.openCL()
        for (name, kernels) in [
            ("split reduction", ["conv2d_gemm", "conv2d_split_finish"]),
            ("mean all [3,40,50]", ["reduce_axes", "reduce_axes_finish"]),
        ] {
            let split = try XCTUnwrap(OpCases.all.first { $0.name.contains(name) }, name)
            let ran = try PerfRun.kernelTimes(split, on: device).map { String($0.kernel.split(separator: " ")[0]) }
            XCTAssertEqual(Set(ran), Set(kernels), name)
        }
    }
}
