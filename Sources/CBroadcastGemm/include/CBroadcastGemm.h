// A GEMM for the CPU backend's convolutions, C = A·B (+ C), whose B is read in place: row-major
// K×N (an im2col matrix or a 1×1 convolution's input), A addressed by two strides (a weight matrix
// as it is, or transposed). Each output element is one fused multiply-add chain over k = 0..K−1
// in order, so the result is the same bit for bit on either instruction set, for any split of the
// rows or columns between threads, and equal to a scalar loop of fmaf.
#ifndef CBROADCASTGEMM_H
#define CBROADCASTGEMM_H

/// The instruction set bgemm_run uses on this CPU: 2 AVX-512F, 1 AVX2 with FMA, 0 none (the caller
/// uses another GEMM).
int bgemm_instruction_set(void);

/// c[i·ldc + j] = Σ_k a[i·a_row + k·a_depth] · b[k·ldb + j] (+ c[i·ldc + j] when `accumulate`), for
/// i < m, j < n, with `instruction_set` ≤ bgemm_instruction_set() (1 or 2). Returns 0, or −1 when
/// the instruction set is not available (nothing written).
int bgemm_run(int instruction_set, long m, long n, long k, const float *a, long a_row, long a_depth,
              const float *b, long ldb, float *c, long ldc, int accumulate);

#endif
