// iBUG .pts landmarks: the bundled sample, the 1-based → 0-based convention, round trips and
// broken files.
@testable import Engine
import Foundation
import XCTest

final class PTSFileTests: XCTestCase {
    func testTheSampleReadsAsZeroBasedPixelCentres() throws {
        let points = try PTSFile.read(Repository.path("samples/image_0010.pts"))
        XCTAssertEqual(points.count, 68)
        XCTAssertEqual(points[0].x, 610.284152, accuracy: 1e-4)   // the file says 611.284152
        XCTAssertEqual(points[0].y, 271.773913, accuracy: 1e-4)
        let image = try PNGFile.read(Repository.path("samples/image_0010.png"))
        XCTAssertTrue(points.allSatisfy { $0.x >= 0 && $0.y >= 0 && $0.x < Float(image.width) && $0.y < Float(image.height) })
        XCTAssertLessThan(points[36].y, points[48].y, "an eye is above the mouth (y runs down)")
    }

    func testRoundTripIsExact() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/points.pts"
        let points = try PTSFile.read(Repository.path("samples/image_0010.pts")) + [SIMD2(0, 0), SIMD2(-0.5, 1e-7)]
        try PTSFile.write(points, to: path)
        XCTAssertEqual(try PTSFile.read(path), points)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("version: 1\nn_points: 70\n{\n"), text)
    }

    func testBrokenFilesGiveClearErrors() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/bad.pts"
        for (text, words) in [
            ("version: 1\nn_points: 3\n{\n1 2\n3 4\n}\n", ["n_points says 3 but 2"]),
            ("version: 1\nn_points: 1\n{\n1 x\n}\n", ["point 1", "1 x"]),
            ("version: 1\n{\n1 2\n}\n", ["n_points"]),
            ("version: 1\nn_points: 1\n{\n1 2\n", ["closing"]),
        ] {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            assertBadFile(try PTSFile.read(path), path: path, mentions: words)
        }
        assertBadFile(try PTSFile.read(folder), path: folder, mentions: ["is a folder"])
    }
}
