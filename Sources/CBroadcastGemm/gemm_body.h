// The kernel, included once per instruction set by broadcast_gemm.c, which defines first:
// NAME(x) (the set's function names), TARGET (its target attribute), VEC, LANES, MASK, FULL,
// MASK_FOR(count) (the first `count` lanes), LOAD(mask, pointer) (masked lanes read as 0),
// STORE(pointer, mask, v), ZERO, BROADCAST(x), FMA(a, b, c) (a·b + c, one rounding), STRIP
// (vectors across a full strip of columns), PANEL (full strips that each tile of A passes over in
// turn), ROWS(vectors) (rows per tile: as many accumulators as the set's registers hold beside the
// strip's columns and the broadcast) and MAX_ROWS.

// One tile of C: `rows` rows × `vectors` vectors of columns (the last one's lanes `last`), all k.
// `rows` and `vectors` are constants where it is inlined, so the sums live in registers.
static inline TARGET __attribute__((always_inline)) void NAME(tile)(
    const int rows, const int vectors, MASK last, long k, const float *a, long a_row, long a_depth,
    const float *b, long ldb, float *c, long ldc, int accumulate) {
    VEC sum[MAX_ROWS][STRIP];
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < vectors; v++)
            sum[r][v] = accumulate ? LOAD(v == vectors - 1 ? last : FULL, c + r * ldc + LANES * v) : ZERO;
    for (long d = 0; d < k; d++) {
        VEC column[STRIP];
        for (int v = 0; v < vectors; v++)
            column[v] = LOAD(v == vectors - 1 ? last : FULL, b + d * ldb + LANES * v);
        for (int r = 0; r < rows; r++) {
            VEC x = BROADCAST(a[r * a_row + d * a_depth]);
            for (int v = 0; v < vectors; v++) sum[r][v] = FMA(x, column[v], sum[r][v]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < vectors; v++)
            STORE(c + r * ldc + LANES * v, v == vectors - 1 ? last : FULL, sum[r][v]);
}

// Every row of one strip `vectors` vectors wide: tiles of ROWS(vectors) rows, then the rows left in
// tiles of 8, 4, 2 and 1 (each height its own inlined copy, with its sums in registers).
#define TILE(rows, vectors)                                                                \
    NAME(tile)(rows, vectors, last, k, a + i * a_row, a_row, a_depth, strip_b, strip_ldb,          \
               strip_c + i * ldc, ldc, accumulate)
#define STRIP_CASE(vectors)                                                              \
    case vectors:                                                                        \
        for (; i + ROWS(vectors) <= m; i += ROWS(vectors)) TILE(ROWS(vectors), vectors); \
        if (ROWS(vectors) > 8)                                                           \
            for (; i + 8 <= m; i += 8) TILE(8, vectors);                                 \
        if (i + 4 <= m) TILE(4, vectors), i += 4;                                        \
        if (i + 2 <= m) TILE(2, vectors), i += 2;                                        \
        if (i < m) TILE(1, vectors);                                                     \
        break;

// C = A·B (+ C) panel by panel of PANEL strips of columns. In a panel, each tile of A's rows passes
// over every full strip before the next tile is read, so that A is read from memory once per panel
// rather than once per strip (FaceNet's 8² blocks, 64 columns: A, up to 0.9 MB, is read once instead of
// four times with AVX2's 16-column strips); the panel's K × width block of B stays in the caches while
// every tile passes over it. A partial last strip follows, all its rows. Where eight tiles or more pass
// over the panel, its strips are first copied into contiguous runs (`packed`): read in place, each of
// a strip's K rows sits a whole row of B (often over 4 KB) from the last, so that a pass over a deep
// block touches a memory page per row and misses the address translation caches (a 3×3 convolution
// with 256 channels at 32²: 1.6–1.9× faster on an AVX2 Zen 3). With fewer tiles the copy costs more
// than it saves. The sums are the same, in the same order, whatever the panel.
static TARGET void NAME(run)(long m, long n, long k, const float *a, long a_row, long a_depth, const float *b,
                             long ldb, float *c, long ldc, int accumulate) {
    const long full = (long)STRIP * LANES;
    float *packed = m >= 8 * ROWS(STRIP) ? malloc((size_t)(k * full * PANEL) * sizeof(float)) : NULL;
    for (long j = 0; j < n; j += full * PANEL) {
        long strips = (n - j) / full < PANEL ? (n - j) / full : PANEL;
        const float *panel_b = b + j;
        long panel_ldb = ldb, strip_step = full;  // strip s of the panel: panel_b + s · strip_step
        if (packed) {
            for (long s = 0; s < strips; s++)
                for (long d = 0; d < k; d++)
                    for (int v = 0; v < STRIP; v++)
                        STORE(packed + (s * k + d) * full + LANES * v, FULL,
                              LOAD(FULL, b + d * ldb + j + s * full + LANES * v));
            panel_b = packed, panel_ldb = full, strip_step = k * full;
        }
        MASK last = FULL;
        long i = 0;
#define PANEL_TILE(rows)                                                                      \
    for (long s = 0; s < strips; s++)                                                         \
    NAME(tile)(rows, STRIP, last, k, a + i * a_row, a_row, a_depth, panel_b + s * strip_step, panel_ldb, \
               c + j + s * full + i * ldc, ldc, accumulate)
        for (; i + ROWS(STRIP) <= m; i += ROWS(STRIP)) PANEL_TILE(ROWS(STRIP));
        if (ROWS(STRIP) > 8)
            for (; i + 8 <= m; i += 8) PANEL_TILE(8);
        if (i + 4 <= m) { PANEL_TILE(4); i += 4; }
        if (i + 2 <= m) { PANEL_TILE(2); i += 2; }
        if (i < m) PANEL_TILE(1);
#undef PANEL_TILE
        if (strips == PANEL || j + strips * full == n) continue;
        // The partial last strip, narrower than `full`.
        long strip_j = j + strips * full, width = n - strip_j;
        int vectors = (int)((width + LANES - 1) / LANES);
        last = MASK_FOR(width - (long)LANES * (vectors - 1));
        const float *strip_b = b + strip_j;
        long strip_ldb = ldb;
        if (packed) {  // the masked lanes past the last column are written as 0 and never read
            for (long d = 0; d < k; d++)
                for (int v = 0; v < vectors; v++)
                    STORE(packed + d * full + LANES * v, FULL,
                          LOAD(v == vectors - 1 ? last : FULL, b + d * ldb + strip_j + LANES * v));
            strip_b = packed;
            strip_ldb = full;
        }
        float *strip_c = c + strip_j;
        i = 0;
        switch (vectors) { STRIP_CASES }
    }
    free(packed);  // NULL (unpacked) when it was not needed or could not be allocated
}

#undef STRIP_CASE
#undef TILE
