import Foundation
import XCTest

// CPUParallel.forEach on its polling worker pool: every part runs exactly once, on the worker that
// part mod threads names, across back-to-back calls (helpers polling), calls after the helpers fell
// asleep, nested calls (run in the caller) and calls from two threads at once (one gets the pool).
@testable import Engine

final class WorkerPoolTests: XCTestCase {
    /// How many times each part ran, and which thread ran each (for the part → worker rule).
    private func visits(_ parts: Int, nested: Int = 0) -> (counts: [Int], threads: [UInt64]) {
        var counts = [Int](repeating: 0, count: parts), threads = [UInt64](repeating: 0, count: parts)
        let lock = NSLock()
        CPUParallel.forEach(parts) { part in
            var inner = 0
            if nested > 0 { CPUParallel.forEach(nested) { _ in inner += 1 } }  // serial: no race on inner
            lock.lock()
            defer { lock.unlock() }
            counts[part] += 1 + (nested > 0 && inner != nested ? 100 : 0)
            threads[part] = UInt64(pthread_self())
        }
        return (counts, threads)
    }

    func testEveryPartOnceOnItsWorker() {
        let saved = CPUParallel.workers
        CPUParallel.workers = 3
        defer { CPUParallel.workers = saved }
        for parts in [1, 2, 3, 7, 64] + Array(repeating: 5, count: 200) {
            let (counts, threads) = visits(parts)
            XCTAssertEqual(counts, [Int](repeating: 1, count: parts), "\(parts) parts")
            // Parts j and j + 3 share a worker; parts on different workers ran on different threads.
            for j in 0..<parts {
                if j + 3 < parts { XCTAssertEqual(threads[j], threads[j + 3], "\(parts) parts, part \(j)") }
                if j + 1 < parts { XCTAssertNotEqual(threads[j], threads[j + 1], "\(parts) parts") }
            }
        }
    }

    func testAfterTheHelpersSleep() {
        let saved = CPUParallel.workers
        CPUParallel.workers = 2
        defer { CPUParallel.workers = saved }
        for _ in 0..<3 {
            XCTAssertEqual(visits(9).counts, [Int](repeating: 1, count: 9))
            Thread.sleep(forTimeInterval: 0.01)  // longer than a helper polls
        }
    }

    func testNestedCallsRunInTheCaller() {
        let saved = CPUParallel.workers
        CPUParallel.workers = 2
        defer { CPUParallel.workers = saved }
        XCTAssertEqual(visits(6, nested: 4).counts, [Int](repeating: 1, count: 6))
    }

    func testTwoThreadsAtOnce() {
        let saved = CPUParallel.workers
        CPUParallel.workers = 2
        defer { CPUParallel.workers = saved }
        let failures = NSLock()
        nonisolated(unsafe) var wrong = 0
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for parts in 1...300 {
                let counts = self.visits(parts % 17 + 1).counts
                guard counts != [Int](repeating: 1, count: parts % 17 + 1) else { continue }
                failures.lock()
                wrong += 1
                failures.unlock()
            }
        }
        XCTAssertEqual(wrong, 0)
    }
}
