import XCTest

// conv2d_gemm's reduction split: the split counts and lengths cover the reduction exactly, and
// the parity case built to split does split on the test device (its values are checked by
// ParityTests with every other case).
@testable import Engine

final class ConvSplitTests: XCTestCase {
    func testSplitsCoverTheReductionInWholeStepsAndOnlyWhereTilesAreFew() {
        for (tiles, reduction, units) in [
            (2, 30150, 2), (2, 30150, 132), (1, 216, 2), (6, 896 * 9, 132), (3, 4_194_304, 132),
        ] {
            let split = ConvReductionSplit(tiles: tiles, reduction: reduction, computeUnits: units)
            XCTAssertGreaterThan(split.count, 1, "\(tiles) tiles, \(reduction) terms, \(units) units")
            XCTAssertLessThanOrEqual(split.count, 64)
            XCTAssertEqual(split.length % 16, 0)
            XCTAssertGreaterThanOrEqual(split.length, 64)
            XCTAssertGreaterThanOrEqual(split.count * split.length, reduction, "the splits cover every term")
            XCTAssertLessThan((split.count - 1) * split.length, reduction, "no split is empty")
            XCTAssertLessThanOrEqual(
                tiles * split.count, 2 * units + tiles, "no more work-groups than wanted")
        }
        XCTAssertEqual(ConvReductionSplit(tiles: 2, reduction: 30150, computeUnits: 2).count, 2)
        XCTAssertEqual(ConvReductionSplit(tiles: 2, reduction: 30150, computeUnits: 132).count, 63)
        // Enough tiles to fill the device, or too short a reduction: one pass, as before.
        XCTAssertEqual(ConvReductionSplit(tiles: 300, reduction: 30150, computeUnits: 132).count, 1)
        XCTAssertEqual(ConvReductionSplit(tiles: 1, reduction: 127, computeUnits: 132).count, 1)
        XCTAssertEqual(ConvReductionSplit(tiles: 1, reduction: 127, computeUnits: 132).length, 128)
    }

    func testTheSplitCaseLaunchesTheFinishingKernel() throws {
        let device = try TestDevice.openCL()
        let split = try XCTUnwrap(Conv2d.cases.first { $0.name.contains("split reduction") })
        let program = try split.forwardProgram(on: device)
        device.runtime.profiledByKernel = [:]
        defer { device.runtime.profiledByKernel = nil }
        try program.run()
        let kernels = (device.runtime.profiledByKernel ?? [:]).keys.map { $0.split(separator: " ")[0] }
        XCTAssertEqual(Set(kernels), ["conv2d_gemm", "conv2d_split_finish"])
    }
}
