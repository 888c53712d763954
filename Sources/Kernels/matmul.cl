// Batched matrix product C[b] = op(A[b]) · op(B[b]), op = identity or transpose, row-major.
// 64×64 output tiles per 16×16 work-group, 4×4 outputs per work-item (strided by 16 so local
// reads and global stores stay contiguous), K staged through local memory 16 at a time.

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define WG 16
#define PER 4

// A is [M,K] (or [K,M] when transA); B is [K,N] (or [N,K] when transB); C is [M,N].
// Batch strides of 0 broadcast one operand over the batch.
__kernel __attribute__((reqd_work_group_size(WG, WG, 1)))
void matmul_tiled(__global float* C, __global const float* A, __global const float* B,
                  const int M, const int N, const int K, const int transA, const int transB,
                  const int strideA, const int strideB, const int strideC) {
    __local float As[TILE_K][TILE_M + 1];
    __local float Bs[TILE_K][TILE_N + 1];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * WG + tx;
    const int n0 = get_group_id(0) * TILE_N, m0 = get_group_id(1) * TILE_M;
    const int batch = get_global_id(2);
    A += batch * strideA;
    B += batch * strideB;
    C += batch * strideC;

    float acc[PER][PER];
    for (int i = 0; i < PER; ++i)
        for (int j = 0; j < PER; ++j) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int l = 0; l < (TILE_M * TILE_K) / (WG * WG); ++l) {
            int e = tid + l * WG * WG;
            int m = transA ? e % TILE_M : e / TILE_K;
            int k = transA ? e / TILE_M : e % TILE_K;
            int gm = m0 + m, gk = k0 + k;
            float v = 0.0f;
            if (gm < M && gk < K) v = transA ? A[gk * M + gm] : A[gm * K + gk];
            As[k][m] = v;
        }
        for (int l = 0; l < (TILE_N * TILE_K) / (WG * WG); ++l) {
            int e = tid + l * WG * WG;
            int n = transB ? e / TILE_K : e % TILE_N;
            int k = transB ? e % TILE_K : e / TILE_N;
            int gn = n0 + n, gk = k0 + k;
            float v = 0.0f;
            if (gn < N && gk < K) v = transB ? B[gn * K + gk] : B[gk * N + gn];
            Bs[k][n] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE_K; ++k) {
            float a[PER], b[PER];
            for (int i = 0; i < PER; ++i) a[i] = As[k][ty + WG * i];
            for (int j = 0; j < PER; ++j) b[j] = Bs[k][tx + WG * j];
            for (int i = 0; i < PER; ++i)
                for (int j = 0; j < PER; ++j) acc[i][j] += a[i] * b[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < PER; ++i) {
        int gm = m0 + ty + WG * i;
        if (gm >= M) continue;
        for (int j = 0; j < PER; ++j) {
            int gn = n0 + tx + WG * j;
            if (gn < N) C[gm * N + gn] = acc[i][j];
        }
    }
}

// op(A)[m, k] and op(B)[k, n] of the row-major operands.
inline float matmul_a(__global const float* A, int m, int k, int M, int K, int transA) {
    return transA ? A[k * M + m] : A[m * K + k];
}
inline float matmul_b(__global const float* B, int k, int n, int K, int N, int transB) {
    return transB ? B[n * K + k] : B[k * N + n];
}

// Skinny products (one side of at most 16, as a model basis times its coefficients or vertices times
// a rotation), where a 64×64 tile would be mostly empty: one work-item per output element of each
// batch (global [M·N rounded up, batch]), its dot product summed in order.
__kernel void matmul_rows(__global float* C, __global const float* A, __global const float* B,
                          const int M, const int N, const int K, const int transA, const int transB,
                          const int strideA, const int strideB, const int strideC) {
    const int o = get_global_id(0), batch = get_global_id(1);
    if (o >= M * N) return;
    const int m = o / N, n = o % N;
    A += batch * strideA;
    B += batch * strideB;
    float acc = 0.0f;
    for (int k = 0; k < K; ++k) acc += matmul_a(A, m, k, M, K, transA) * matmul_b(B, k, n, K, N, transB);
    C[batch * strideC + o] = acc;
}

#define DOT_WG 64

// Few outputs with long reductions (a basis's transpose times a gradient over every vertex), which one
// tiled work-group would sum alone: one work-group per output element (global [64, M·N, batch]), each
// work-item summing every 64th term, then a fixed-order tree in local memory (deterministic).
__kernel __attribute__((reqd_work_group_size(DOT_WG, 1, 1)))
void matmul_dot(__global float* C, __global const float* A, __global const float* B,
                const int M, const int N, const int K, const int transA, const int transB,
                const int strideA, const int strideB, const int strideC) {
    __local float partial[DOT_WG];
    const int t = get_local_id(0), o = get_group_id(1), batch = get_global_id(2);
    const int m = o / N, n = o % N;
    A += batch * strideA;
    B += batch * strideB;
    float acc = 0.0f;
    for (int k = t; k < K; k += DOT_WG)
        acc += matmul_a(A, m, k, M, K, transA) * matmul_b(B, k, n, K, N, transB);
    partial[t] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = DOT_WG / 2; s > 0; s >>= 1) {
        if (t < s) partial[t] += partial[t + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (t == 0) C[batch * strideC + o] = partial[0];
}
