// bgemm_run's two instruction sets: gemm_body.h compiled for AVX-512F (16 lanes, 32 registers)
// and for AVX2 with FMA (8 lanes, 16 registers), each chosen only where the CPU has it.
#include "CBroadcastGemm.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <stdlib.h>

// AVX-512F: strips of 4 vectors (64 columns); 24 accumulators + 4 columns + 1 broadcast ≤ 32.
#define NAME(x) avx512_##x
#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define LANES 16
#define MASK __mmask16
#define FULL ((__mmask16)0xFFFF)
#define MASK_FOR(count) ((__mmask16)((1u << (count)) - 1))
#define LOAD(mask, p) _mm512_maskz_loadu_ps(mask, p)
#define STORE(p, mask, v) _mm512_mask_storeu_ps(p, mask, v)
#define ZERO _mm512_setzero_ps()
#define BROADCAST(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define STRIP 4
#define PANEL 1
#define MAX_ROWS 24
#define ROWS(vectors) ((vectors) == 4 ? 6 : (vectors) == 3 ? 8 : (vectors) == 2 ? 12 : 24)
#define STRIP_CASES STRIP_CASE(4) STRIP_CASE(3) STRIP_CASE(2) STRIP_CASE(1)
#include "gemm_body.h"
#undef NAME
#undef TARGET
#undef VEC
#undef LANES
#undef MASK
#undef FULL
#undef MASK_FOR
#undef LOAD
#undef STORE
#undef ZERO
#undef BROADCAST
#undef FMA
#undef STRIP
#undef PANEL
#undef MAX_ROWS
#undef ROWS
#undef STRIP_CASES

// AVX2 + FMA: strips of 2 vectors (16 columns); 12 accumulators + 2 columns + 1 broadcast ≤ 16.
// Masks are lane vectors (all bits set where the lane is in).
#define NAME(x) avx2_##x
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define LANES 8
#define MASK __m256i
#define FULL _mm256_set1_epi32(-1)
#define MASK_FOR(count) \
    _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define LOAD(mask, p) _mm256_maskload_ps(p, mask)
#define STORE(p, mask, v) _mm256_maskstore_ps(p, mask, v)
#define ZERO _mm256_setzero_ps()
#define BROADCAST(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define STRIP 2
#define PANEL 4
#define MAX_ROWS 12
#define ROWS(vectors) ((vectors) == 2 ? 6 : 12)
#define STRIP_CASES STRIP_CASE(2) STRIP_CASE(1)
#include "gemm_body.h"

int bgemm_instruction_set(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}

int bgemm_run(int instruction_set, long m, long n, long k, const float *a, long a_row, long a_depth,
              const float *b, long ldb, float *c, long ldc, int accumulate) {
    if (instruction_set < 1 || instruction_set > bgemm_instruction_set()) return -1;
    if (instruction_set == 2) avx512_run(m, n, k, a, a_row, a_depth, b, ldb, c, ldc, accumulate);
    else avx2_run(m, n, k, a, a_row, a_depth, b, ldb, c, ldc, accumulate);
    return 0;
}

#else
int bgemm_instruction_set(void) { return 0; }

int bgemm_run(int instruction_set, long m, long n, long k, const float *a, long a_row, long a_depth,
              const float *b, long ldb, float *c, long ldc, int accumulate) {
    (void)instruction_set, (void)m, (void)n, (void)k, (void)a, (void)a_row, (void)a_depth;
    (void)b, (void)ldb, (void)c, (void)ldc, (void)accumulate;
    return -1;
}
#endif
