import XCTest

// The CPU backend's GEMM kernel (Sources/CBroadcastGemm) against a scalar loop of fused
// multiply-adds, bit for bit, on each instruction set this CPU has; and Float's GEMM routed to it.
@testable import Engine

final class BroadcastGemmTests: XCTestCase {
    /// Every strip width and tile height with their tails (1–150 columns, 1–64 rows: from 48, B's
    /// strips packed), k = 0, A as it is and transposed, accumulation, and leading dimensions wider
    /// than the matrices.
    func testEachInstructionSetEqualsAScalarFusedMultiplyAddLoop() throws {
        let sets = BroadcastGemm.InstructionSet.allCases.filter(BroadcastGemm.supports)
        try XCTSkipIf(
            sets.isEmpty, "this CPU has neither AVX-512F nor AVX2 with FMA: OpenBLAS does every GEMM")
        var rng = SplitMix64(seed: "broadcast gemm")
        func draw(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
        for trial in 0..<200 {
            let (m, n, k) = (1 + draw(64), 1 + draw(150), trial == 0 ? 0 : draw(50))
            let (transA, accumulate) = (draw(2) == 1, draw(2) == 1)
            let lda = (transA ? m : k) + draw(4), ldb = n + draw(4), ldc = n + draw(4)
            let a = (0..<(lda * (transA ? k : m))).map { _ in rng.nextUnit() - 0.5 }
            let b = (0..<(ldb * k)).map { _ in rng.nextUnit() - 0.5 }
            let start = (0..<(ldc * m)).map { _ in rng.nextUnit() - 0.5 }
            var expected = start
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = accumulate ? start[i * ldc + j] : 0
                    for d in 0..<k {  // addingProduct: one rounding, as the kernel's FMA
                        sum = sum.addingProduct(transA ? a[d * lda + i] : a[i * lda + d], b[d * ldb + j])
                    }
                    expected[i * ldc + j] = sum
                }
            }
            for set in sets {
                var c = start
                let ran = a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            BroadcastGemm.run(
                                GemmOperands(
                                    transA: transA, m: m, n: n, k: k, a: a.baseAddress!, lda: lda,
                                    b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: ldc,
                                    accumulate: accumulate),
                                on: set)
                        }
                    }
                }
                XCTAssertTrue(ran, set.name)
                let wrong = c.indices.filter { c[$0].bitPattern != expected[$0].bitPattern }
                XCTAssertTrue(
                    wrong.isEmpty,
                    "\(set.name): m \(m) n \(n) k \(k) transA \(transA) accumulate \(accumulate): "
                        + "\(wrong.count) elements differ, the first at \(wrong.first ?? 0)")
            }
        }
    }

    /// B transposed is not the kernel's: it declines (and writes nothing), and Float's GEMM gives
    /// it to OpenBLAS, which agrees with the loop to rounding.
    func testATransposedBGoesToOpenBLAS() {
        let (m, n, k) = (3, 5, 4)
        let a = (0..<(m * k)).map { Float($0) / 7 }, b = (0..<(n * k)).map { Float($0) / 5 }
        var c = [Float](repeating: -1, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let g = GemmOperands(
                        transB: true, m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!,
                        c: c.baseAddress!)
                    for set in BroadcastGemm.InstructionSet.allCases {
                        XCTAssertFalse(BroadcastGemm.run(g, on: set))
                    }
                    XCTAssertEqual(Array(c), [Float](repeating: -1, count: m * n))
                    Float.gemm(g)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[j * k + $1] }
                XCTAssertEqual(c[i * n + j], expected, accuracy: 1e-4)
            }
        }
    }

    /// One column goes to OpenBLAS's matrix–vector product: A as it is and transposed, b as a column
    /// (every ldb-th element) or a transposed row, C every ldc-th element, written over NaN when not
    /// accumulating, against a loop in Double.
    func testOneColumnIsAMatrixVectorProduct() {
        var rng = SplitMix64(seed: "matrix vector")
        for (transA, transB, accumulate) in [(false, false, false), (true, false, true), (true, true, false),
                                             (false, true, true)] {
            let (m, k, lda, ldb, ldc) = (37, 53, 60, 3, 2)
            let a = (0..<(lda * (transA ? k : m))).map { _ in rng.nextUnit() - 0.5 }
            let b = (0..<(ldb * k)).map { _ in rng.nextUnit() - 0.5 }
            let start = (0..<(ldc * m)).map { _ in accumulate ? rng.nextUnit() - 0.5 : Float.nan }
            var c = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        Float.gemm(
                            GemmOperands(
                                transA: transA, transB: transB, m: m, n: 1, k: k, a: a.baseAddress!,
                                lda: lda, b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: ldc,
                                accumulate: accumulate))
                    }
                }
            }
            for i in 0..<m {
                var sum = accumulate ? Double(start[i * ldc]) : 0
                for d in 0..<k {
                    sum += Double(transA ? a[d * lda + i] : a[i * lda + d]) * Double(b[transB ? d : d * ldb])
                }
                XCTAssertEqual(
                    Double(c[i * ldc]), sum, accuracy: 1e-5, "transA \(transA) transB \(transB) row \(i)")
            }
        }
    }
}
