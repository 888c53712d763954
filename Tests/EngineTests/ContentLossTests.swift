// GANFIT's content loss on constructed feature maps: zero for the photo's own features, the mean
// over layers of |F − R|² / |R|² otherwise, and a clear error for a network without feature layers.
import XCTest

@testable import Engine

final class ContentLossTests: XCTestCase {
    private func content(_ features: [HostTensor], _ references: [HostTensor]) throws -> Float {
        let g = Graph()
        let loss = try IdentityTerm.contentLoss(
            g, features: features.map { g.constant($0) }, references: references.map { g.constant($0) })
        let program = try Program(graph: g, outputs: [loss], device: CPUBackend.shared)
        try program.run()
        return try program.read(loss).values[0]
    }

    func testTheLossIsTheMeanOverLayersOfTheRelativeSquaredDifference() throws {
        let a = HostTensor([1, 2, 2, 2], [1, -2, 3, 0.5, 0, 4, -1, 2])
        let b = HostTensor([1, 3, 1, 1], [10, 20, -30])
        XCTAssertEqual(try content([a, b], [a, b]), 0)
        // a doubled: |2a − a|² / |a|² = 1; b with one value off by 10: 100 / 1400.
        let doubled = HostTensor(a.shape, a.values.map { 2 * $0 })
        let moved = HostTensor(b.shape, [20, 20, -30])
        XCTAssertEqual(try content([doubled, moved], [a, b]), (1 + 100 / 1400) / 2, accuracy: 1e-6)
        // Scaling a layer's references and features alike leaves its share unchanged.
        let scaled = { (t: HostTensor) in HostTensor(t.shape, t.values.map { 1000 * $0 }) }
        XCTAssertEqual(
            try content([scaled(doubled), moved], [scaled(a), b]), (1 + 100 / 1400) / 2, accuracy: 1e-5)
    }

    func testANetworkWithoutFeatureLayersIsAClearError() {
        XCTAssertThrowsError(try content([], [])) { error in
            XCTAssertTrue("\(error)".contains("content_weight"), "\(error)")
        }
    }
}
