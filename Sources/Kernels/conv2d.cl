// conv2d as implicit GEMM, forward and both backward passes, NCHW / weight [K, C, R, S].
// One kernel, three operand mappings (the mode is uniform per launch):
//   forward       Y[n,k,p,q]  = Σ_{c,r,s}   W[k,c,r,s] · X[n,c,ih,iw]        (+ bias[k])
//   input grad    dX[n,c,h,w] = Σ_{k,r,s}   W[k,c,r,s] · dY[n,k,p,q] where ih = h
//   weight grad   dW[k,c,r,s] = Σ_{n,p,q}   dY[n,k,p,q] · X[n,c,ih,iw]
// with ih = p·strideH − padTop + r·dilH, iw = q·strideW − padLeft + s·dilW.
// Tiles of 64×64 outputs per 16×16 work-group, 4×4 per work-item, K staged 16 at a time
// through local memory; operands are gathered on the fly (no im2col buffer). Every output
// element is summed by one work-item in a fixed order: deterministic, no atomics.

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

// A[m, l]: the weight (forward, input grad) or the output gradient (weight grad).
inline float conv_load_a(const ConvGeometry* g, int mode, __global const float* a, int m, int l) {
    if (mode == CONV_FORWARD) return a[m * g->C * g->R * g->S + l];
    if (mode == CONV_INPUT_GRAD) {
        int rs = g->R * g->S;
        int k = l / rs, r_s = l % rs;
        return a[(k * g->C + m) * rs + r_s];
    }
    int pq = g->P * g->Q;
    int n = l / pq, p_q = l % pq;
    return a[(n * g->K + m) * pq + p_q];
}

// B[l, j]: the input gathered by the window (forward, weight grad) or the output gradient
// scattered back through the window (input grad); 0 outside the image or between strides.
inline float conv_load_b(const ConvGeometry* g, int mode, __global const float* b, int l, int j) {
    int rs = g->R * g->S;
    if (mode == CONV_INPUT_GRAD) {
        int hw = g->H * g->W;
        int n = j / hw, h_w = j % hw, h = h_w / g->W, w = h_w % g->W;
        int k = l / rs, r_s = l % rs, r = r_s / g->S, s = r_s % g->S;
        int ph = h + g->padTop - r * g->dilH, qw = w + g->padLeft - s * g->dilW;
        if (ph < 0 || qw < 0 || ph % g->strideH != 0 || qw % g->strideW != 0) return 0.0f;
        int p = ph / g->strideH, q = qw / g->strideW;
        if (p >= g->P || q >= g->Q) return 0.0f;
        return b[((n * g->K + k) * g->P + p) * g->Q + q];
    }
    int pq = g->P * g->Q;
    int c, r, s, n, p, q;
    if (mode == CONV_FORWARD) {
        c = l / rs; int r_s = l % rs; r = r_s / g->S; s = r_s % g->S;
        n = j / pq; int p_q = j % pq; p = p_q / g->Q; q = p_q % g->Q;
    } else {
        c = j / rs; int r_s = j % rs; r = r_s / g->S; s = r_s % g->S;
        n = l / pq; int p_q = l % pq; p = p_q / g->Q; q = p_q % g->Q;
    }
    int ih = p * g->strideH - g->padTop + r * g->dilH;
    int iw = q * g->strideW - g->padLeft + s * g->dilW;
    if (ih < 0 || iw < 0 || ih >= g->H || iw >= g->W) return 0.0f;
    return b[((n * g->C + c) * g->H + ih) * g->W + iw];
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

__kernel __attribute__((reqd_work_group_size(CWG, CWG, 1)))
void conv2d_gemm(__global float* out, __global const float* a, __global const float* b,
                 __global const float* bias, const ConvGeometry g, const int mode, const int hasBias) {
    __local float As[CT_K][CT_M + 1];
    __local float Bs[CT_K][CT_N + 1];
    const int3 size = conv_gemm_size(&g, mode);
    const int M = size.x, NC = size.y, L = size.z;
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * CWG + tx;
    const int n0 = get_group_id(0) * CT_N, m0 = get_group_id(1) * CT_M;

    float acc[CPER][CPER];
    for (int i = 0; i < CPER; ++i)
        for (int j = 0; j < CPER; ++j) acc[i][j] = 0.0f;

    for (int l0 = 0; l0 < L; l0 += CT_K) {
        for (int e = tid; e < CT_M * CT_K; e += CWG * CWG) {
            int m = e / CT_K, l = e % CT_K;
            int gm = m0 + m, gl = l0 + l;
            As[l][m] = (gm < M && gl < L) ? conv_load_a(&g, mode, a, gm, gl) : 0.0f;
        }
        for (int e = tid; e < CT_N * CT_K; e += CWG * CWG) {
            int j = e % CT_N, l = e / CT_N;
            int gj = n0 + j, gl = l0 + l;
            Bs[l][j] = (gj < NC && gl < L) ? conv_load_b(&g, mode, b, gl, gj) : 0.0f;
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
        float add = hasBias ? bias[gm] : 0.0f;
        for (int j = 0; j < CPER; ++j) {
            int gj = n0 + tx + CWG * j;
            if (gj < NC) out[conv_store_index(&g, mode, gm, gj)] = acc[i][j] + add;
        }
    }
}
