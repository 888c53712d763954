import Foundation
import XCTest

// The linear texture model: PCA of UV maps read from PNG files against numpy's
// (tools/linear_texture_fixture.py), reconstruction of its own training maps, its file.
@testable import Engine

final class LinearTextureTests: XCTestCase {
    private let fixture = Repository.path("Tests/EngineTests/Fixtures/linear/pca.safetensors")

    /// The fixture's maps written as PNG files (8-bit values, exact) and the model built from them.
    private func built(components: Int? = nil) throws -> (model: LinearTextureModel, maps: [HostTensor]) {
        let file = try SafetensorsFile(fixture)
        let all = try file.tensor("maps")
        let (n, side) = (all.shape[0], all.shape[1])
        let size = side * side * 3
        let maps = (0..<n).map {
            HostTensor([side, side, 3], Array(all.values[$0 * size..<($0 + 1) * size]))
        }
        let folder = try scratchFolder(self)
        let paths = try maps.enumerated().map { k, map -> String in
            let path = folder + "/uv\(k).png"
            try PNGFile.write(map, to: path)
            return path
        }
        return (try LinearTextureModel.build(files: paths, components: components), maps)
    }

    func testPCAOfPNGMapsMatchesNumpy() throws {
        let (model, _) = try built()
        let expected = try SafetensorsFile(fixture)
        let variances = try expected.tensor("variances")
        XCTAssertEqual(model.pca.componentCount, variances.shape[0])
        let scratch = try scratchFolder(self)
        try model.write(to: scratch + "/linear.safetensors")
        let written = try SafetensorsFile(scratch + "/linear.safetensors")
        for name in ["mean", "basis", "variances"] {
            let ours = try written.tensor(name)
            let theirs = try expected.tensor(name)
            XCTAssertEqual(ours.shape, theirs.shape, name)
            let worst = zip(ours.values, theirs.values).map { abs($0 - $1) }.max()!
            print("\(name): worst |Swift − numpy| \(worst)")
            assertClose(ours.values, theirs.values, atol: 1e-5, rtol: 1e-4)
        }
    }

    func testModelReconstructsItsTrainingMapsAndReadsBack() throws {
        let (model, maps) = try built()
        let scratch = try scratchFolder(self)
        try model.write(to: scratch + "/linear.safetensors")
        let read = try LinearTextureModel(contentsOf: scratch + "/linear.safetensors")
        XCTAssertEqual(read.side, 8)
        for map in maps {
            assertClose(read.map(read.coefficients(of: map)).values, map.values, atol: 1e-5)
        }
        let fewer = try built(components: 2).model
        XCTAssertEqual(fewer.pca.componentCount, 2)
        XCTAssertThrowsError(try LinearTextureModel(contentsOf: fixture)) {
            XCTAssertTrue(
                "\($0)".contains("pca.safetensors") && "\($0)".contains(LinearTextureModel.format), "\($0)")
        }
    }
}
