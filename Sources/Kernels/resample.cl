// Resampling of NCHW images, forward and backward: nearest upsampling by integer factors,
// bilinear resizing (PyTorch's align_corners true and false) and the affine warp (bilinear,
// zero padding; gradients to the image and the matrix). Every backward is a gather — one
// work-item per input pixel (or per output pixel, for the matrix) sums what touches it, with
// the forward's own weights — so it is deterministic and needs no atomics. Strict math, no
// contraction: the forward weights match the CPU reference's bit for bit.
#pragma OPENCL FP_CONTRACT OFF

// Sizes of a resize: planes = N·C, input H×W, output outH×outW; p0, p1 = nearest factors
// (fh, fw), or for bilinear p0 = align corners (0 or 1).
typedef struct {
    int planes, H, W, outH, outW, p0, p1;
} ResizeShape;

// Sizes of an affine warp: image [N, C, H, W], output outH×outW.
typedef struct {
    int N, C, H, W, outH, outW;
} WarpShape;

// (plane, row, column) of element i of a stack of H×W planes.
inline int3 pixel_of(int i, int H, int W) { return (int3)(i / (H * W), i % (H * W) / W, i % W); }

// The corners of a bilinear sample at (sy, sx) in an H×W plane: rows y0 = ⌊sy⌋ and y0+1
// (columns likewise) with weights 1−fy and fy; corner (a, b) weighs wy[a]·wx[b]. A corner
// outside the plane reads 0, or with clampHigh a corner past the last row or column is that
// row or column (resize's rule). `valid` is 0 when the sample is too far out to touch a pixel.
typedef struct {
    int ys[2], xs[2];
    float wy[2], wx[2];
    int valid;
} Bilinear;

inline Bilinear bilinear_corners(float sy, float sx, int H, int W, int clampHigh) {
    Bilinear b;
    b.valid = sy >= -1.0f && sy < (float)H && sx >= -1.0f && sx < (float)W;
    if (!b.valid) return b;
    float fy0 = floor(sy), fx0 = floor(sx);
    int y0 = (int)fy0, x0 = (int)fx0;
    float fy = sy - fy0, fx = sx - fx0;
    b.ys[0] = y0;
    b.ys[1] = clampHigh ? min(y0 + 1, H - 1) : y0 + 1;
    b.xs[0] = x0;
    b.xs[1] = clampHigh ? min(x0 + 1, W - 1) : x0 + 1;
    b.wy[0] = 1.0f - fy;
    b.wy[1] = fy;
    b.wx[0] = 1.0f - fx;
    b.wx[1] = fx;
    return b;
}

// Whether corner (a, c) of `b` lies inside the H×W plane.
inline int corner_inside(const Bilinear* b, int a, int c, int H, int W) {
    return b->valid && b->ys[a] >= 0 && b->ys[a] < H && b->xs[c] >= 0 && b->xs[c] < W;
}

// Bilinear sample of an H×W plane at (sy, sx): Σ over the corners inside of weight·value.
inline float bilinear_sample(__global const float* plane, int H, int W, float sy, float sx, int clampHigh) {
    Bilinear b = bilinear_corners(sy, sx, H, W, clampHigh);
    float acc = 0.0f;
    for (int a = 0; a < 2; ++a)
        for (int c = 0; c < 2; ++c)
            if (corner_inside(&b, a, c, H, W)) acc += (b.wy[a] * b.wx[c]) * plane[b.ys[a] * W + b.xs[c]];
    return acc;
}

// The weight index i gets in the 1-D linear interpolation at src over [0, size), with the
// corner rule of bilinear_sample (0 when src is outside [−1, size)).
inline float lerp_weight(float src, int i, int size, int clampHigh) {
    if (!(src >= -1.0f && src < (float)size)) return 0.0f;
    float f0 = floor(src);
    int i0 = (int)f0, i1 = clampHigh ? min(i0 + 1, size - 1) : i0 + 1;
    float f = src - f0, w = 0.0f;
    if (i0 == i) w += 1.0f - f;
    if (i1 == i) w += f;
    return w;
}

// MARK: resize

// Source coordinate of output index o along one axis (ResizeAxis in Resize.swift).
inline float resize_source(int o, int inSize, int outSize, int alignCorners) {
    if (alignCorners) return outSize > 1 ? (float)o * ((float)(inSize - 1) / (float)(outSize - 1)) : 0.0f;
    return fmax(0.0f, ((float)o + 0.5f) * ((float)inSize / (float)outSize) - 0.5f);
}

// The outputs [lo, hi] along one axis whose samples may touch input index i: src within 1 of
// i, i.e. o in [(i − 1 + c)/scale − c, (i + 1 + c)/scale − c) with c = ½ for half-pixel
// centres (0 for align corners), widened by one against rounding; lerp_weight decides exactly.
inline int2 resize_range(int i, int inSize, int outSize, int alignCorners) {
    float scale = alignCorners ? (outSize > 1 ? (float)(inSize - 1) / (float)(outSize - 1) : 0.0f)
                               : (float)inSize / (float)outSize;
    if (scale <= 0.0f) return (int2)(0, outSize - 1);
    float c = alignCorners ? 0.0f : 0.5f;
    float lo = floor(((float)i - 1.0f + c) / scale - c) - 1.0f, hi = ceil(((float)i + 1.0f + c) / scale - c) + 1.0f;
    return (int2)((int)clamp(lo, 0.0f, (float)outSize), (int)clamp(hi, -1.0f, (float)(outSize - 1)));
}

// y[plane, oy, ox] = x[plane, oy / fh, ox / fw].
__kernel void resize_nearest(__global float* y, __global const float* x, const ResizeShape s) {
    int i = get_global_id(0);
    if (i >= s.planes * s.outH * s.outW) return;
    int3 o = pixel_of(i, s.outH, s.outW);
    y[i] = x[(o.x * s.H + o.y / s.p0) * s.W + o.z / s.p1];
}

// dx[plane, h, w] = Σ of dy over the fh×fw block that repeats (h, w), row-major.
__kernel void resize_nearest_grad(__global float* dx, __global const float* dy, const ResizeShape s) {
    int i = get_global_id(0);
    if (i >= s.planes * s.H * s.W) return;
    int3 at = pixel_of(i, s.H, s.W);
    __global const float* block = dy + (at.x * s.outH + at.y * s.p0) * s.outW + at.z * s.p1;
    float acc = 0.0f;
    for (int a = 0; a < s.p0; ++a)
        for (int b = 0; b < s.p1; ++b) acc += block[a * s.outW + b];
    dx[i] = acc;
}

__kernel void resize_bilinear(__global float* y, __global const float* x, const ResizeShape s) {
    int i = get_global_id(0);
    if (i >= s.planes * s.outH * s.outW) return;
    int3 o = pixel_of(i, s.outH, s.outW);
    y[i] = bilinear_sample(x + o.x * s.H * s.W, s.H, s.W, resize_source(o.y, s.H, s.outH, s.p0),
                           resize_source(o.z, s.W, s.outW, s.p0), 1);
}

// dx[plane, h, w] = Σ_{oy, ox} wy(oy, h)·wx(ox, w)·dy[plane, oy, ox] over the outputs near (h, w).
__kernel void resize_bilinear_grad(__global float* dx, __global const float* dy, const ResizeShape s) {
    int i = get_global_id(0);
    if (i >= s.planes * s.H * s.W) return;
    int3 at = pixel_of(i, s.H, s.W);
    int h = at.y, w = at.z;
    __global const float* plane = dy + at.x * s.outH * s.outW;
    int2 rows = resize_range(h, s.H, s.outH, s.p0), cols = resize_range(w, s.W, s.outW, s.p0);
    float acc = 0.0f;
    for (int oy = rows.x; oy <= rows.y; ++oy) {
        float wy = lerp_weight(resize_source(oy, s.H, s.outH, s.p0), h, s.H, 1);
        if (wy == 0.0f) continue;
        for (int ox = cols.x; ox <= cols.y; ++ox)
            acc += (wy * lerp_weight(resize_source(ox, s.W, s.outW, s.p0), w, s.W, 1)) * plane[oy * s.outW + ox];
    }
    dx[i] = acc;
}

// MARK: affine warp

// Input coordinates (sx, sy) of output pixel (ox, oy) under t = theta[n] (AffineWarp.swift).
inline float2 warp_source(__global const float* t, int ox, int oy) {
    return (float2)(t[0] * (float)ox + t[1] * (float)oy + t[2], t[3] * (float)ox + t[4] * (float)oy + t[5]);
}

__kernel void affine_warp(__global float* y, __global const float* x, __global const float* theta, const WarpShape s) {
    int i = get_global_id(0);
    if (i >= s.N * s.C * s.outH * s.outW) return;
    int3 o = pixel_of(i, s.outH, s.outW);
    float2 src = warp_source(theta + o.x / s.C * 6, o.z, o.y);
    y[i] = bilinear_sample(x + o.x * s.H * s.W, s.H, s.W, src.y, src.x, 0);
}

// The output pixels (x0, x1, y0, y1, inclusive) whose samples may touch input pixel (h, w):
// the bounding box of the preimage of the square |sx − w| < 1, |sy − h| < 1, widened by two
// pixels against rounding and clipped to the output. A singular map scans the whole output.
inline int4 warp_preimage_box(__global const float* t, int h, int w, int outH, int outW) {
    int4 all = (int4)(0, outW - 1, 0, outH - 1);
    float det = t[0] * t[4] - t[1] * t[3];
    if (det == 0.0f || !isfinite(det)) return all;
    float4 box = (float4)(INFINITY, -INFINITY, INFINITY, -INFINITY);
    for (int k = 0; k < 4; ++k) {
        float dx = (float)w + ((k & 1) ? 1.0f : -1.0f) - t[2];
        float dy = (float)h + ((k & 2) ? 1.0f : -1.0f) - t[5];
        float ox = (t[4] * dx - t[1] * dy) / det, oy = (t[0] * dy - t[3] * dx) / det;
        box = (float4)(fmin(box.x, ox), fmax(box.y, ox), fmin(box.z, oy), fmax(box.w, oy));
    }
    if (isnan(box.x + box.y + box.z + box.w)) return all;
    return (int4)((int)clamp(floor(box.x) - 2.0f, 0.0f, (float)outW), (int)clamp(ceil(box.y) + 2.0f, -1.0f, (float)(outW - 1)),
                  (int)clamp(floor(box.z) - 2.0f, 0.0f, (float)outH), (int)clamp(ceil(box.w) + 2.0f, -1.0f, (float)(outH - 1)));
}

// dImage[n, c, h, w] = Σ over output pixels sampling near (h, w) of wy·wx·dy[n, c, oy, ox].
__kernel void affine_warp_image_grad(__global float* dx, __global const float* dy, __global const float* theta,
                                     const WarpShape s) {
    int i = get_global_id(0);
    if (i >= s.N * s.C * s.H * s.W) return;
    int3 at = pixel_of(i, s.H, s.W);
    int h = at.y, w = at.z;
    __global const float* t = theta + at.x / s.C * 6;
    __global const float* grad = dy + at.x * s.outH * s.outW;
    int4 box = warp_preimage_box(t, h, w, s.outH, s.outW);
    float acc = 0.0f;
    for (int oy = box.z; oy <= box.w; ++oy) {
        for (int ox = box.x; ox <= box.y; ++ox) {
            float2 src = warp_source(t, ox, oy);
            float wy = lerp_weight(src.y, h, s.H, 0);
            if (wy != 0.0f) acc += (wy * lerp_weight(src.x, w, s.W, 0)) * grad[oy * s.outW + ox];
        }
    }
    dx[i] = acc;
}

// ∂L/∂(sx, sy) of output pixel (n, oy, ox), summed over channels and corners in the CPU
// reference's order: grad[n, 0, pixel] = Σ x·dy·wy·(±1), grad[n, 1, pixel] = Σ x·dy·(±1)·wx.
__kernel void affine_warp_coordinate_grad(__global float* grad, __global const float* dy, __global const float* x,
                                          __global const float* theta, const WarpShape s) {
    int i = get_global_id(0);
    int area = s.outH * s.outW;
    if (i >= s.N * area) return;
    int3 o = pixel_of(i, s.outH, s.outW);
    float2 src = warp_source(theta + o.x * 6, o.z, o.y);
    Bilinear b = bilinear_corners(src.y, src.x, s.H, s.W, 0);
    const float sign[2] = {-1.0f, 1.0f};
    float2 acc = (float2)(0.0f, 0.0f);
    for (int c = 0; c < s.C; ++c) {
        int plane = o.x * s.C + c;
        float d = dy[plane * area + i % area];
        for (int a = 0; a < 2; ++a) {
            for (int e = 0; e < 2; ++e) {
                if (!corner_inside(&b, a, e, s.H, s.W)) continue;
                float v = x[(plane * s.H + b.ys[a]) * s.W + b.xs[e]] * d;
                acc.x += v * (b.wy[a] * sign[e]);
                acc.y += v * (sign[a] * b.wx[e]);
            }
        }
    }
    grad[o.x * 2 * area + i % area] = acc.x;
    grad[(o.x * 2 + 1) * area + i % area] = acc.y;
}
