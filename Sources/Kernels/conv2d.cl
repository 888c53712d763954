// conv2d as implicit GEMM, forward and both backward passes, NCHW / weight [K, C, R, S].
// One kernel, three operand mappings (the mode is uniform per launch):
//   forward       Y[n,k,p,q]  = Σ_{c,r,s}   W[k,c,r,s] · X[n,c,ih,iw]   (+ bias[k], then the epilogue)
//   input grad    dX[n,c,h,w] = Σ_{k,r,s}   W[k,c,r,s] · dY[n,k,p,q] where ih = h
//   weight grad   dW[k,c,r,s] = Σ_{n,p,q}   dY[n,k,p,q] · X[n,c,ih,iw]
// with ih = p·strideH − padTop + r·dilH, iw = q·strideW − padLeft + s·dilW.
// Tiles of 64×64 outputs per 16×16 work-group, 4×4 per work-item, K staged 16 at a time
// through local memory; operands are gathered on the fly (no im2col buffer). When the output has
// too few tiles to fill the device (small images, weight gradients), the reduction is split over
// the third grid dimension: each split writes its partial sums, and conv2d_split_finish adds them
// in split order and applies the epilogue. Every output element is summed in a fixed order:
// deterministic, no atomics. B's values are multiplied by bScale as they are staged (the input
// gradient's dy·s: a residual branch's scale, 1 otherwise).

#define CONV_FORWARD 0
#define CONV_INPUT_GRAD 1
#define CONV_WEIGHT_GRAD 2
#define CT_M 64
#define CT_N 64
#define CT_K 16
#define CWG 16
#define CPER 4

typedef struct {
    int N, C, H, W;          // input
    int K, R, S;             // output channels, kernel height, width
    int P, Q;                // output height, width
    int strideH, strideW, padTop, padLeft, dilH, dilW;
} ConvGeometry;

// GEMM sizes per mode: rows M, columns Ncols, reduction length L.
inline int3 conv_gemm_size(const ConvGeometry* g, int mode) {
    int crs = g->C * g->R * g->S;
    if (mode == CONV_FORWARD) return (int3)(g->K, g->N * g->P * g->Q, crs);
    if (mode == CONV_INPUT_GRAD) return (int3)(g->C, g->N * g->H * g->W, g->K * g->R * g->S);
    return (int3)(g->K, crs, g->N * g->P * g->Q);
}

// A[m, l] = a[offset + m * stride]: the weight (forward, input grad) or the output gradient
// (weight grad). Returns (offset, stride) for reduction index l, so that a work-item decodes l
// once per K-step and then loads its rows with no division.
inline int2 conv_a_column(const ConvGeometry* g, int mode, int l) {
    int rs = g->R * g->S, pq = g->P * g->Q;
    if (mode == CONV_FORWARD) return (int2)(l, g->C * rs);
    if (mode == CONV_INPUT_GRAD) return (int2)((l / rs) * g->C * rs + l % rs, rs);  // l = (k, r, s)
    return (int2)((l / pq) * g->K * pq + l % pq, pq);                                 // l = (n, p, q)
}

// What B's column j fixes for the whole reduction: (base offset, row origin, column origin).
//   forward      j = (n, p, q): the input image n and the window's top-left corner
//   input grad   j = (n, h, w): dY's image n and the padded position of pixel (h, w)
//   weight grad  j = (c, r, s): the input channel c and the kernel tap's offset
inline int3 conv_b_column(const ConvGeometry* g, int mode, int j) {
    if (mode == CONV_FORWARD) {
        int pq = g->P * g->Q, n = j / pq, p_q = j % pq;
        return (int3)(n * g->C * g->H * g->W, (p_q / g->Q) * g->strideH - g->padTop, (p_q % g->Q) * g->strideW - g->padLeft);
    }
    if (mode == CONV_INPUT_GRAD) {
        int hw = g->H * g->W, n = j / hw, h_w = j % hw;
        return (int3)(n * g->K * g->P * g->Q, h_w / g->W + g->padTop, h_w % g->W + g->padLeft);
    }
    int rs = g->R * g->S, c = j / rs, r_s = j % rs;
    return (int3)(c * g->H * g->W, (r_s / g->S) * g->dilH - g->padTop, (r_s % g->S) * g->dilW - g->padLeft);
}

// B[l, j] for column facts `col` (conv_b_column): the input gathered by the window (forward,
// weight grad) or the output gradient scattered back through it (input grad); 0 outside the
// image or between strides.
inline float conv_load_b(const ConvGeometry* g, int mode, __global const float* b, int3 col, int l) {
    if (mode == CONV_WEIGHT_GRAD) {  // l = (n, p, q)
        int pq = g->P * g->Q, n = l / pq, p_q = l % pq;
        int ih = (p_q / g->Q) * g->strideH + col.y, iw = (p_q % g->Q) * g->strideW + col.z;
        if (ih < 0 || iw < 0 || ih >= g->H || iw >= g->W) return 0.0f;
        return b[n * g->C * g->H * g->W + col.x + ih * g->W + iw];
    }
    int rs = g->R * g->S, first = l / rs, r_s = l % rs, r = r_s / g->S, s = r_s % g->S;  // l = (c or k, r, s)
    if (mode == CONV_FORWARD) {
        int ih = col.y + r * g->dilH, iw = col.z + s * g->dilW;
        if (ih < 0 || iw < 0 || ih >= g->H || iw >= g->W) return 0.0f;
        return b[col.x + (first * g->H + ih) * g->W + iw];
    }
    int ph = col.y - r * g->dilH, qw = col.z - s * g->dilW;
    if (ph < 0 || qw < 0 || ph % g->strideH != 0 || qw % g->strideW != 0) return 0.0f;
    int p = ph / g->strideH, q = qw / g->strideW;
    if (p >= g->P || q >= g->Q) return 0.0f;
    return b[col.x + (first * g->P + p) * g->Q + q];
}

// Where GEMM element (m, j) lands in the output tensor.
inline int conv_store_index(const ConvGeometry* g, int mode, int m, int j) {
    if (mode == CONV_FORWARD) {
        int pq = g->P * g->Q;
        return ((j / pq) * g->K + m) * pq + j % pq;
    }
    if (mode == CONV_INPUT_GRAD) {
        int hw = g->H * g->W;
        return ((j / hw) * g->C + m) * hw + j % hw;
    }
    return m * g->C * g->R * g->S + j;
}

// The epilogue (ConvEpilogue) on GEMM element (gm, gj), whose reduction is `sum`:
// v = scale·(sum + bias) + residual, then v > 0 ? v : slope·v (slope 0 relu, 1 none), the sign
// from the gate if given.
inline void conv_store(__global float* out, const ConvGeometry* g, int mode, int gm, int gj, float sum,
                       __global const float* bias, __global const float* residual, __global const float* gate,
                       int hasBias, int hasResidual, int hasGate, float scale, float slope) {
    int index = conv_store_index(g, mode, gm, gj);
    float v = scale * (sum + (hasBias ? bias[gm] : 0.0f));
    if (hasResidual) v += residual[index];
    float sign = hasGate ? gate[index] : v;
    out[index] = sign > 0.0f ? v : (slope == 0.0f ? 0.0f : slope * v);
}

// Split z = get_group_id(2) of get_num_groups(2) sums reduction indices [z·splitLength,
// (z + 1)·splitLength); with one split it stores through the epilogue, with more it writes
// partial[z][m][j] for conv2d_split_finish.
__kernel __attribute__((reqd_work_group_size(CWG, CWG, 1)))
void conv2d_gemm(__global float* out, __global const float* a, __global const float* b, const float bScale,
                 __global const float* bias, __global const float* residual, __global const float* gate,
                 const ConvGeometry g, const int mode, const int hasBias, const int hasResidual,
                 const int hasGate, const float scale, const float slope,
                 __global float* partial, const int splitLength) {
    __local float As[CT_K][CT_M + 1];
    __local float Bs[CT_K][CT_N + 1];
    const int3 size = conv_gemm_size(&g, mode);
    const int M = size.x, NC = size.y, L = size.z;
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * CWG + tx;
    const int n0 = get_group_id(0) * CT_N, m0 = get_group_id(1) * CT_M;
    // Each work-item stages A column tid % CT_K (rows tid / CT_K + 16·i) and B column
    // tid % CT_N (rows tid / CT_N + 4·i) of every K-step.
    const int aColumn = tid % CT_K, aRow = tid / CT_K;
    const int bColumn = tid % CT_N, bRow = tid / CT_N;
    const int gj = n0 + bColumn;
    const int3 bFacts = conv_b_column(&g, mode, gj < NC ? gj : 0);

    float acc[CPER][CPER];
    for (int i = 0; i < CPER; ++i)
        for (int j = 0; j < CPER; ++j) acc[i][j] = 0.0f;

    const int split = get_group_id(2), splits = get_num_groups(2);
    const int lBegin = split * splitLength, lEnd = min(L, lBegin + splitLength);
    for (int l0 = lBegin; l0 < lEnd; l0 += CT_K) {
        const int la = l0 + aColumn;
        const int2 aFacts = conv_a_column(&g, mode, la < lEnd ? la : 0);
        for (int i = 0; i < CT_M / (CWG * CWG / CT_K); ++i) {
            int m = aRow + i * (CWG * CWG / CT_K), gm = m0 + m;
            As[aColumn][m] = (gm < M && la < lEnd) ? a[aFacts.x + gm * aFacts.y] : 0.0f;
        }
        for (int i = 0; i < CT_K / (CWG * CWG / CT_N); ++i) {
            int l = bRow + i * (CWG * CWG / CT_N), gl = l0 + l;
            Bs[l][bColumn] = (gj < NC && gl < lEnd) ? conv_load_b(&g, mode, b, bFacts, gl) * bScale : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int l = 0; l < CT_K; ++l) {
            float av[CPER], bv[CPER];
            for (int i = 0; i < CPER; ++i) av[i] = As[l][ty + CWG * i];
            for (int j = 0; j < CPER; ++j) bv[j] = Bs[l][tx + CWG * j];
            for (int i = 0; i < CPER; ++i)
                for (int j = 0; j < CPER; ++j) acc[i][j] += av[i] * bv[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < CPER; ++i) {
        int gm = m0 + ty + CWG * i;
        if (gm >= M) continue;
        for (int j = 0; j < CPER; ++j) {
            int gj = n0 + tx + CWG * j;
            if (gj >= NC) continue;
            if (splits > 1)
                partial[(split * M + gm) * NC + gj] = acc[i][j];
            else
                conv_store(out, &g, mode, gm, gj, acc[i][j], bias, residual, gate, hasBias, hasResidual, hasGate,
                           scale, slope);
        }
    }
}

// One work-item per GEMM element: the splits' partial sums added in split order, then the epilogue.
__kernel void conv2d_split_finish(__global float* out, __global const float* partial, __global const float* bias,
                                  __global const float* residual, __global const float* gate, const ConvGeometry g,
                                  const int mode, const int hasBias, const int hasResidual, const int hasGate,
                                  const float scale, const float slope, const int splits) {
    const int3 size = conv_gemm_size(&g, mode);
    const int M = size.x, NC = size.y, id = get_global_id(0);
    if (id >= M * NC) return;
    float sum = 0.0f;
    for (int z = 0; z < splits; ++z) sum += partial[z * M * NC + id];
    conv_store(out, &g, mode, id / NC, id % NC, sum, bias, residual, gate, hasBias, hasResidual, hasGate, scale, slope);
}
