// The CPU backend's single-precision GEMM: the project's broadcast kernel (Sources/CBroadcastGemm)
// where the CPU has AVX-512F or AVX2 with FMA, B is not transposed and C has at least 4 columns
// (every convolution forward pass and input gradient), OpenBLAS otherwise: its matrix–vector product
// for one column (3–6× the kernel's speed there, and 1.7–2.4× its general product's on the face
// model's basis). GANFIT_GEMM=openblas keeps to OpenBLAS.
import CBroadcastGemm
import COpenBLAS
import Foundation

public enum BroadcastGemm {
    /// The kernel's instruction sets, best first.
    public enum InstructionSet: Int32, CaseIterable, Sendable {
        case avx512 = 2, avx2 = 1

        public var name: String { self == .avx512 ? "AVX-512F" : "AVX2+FMA" }
    }

    /// The best set this CPU has, or nil (no kernel: OpenBLAS does every GEMM).
    public static let available = InstructionSet(rawValue: bgemm_instruction_set())

    /// The set Float GEMMs use: `available` unless GANFIT_GEMM=openblas.
    public static let chosen: InstructionSet? =
        ProcessInfo.processInfo.environment["GANFIT_GEMM"] == "openblas" ? nil : available

    /// Whether this CPU can run `set`.
    public static func supports(_ set: InstructionSet) -> Bool { set.rawValue <= available?.rawValue ?? 0 }

    /// The CPU backend's float GEMM: the kernel with `chosen` where it applies, else OpenBLAS.
    static func gemm(_ g: GemmOperands<Float>) {
        if let set = chosen, g.n >= 4, run(g, on: set) { return }
        if g.n == 1 { return matrixVector(g) }
        cblas_sgemm(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, g.transB ? CblasTrans : CblasNoTrans,
                    Int32(g.m), Int32(g.n), Int32(g.k), 1, g.a, Int32(g.lda), g.b, Int32(g.ldb),
                    g.accumulate ? 1 : 0, g.c, Int32(g.ldc))
    }

    /// C = op(A)·b (+ C) for one column b: OpenBLAS's matrix–vector product (its general product
    /// handles the column as a matrix: 1.7–2.4× slower on the face model's basis).
    private static func matrixVector(_ g: GemmOperands<Float>) {
        if !g.accumulate { for i in 0..<g.m { g.c[i * g.ldc] = 0 } }  // so that C is never read unset
        let (rows, columns) = g.transA ? (g.k, g.m) : (g.m, g.k)  // A as stored
        cblas_sgemv(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1,
                    g.a, Int32(g.lda), g.b, Int32(g.transB ? 1 : g.ldb), 1, g.c, Int32(g.ldc))
    }

    /// C = op(A)·B (+ C) with `set`; false (nothing written) when B is transposed or the CPU lacks `set`.
    /// Each element is one chain of fused multiply-adds over k in order, the same on either set.
    @discardableResult
    static func run(_ g: GemmOperands<Float>, on set: InstructionSet) -> Bool {
        guard !g.transB else { return false }
        let (row, depth) = g.transA ? (1, g.lda) : (g.lda, 1)
        return bgemm_run(set.rawValue, g.m, g.n, g.k, g.a, row, depth, g.b, g.ldb, g.c, g.ldc,
                         g.accumulate ? 1 : 0) == 0
    }
}
