// The CPU backend's threads: OpenBLAS runs single-threaded in whichever thread calls it, and
// the reference ops split their work over `CPUParallel.workers` threads themselves (WorkerPool.swift).
// Idle workers soon sleep (OpenBLAS's own threads spin and starve an OpenCL CPU device in the process).
import COpenBLAS
import Foundation

public enum CPUParallel {
    /// Worker threads: GANFIT_CPU_THREADS, else every core; 1 while an OpenCL CPU device is active.
    public internal(set) nonisolated(unsafe) static var workers = configuredWorkers()

    private static func configuredWorkers() -> Int {
        openblas_set_num_threads(1)
        let requested = ProcessInfo.processInfo.environment["GANFIT_CPU_THREADS"].flatMap(Int.init)
        return Swift.max(1, requested ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// An OpenCL CPU device in the same process wants the cores: the CPU backend keeps to one.
    static func shareCoresWithOpenCLCPU() { workers = 1 }

    /// Runs `body(part)` for every part in 0..<parts; part j goes to worker j mod `workers`, so
    /// which parts one worker handles, and in what order, is fixed (deterministic reductions).
    static func forEach(_ parts: Int, _ body: (Int) -> Void) {
        let threads = Swift.min(workers, parts)
        let handedOut = threads > 1 && WorkerPool.shared.run(threads: threads) { worker in
            for part in stride(from: worker, to: parts, by: threads) { body(part) }
        }
        // One worker, or the pool busy (a nested or concurrent call): the same parts, in this thread.
        if !handedOut { for part in 0..<parts { body(part) } }
    }
}

extension CPUParallel {
    /// Runs `body(plane, source + plane·sourcePlane, result + plane·resultPlane)` for every plane in
    /// 0..<planes on the workers; each call must write only its own part of `result`.
    @inline(__always)
    static func forEachPlane<T>(_ planes: Int, _ source: [T], sourcePlane: Int, _ result: inout [T], resultPlane: Int,
                                _ body: (Int, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void) {
        guard !source.isEmpty, !result.isEmpty else { return }
        source.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { result in
                let (from, to) = (UnsafeSendable(source.baseAddress!), UnsafeSendable(result.baseAddress!))
                forEach(planes) { plane in
                    body(plane, UnsafePointer(from.pointer + plane * sourcePlane), to.pointer + plane * resultPlane)
                }
            }
        }
    }
}

/// A pointer handed to parallel workers that touch disjoint parts of its memory.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}

/// One GEMM, C = op(A)·op(B) (+ C when `accumulate`), with leading dimensions (row-major):
/// op(A) is m×k, op(B) is k×n, C is m×n.
public struct GemmOperands<T> {
    var transA = false, transB = false
    var m: Int, n: Int, k: Int
    var a: UnsafePointer<T>, lda: Int
    var b: UnsafePointer<T>, ldb: Int
    var c: UnsafeMutablePointer<T>, ldc: Int
    var accumulate = false

    /// Contiguous operands: lda, ldb and ldc follow from the shapes.
    init(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
         a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        self.init(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: transA ? m : k,
                  b: b, ldb: transB ? k : n, c: c, ldc: n, accumulate: accumulate)
    }

    init(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, a: UnsafePointer<T>, lda: Int,
         b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool = false) {
        (self.transA, self.transB, self.m, self.n, self.k) = (transA, transB, m, n, k)
        (self.a, self.lda, self.b, self.ldb, self.c, self.ldc, self.accumulate) = (a, lda, b, ldb, c, ldc, accumulate)
    }

    /// The columns j0..<j1 of C (and of op(B)).
    func columns(_ j0: Int, _ j1: Int) -> GemmOperands {
        var part = self
        part.n = j1 - j0
        part.b = transB ? b + j0 * ldb : b + j0
        part.c = c + j0
        return part
    }

    /// The rows i0..<i1 of C (and of op(A)).
    func rows(_ i0: Int, _ i1: Int) -> GemmOperands {
        var part = self
        part.m = i1 - i0
        part.a = transA ? a + i0 : a + i0 * lda
        part.c = c + i0 * ldc
        return part
    }
}

extension RefScalar {
    /// Runs `g` on all workers, each computing a block of C's columns (or rows, when C is tall).
    /// Every element of C is summed by one single-threaded GEMM: deterministic for a worker count.
    static func parallelGemm(_ g: GemmOperands<Self>) {
        guard g.m > 0, g.n > 0 else { return }
        guard g.k > 0 else {
            if !g.accumulate { for i in 0..<g.m { (g.c + i * g.ldc).update(repeating: 0, count: g.n) } }
            return
        }
        let splitColumns = g.n >= g.m
        let extent = splitColumns ? g.n : g.m
        // Blocks of at least 16 rows or columns, and enough work per block to pay for a thread:
        // 1 MFLOP, or, split by rows, 512 KB of A (a large weight times a small image is read from
        // memory at the speed of one core; each worker reads its own rows).
        var byWork = Swift.max(1, Int(2 * Double(g.m) * Double(g.n) * Double(g.k) / 1e6))
        if !splitColumns { byWork = Swift.max(byWork, g.m * g.k / (1 << 17)) }
        let parts = Swift.min(CPUParallel.workers, extent / 16, byWork)
        guard parts > 1 else { return gemm(g) }
        // Column blocks in multiples of 16 (the GEMM kernel's AVX2 strip, an AVX-512 vector), so
        // that only the last block ends in a partial one.
        let even = (extent + parts - 1) / parts
        let block = splitColumns ? (even + 15) / 16 * 16 : even
        let shared = UnsafeSendable(g.c)
        CPUParallel.forEach(parts) { part in
            var g = g
            g.c = shared.pointer
            let lo = part * block, hi = Swift.min(extent, lo + block)
            if lo < hi { gemm(splitColumns ? g.columns(lo, hi) : g.rows(lo, hi)) }
        }
    }
}
