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
