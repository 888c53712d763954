// Rasterization (see Render/Rasterize.swift and Render/Barycentrics.swift for the contracts):
// triangle setup with culling, a tiled z-buffer giving per-pixel triangle ids, and the
// perspective-correct barycentrics recomputed from the ids, forward and backward. Every
// expression mirrors Render/ScreenTriangle.swift so both backends decide coverage alike.
#pragma OPENCL FP_CONTRACT OFF

#define RASTER_TILE 16

// One triangle's screen vertices (x_px, y_px, depth).
typedef struct { float x0, y0, w0, x1, y1, w1, x2, y2, w2; } ScreenTriangle;

// Loads triangle f; false when an index is outside 0..<vertices.
inline bool load_triangle(ScreenTriangle* t, __global const float* screen, __global const int* tris,
                          int f, int vertices) {
    int i0 = tris[3 * f], i1 = tris[3 * f + 1], i2 = tris[3 * f + 2];
    if (i0 < 0 || i0 >= vertices || i1 < 0 || i1 >= vertices || i2 < 0 || i2 >= vertices) return false;
    t->x0 = screen[3 * i0]; t->y0 = screen[3 * i0 + 1]; t->w0 = screen[3 * i0 + 2];
    t->x1 = screen[3 * i1]; t->y1 = screen[3 * i1 + 1]; t->w1 = screen[3 * i1 + 2];
    t->x2 = screen[3 * i2]; t->y2 = screen[3 * i2 + 1]; t->w2 = screen[3 * i2 + 2];
    return true;
}

inline float double_area(const ScreenTriangle* t) {
    return (t->x1 - t->x0) * (t->y2 - t->y0) - (t->y1 - t->y0) * (t->x2 - t->x0);
}

// Edge functions at (px, py): e_k is twice the signed area opposite vertex k.
inline float3 edges_at(const ScreenTriangle* t, float px, float py) {
    return (float3)((t->x1 - px) * (t->y2 - py) - (t->y1 - py) * (t->x2 - px),
                    (t->x2 - px) * (t->y0 - py) - (t->y2 - py) * (t->x0 - px),
                    (t->x0 - px) * (t->y1 - py) - (t->y0 - py) * (t->x1 - px));
}

// Perspective-correct depth at pixel (x, y)'s centre, or NAN when not covered (inclusive edges).
inline float depth_at_pixel(const ScreenTriangle* t, int x, int y) {
    float3 e = edges_at(t, (float)x + 0.5f, (float)y + 0.5f);
    if (double_area(t) < 0.0f) e = -e;
    if (e.x < 0.0f || e.y < 0.0f || e.z < 0.0f) return NAN;
    float s = e.x / t->w0 + e.y / t->w1 + e.z / t->w2;
    return (e.x + e.y + e.z) / s;
}

// The pixels whose centres i + 0.5 lie in [low, high], clipped to 0..<size.
inline int2 pixel_range(float low, float high, int size) {
    float first = fmax(0.0f, fmin((float)size, ceil(low - 0.5f)));
    float end = fmax(0.0f, fmin((float)size, floor(high - 0.5f) + 1.0f));
    return (int2)((int)first, (int)end);
}

// bounds[f] = (x0, y0, x1, y1), or zeros for a culled triangle (bad index, non-finite,
// behind the near plane, zero area).
__kernel void triangle_bounds(__global int4* bounds, __global const float* screen, __global const int* tris,
                              const int triangles, const int vertices, const int width, const int height,
                              const float near) {
    int f = get_global_id(0);
    if (f >= triangles) return;
    int4 result = (int4)(0);
    ScreenTriangle t;
    if (load_triangle(&t, screen, tris, f, vertices)) {
        bool finite = isfinite(t.x0) && isfinite(t.y0) && isfinite(t.w0) && isfinite(t.x1) && isfinite(t.y1)
                      && isfinite(t.w1) && isfinite(t.x2) && isfinite(t.y2) && isfinite(t.w2);
        if (finite && t.w0 >= near && t.w1 >= near && t.w2 >= near && double_area(&t) != 0.0f) {
            int2 x = pixel_range(fmin(fmin(t.x0, t.x1), t.x2), fmax(fmax(t.x0, t.x1), t.x2), width);
            int2 y = pixel_range(fmin(fmin(t.y0, t.y1), t.y2), fmax(fmax(t.y0, t.y1), t.y2), height);
            if (x.x < x.y && y.x < y.y) result = (int4)(x.x, y.x, x.y, y.y);
        }
    }
    bounds[f] = result;
}

// One 16×16 work-group per screen tile: triangles whose bounds meet the tile are compacted into
// local memory 256 at a time, then each pixel keeps the least (depth, id).
__kernel __attribute__((reqd_work_group_size(RASTER_TILE, RASTER_TILE, 1)))
void rasterize(__global int* ids, __global const float* screen, __global const int* tris,
               __global const int4* bounds, const int triangles, const int vertices, const int width,
               const int height) {
    __local int list[RASTER_TILE * RASTER_TILE];
    __local int count;
    const int tid = get_local_id(1) * RASTER_TILE + get_local_id(0);
    const int tx0 = get_group_id(0) * RASTER_TILE, ty0 = get_group_id(1) * RASTER_TILE;
    const int x = tx0 + get_local_id(0), y = ty0 + get_local_id(1);
    float best = INFINITY;
    int bestId = -1;
    for (int base = 0; base < triangles; base += RASTER_TILE * RASTER_TILE) {
        if (tid == 0) count = 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        int f = base + tid;
        if (f < triangles) {
            int4 b = bounds[f];
            if (b.x < tx0 + RASTER_TILE && b.z > tx0 && b.y < ty0 + RASTER_TILE && b.w > ty0) list[atomic_inc(&count)] = f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int n = count;
        for (int k = 0; k < n; ++k) {
            int g = list[k];
            int4 b = bounds[g];
            if (x < b.x || x >= b.z || y < b.y || y >= b.w) continue;
            ScreenTriangle t;
            if (!load_triangle(&t, screen, tris, g, vertices)) continue;
            float depth = depth_at_pixel(&t, x, y);
            if (depth < best || (depth == best && g < bestId)) {
                best = depth;
                bestId = g;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (x < width && y < height) ids[y * width + x] = bestId;
}

// bary[p] = (u_k / Σu) with u_k = e_k / w_k at the centre of pixel p; zero without a triangle.
__kernel void barycentrics_fwd(__global float* bary, __global const float* screen, __global const int* tris,
                               __global const int* ids, const int triangles, const int vertices,
                               const int width, const int pixels) {
    int p = get_global_id(0);
    if (p >= pixels) return;
    int f = ids[p];
    float3 b = (float3)(0.0f);
    ScreenTriangle t;
    if (f >= 0 && f < triangles && load_triangle(&t, screen, tris, f, vertices)) {
        float3 e = edges_at(&t, (float)(p % width) + 0.5f, (float)(p / width) + 0.5f);
        float3 u = (float3)(e.x / t.w0, e.y / t.w1, e.z / t.w2);
        float s = u.x + u.y + u.z;
        b = (float3)(u.x / s, u.y / s, u.z / s);
    }
    bary[3 * p] = b.x; bary[3 * p + 1] = b.y; bary[3 * p + 2] = b.z;
}

// corners[3f + k] = d(x, y, depth) of corner k of triangle f, summed over its pixels in
// row-major order within its bounds (one work-item per triangle; no atomics).
__kernel void barycentrics_grad(__global float* corners, __global const float* screen, __global const int* tris,
                                __global const int* ids, __global const int4* bounds, __global const float* dbary,
                                const int triangles, const int vertices, const int width) {
    int f = get_global_id(0);
    if (f >= triangles) return;
    float acc[9] = { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f };
    ScreenTriangle t;
    int4 b = bounds[f];
    if (load_triangle(&t, screen, tris, f, vertices)) {
        for (int y = b.y; y < b.w; ++y)
            for (int x = b.x; x < b.z; ++x) {
                int p = y * width + x;
                if (ids[p] != f) continue;
                float px = (float)x + 0.5f, py = (float)y + 0.5f;
                float3 e = edges_at(&t, px, py);
                float u0 = e.x / t.w0, u1 = e.y / t.w1, u2 = e.z / t.w2;
                float s = u0 + u1 + u2;
                float db0 = dbary[3 * p], db1 = dbary[3 * p + 1], db2 = dbary[3 * p + 2];
                float dot = (db0 * u0 + db1 * u1 + db2 * u2) / s;
                float de0 = (db0 - dot) / s / t.w0, de1 = (db1 - dot) / s / t.w1, de2 = (db2 - dot) / s / t.w2;
                acc[0] += de2 * (t.y1 - py) - de1 * (t.y2 - py);
                acc[1] += de1 * (t.x2 - px) - de2 * (t.x1 - px);
                acc[2] += -de0 * u0;
                acc[3] += de0 * (t.y2 - py) - de2 * (t.y0 - py);
                acc[4] += de2 * (t.x0 - px) - de0 * (t.x2 - px);
                acc[5] += -de1 * u1;
                acc[6] += de1 * (t.y0 - py) - de0 * (t.y1 - py);
                acc[7] += de0 * (t.x1 - px) - de1 * (t.x0 - px);
                acc[8] += -de2 * u2;
            }
    }
    for (int k = 0; k < 9; ++k) corners[9 * f + k] = acc[k];
}
