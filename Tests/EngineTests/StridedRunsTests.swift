import XCTest

// The CPU reference's walk over broadcast iteration spaces (forEachRun's row runs): every output
// element visited once, with each operand's offset as a plain multi-index computation gives it,
// whatever the worker count and wherever the workers' parts begin and end.
@testable import Engine

final class StridedRunsTests: XCTestCase {
    /// Each output element's operand offsets, by dividing its position into a multi-index.
    private func expectedOffsets(_ shape: Shape, _ strides: [[Int]]) -> [[Int]] {
        (0..<shape.elementCount).map { position in
            var rest = position, offsets = strides.map { _ in 0 }
            for d in shape.indices.reversed() {
                let k = rest % shape[d]
                rest /= shape[d]
                for o in strides.indices { offsets[o] += k * strides[o][d] }
            }
            return offsets
        }
    }

    /// The offsets forEachRun gives each output element, and how often it visits each.
    private func visitedOffsets(_ shape: Shape, _ strides: [[Int]], minimumPerWorker: Int) -> ([[Int]], [Int]) {
        var offsets = [[Int]](repeating: [], count: shape.elementCount)
        var visits = [Int](repeating: 0, count: shape.elementCount)
        let lock = NSLock()
        forEachRun(of: shape, strides: strides, minimumPerWorker: minimumPerWorker) { run in
            lock.lock()
            defer { lock.unlock() }
            for row in 0..<run.rows {
                for i in 0..<run.length {
                    let position = run.first(row: row) + i
                    visits[position] += 1
                    offsets[position] = strides.indices.map { run.offset($0, row: row) + i * run.steps[$0] }
                }
            }
        }
        return (offsets, visits)
    }

    func testRowRunsVisitEveryElementOnceWithItsOperandsOffsets() {
        let saved = CPUParallel.workers
        CPUParallel.workers = 3  // parts that start and end inside rows
        defer { CPUParallel.workers = saved }
        let cases: [(Shape, [[Int]])] = [
            ([4, 5, 3], [[15, 3, 1], [5, 1, 0]]),  // [4,5,3] × [4,5,1]: rows of 3
            ([4, 5, 3], [[15, 3, 1], [0, 0, 1]]),  // a [3] broadcast
            ([2, 3, 4, 5], [[60, 20, 5, 1], [1, 2, 6, 24]]),  // a permuted operand
            ([7], [[1], [0]]),  // rank 1
            ([], [[], []]),  // a scalar
            ([1, 6, 1, 2], [[12, 2, 2, 1], [0, 1, 0, 0]]),  // extents of 1 dropped
        ]
        for (shape, strides) in cases {
            for minimum in [1, 2, 5, 1 << 15] {
                let (offsets, visits) = visitedOffsets(shape, strides, minimumPerWorker: minimum)
                XCTAssertEqual(visits, [Int](repeating: 1, count: shape.elementCount), "\(shape) \(minimum)")
                XCTAssertEqual(offsets, expectedOffsets(shape, strides), "\(shape) \(strides) \(minimum)")
            }
        }
    }
}
