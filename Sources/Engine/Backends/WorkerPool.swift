// The threads behind CPUParallel.forEach. Between ops an idle helper polls for the next job for a
// while, yielding its core at each turn, before it sleeps: a network's back-to-back parallel ops
// then do not each wait for a thread to be woken (about 28 µs per op through Dispatch on this
// project's 2-core virtual machines, more than many of FaceNet's ops take).
import Foundation
import Synchronization

final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long an idle helper polls before it sleeps: longer than most serial stretches between a
    /// fit's parallel ops (200 µs woke helpers visibly more often; the cost is at most this much of
    /// an otherwise idle core after each burst of work).
    private static let pollNanoseconds: UInt64 = 1_000_000

    /// A caller holds the pool (nested or concurrent callers run their parts themselves).
    private let busy = Atomic<Bool>(false)
    /// The current job, published in one word: its sequence number << 8 | its thread count.
    private let published = Atomic<Int>(0)
    /// Helpers still running the current job.
    private let unfinished = Atomic<Int>(0)
    /// Helpers asleep (or about to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    /// Helpers started so far (only grows); touched by the caller holding the pool.
    private var helpers = 0
    /// Helper t (1-based) runs job(t) for the published job; set by the caller holding the pool.
    private var job: ((Int) -> Void)?

    private init() {}

    /// Runs body(t) for every t in 0..<threads (t = 0 in the calling thread) and returns true; or
    /// runs nothing and returns false when the pool is already in use or threads exceeds 255.
    func run(threads: Int, _ body: (Int) -> Void) -> Bool {
        guard threads < 256,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { busy.store(false, ordering: .releasing) }
        while helpers < threads - 1 {
            helpers += 1
            let (index, seen) = (helpers, published.load(ordering: .relaxed))
            Thread.detachNewThread { [unowned self] in self.serve(index, after: seen) }
        }
        withoutActuallyEscaping(body) { body in
            job = body
            unfinished.store(threads - 1, ordering: .relaxed)
            let word = (published.load(ordering: .relaxed) >> 8 + 1) << 8 | threads
            published.store(word, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            body(0)
            while unfinished.load(ordering: .acquiring) > 0 { sched_yield() }
            job = nil
        }
        return true
    }

    /// Helper `index`'s loop: wait for a job newer than `seen`, run its part if it has one.
    private func serve(_ index: Int, after seen: Int) -> Never {
        var seen = seen
        while true {
            seen = nextJob(after: seen)
            guard index < seen & 0xff else { continue }
            runPart(index)
            unfinished.subtract(1, ordering: .releasing)
        }
    }

    /// Runs the current job's part; a function of its own so that its reference to the job is
    /// released before the caller is told the part is done (withoutActuallyEscaping checks).
    @inline(never)
    private func runPart(_ index: Int) { job!(index) }

    /// The next published word after `seen`: polled, then slept for.
    private func nextJob(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var turns = 0
        while true {
            let word = published.load(ordering: .acquiring)
            if word != seen { return word }
            turns += 1
            if turns % 32 == 0, DispatchTime.now().uptimeNanoseconds - start > Self.pollNanoseconds { break }
            sched_yield()
        }
        sleepers.add(1, ordering: .sequentiallyConsistent)
        wake.lock()
        while published.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
        wake.unlock()
        sleepers.subtract(1, ordering: .relaxed)
        return published.load(ordering: .acquiring)
    }
}
