// Interpolation of per-vertex attributes through ids and barycentrics (Render/Interpolate.swift):
// forward, the attribute gradient as per-corner sums (one work-item per triangle and channel,
// scanning the triangle's bounds in row-major order: deterministic, no atomics), and the
// barycentric gradient.
#pragma OPENCL FP_CONTRACT OFF

// out[p, c] = Σ_k bary[p, k]·attr[tris[id, k], c]; zero where the id or an index is invalid.
__kernel void interpolate_fwd(__global float* out, __global const float* attr, __global const int* tris,
                              __global const int* ids, __global const float* bary, const int triangles,
                              const int vertices, const int channels, const int pixels) {
    int i = get_global_id(0);
    if (i >= pixels * channels) return;
    int p = i / channels, c = i % channels;
    int f = ids[p];
    float value = 0.0f;
    if (f >= 0 && f < triangles) {
        int i0 = tris[3 * f], i1 = tris[3 * f + 1], i2 = tris[3 * f + 2];
        if (i0 >= 0 && i0 < vertices && i1 >= 0 && i1 < vertices && i2 >= 0 && i2 < vertices)
            value = bary[3 * p] * attr[i0 * channels + c] + bary[3 * p + 1] * attr[i1 * channels + c]
                    + bary[3 * p + 2] * attr[i2 * channels + c];
    }
    out[i] = value;
}

// corners[(3f + k)·C + c] = Σ over pixels p of triangle f of bary[p, k]·dy[p, c].
__kernel void interpolate_attribute_grad(__global float* corners, __global const int* ids,
                                         __global const int4* bounds, __global const float* bary,
                                         __global const float* dy, const int triangles, const int channels,
                                         const int width) {
    int i = get_global_id(0);
    if (i >= triangles * channels) return;
    int f = i / channels, c = i % channels;
    int4 b = bounds[f];
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f;
    for (int y = b.y; y < b.w; ++y)
        for (int x = b.x; x < b.z; ++x) {
            int p = y * width + x;
            if (ids[p] != f) continue;
            float g = dy[p * channels + c];
            a0 += bary[3 * p] * g;
            a1 += bary[3 * p + 1] * g;
            a2 += bary[3 * p + 2] * g;
        }
    corners[(3 * f) * channels + c] = a0;
    corners[(3 * f + 1) * channels + c] = a1;
    corners[(3 * f + 2) * channels + c] = a2;
}

// dbary[p, k] = Σ_c dy[p, c]·attr[tris[id, k], c].
__kernel void interpolate_bary_grad(__global float* dbary, __global const float* attr, __global const int* tris,
                                    __global const int* ids, __global const float* dy, const int triangles,
                                    const int vertices, const int channels, const int pixels) {
    int i = get_global_id(0);
    if (i >= 3 * pixels) return;
    int p = i / 3, k = i % 3;
    int f = ids[p];
    float sum = 0.0f;
    if (f >= 0 && f < triangles) {
        int v = tris[3 * f + k];
        if (v >= 0 && v < vertices)
            for (int c = 0; c < channels; ++c) sum += dy[p * channels + c] * attr[v * channels + c];
    }
    dbary[i] = sum;
}
