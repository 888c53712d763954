// Max and average 2-D pooling, NCHW, forward and backward. The backward is a gather: one
// work-item per input pixel sums the gradients of the windows that hold it, in ascending
// (p, q) order, so it is deterministic and needs no atomics. Max pooling routes each window's
// gradient to its first maximum in row-major tap order (the CPU reference's rule); padding
// taps never win a max and never count in an average's divisor (TensorFlow's avg_pool).
// Built after conv2d.cl, whose ConvGeometry (with K = C) gives the window arithmetic.
#pragma OPENCL FP_CONTRACT OFF

#define POOL_MAX 0
#define POOL_AVERAGE 1

// Input row of tap r of output row p (and column of tap s of output column q).
inline int pool_row(const ConvGeometry* g, int p, int r) { return p * g->strideH - g->padTop + r * g->dilH; }
inline int pool_col(const ConvGeometry* g, int q, int s) { return q * g->strideW - g->padLeft + s * g->dilW; }

// The first maximum of window (p, q) of `plane` as ih·W + iw, or -1 when no tap is inside.
inline int pool_argmax(const ConvGeometry* g, __global const float* plane, int p, int q) {
    int best = -1;
    float bestValue = 0.0f;
    for (int r = 0; r < g->R; ++r) {
        int ih = pool_row(g, p, r);
        if (ih < 0 || ih >= g->H) continue;
        for (int s = 0; s < g->S; ++s) {
            int iw = pool_col(g, q, s);
            if (iw < 0 || iw >= g->W) continue;
            float v = plane[ih * g->W + iw];
            if (best < 0 || v > bestValue) { best = ih * g->W + iw; bestValue = v; }
        }
    }
    return best;
}

// The number of taps of window (p, q) inside the image.
inline int pool_taps(const ConvGeometry* g, int p, int q) {
    int rows = 0, cols = 0;
    for (int r = 0; r < g->R; ++r) { int ih = pool_row(g, p, r); rows += ih >= 0 && ih < g->H; }
    for (int s = 0; s < g->S; ++s) { int iw = pool_col(g, q, s); cols += iw >= 0 && iw < g->W; }
    return rows * cols;
}

// y[n, c, p, q]: the first maximum, or the mean of the taps inside the image (0 if none).
__kernel void pool2d_forward(__global float* y, __global const float* x, const ConvGeometry g, const int kind) {
    int i = get_global_id(0);
    int pq = g.P * g.Q;
    if (i >= g.N * g.C * pq) return;
    int p = i % pq / g.Q, q = i % g.Q;
    __global const float* plane = x + (i / pq) * g.H * g.W;
    if (kind == POOL_MAX) {
        int best = pool_argmax(&g, plane, p, q);
        y[i] = best < 0 ? 0.0f : plane[best];
        return;
    }
    float sum = 0.0f;
    for (int r = 0; r < g.R; ++r) {
        int ih = pool_row(&g, p, r);
        if (ih < 0 || ih >= g.H) continue;
        for (int s = 0; s < g.S; ++s) {
            int iw = pool_col(&g, q, s);
            if (iw >= 0 && iw < g.W) sum += plane[ih * g.W + iw];
        }
    }
    int taps = pool_taps(&g, p, q);
    y[i] = taps > 0 ? sum / (float)taps : 0.0f;
}

// dx[n, c, h, w] = Σ over windows (p, q) holding (h, w) of dy[n, c, p, q] (max: only where
// (h, w) is the window's first maximum; average: divided by the window's taps inside).
// `x` is read by max pooling only. Taps r, s run downwards so windows come in ascending order.
__kernel void pool2d_backward(__global float* dx, __global const float* dy, __global const float* x,
                              const ConvGeometry g, const int kind) {
    int i = get_global_id(0);
    int hw = g.H * g.W;
    if (i >= g.N * g.C * hw) return;
    int plane = i / hw, h = i % hw / g.W, w = i % g.W;
    __global const float* xPlane = x + plane * hw;
    __global const float* dyPlane = dy + plane * g.P * g.Q;
    float acc = 0.0f;
    for (int r = g.R - 1; r >= 0; --r) {
        int ph = h + g.padTop - r * g.dilH;
        if (ph < 0 || ph % g.strideH != 0 || ph / g.strideH >= g.P) continue;
        int p = ph / g.strideH;
        for (int s = g.S - 1; s >= 0; --s) {
            int qw = w + g.padLeft - s * g.dilW;
            if (qw < 0 || qw % g.strideW != 0 || qw / g.strideW >= g.Q) continue;
            int q = qw / g.strideW;
            float grad = dyPlane[p * g.Q + q];
            if (kind == POOL_MAX) {
                if (pool_argmax(&g, xPlane, p, q) == h * g.W + w) acc += grad;
            } else {
                acc += grad / (float)pool_taps(&g, p, q);
            }
        }
    }
    dx[i] = acc;
}
