// Analytic antialiasing of silhouette edges (Render/Antialias.swift, Render/Silhouette.swift):
// forward, colour gradient and vertex gradient, all gathers. Built after raster.cl, whose
// ScreenTriangle helpers it uses; every expression mirrors Render/Silhouette.swift.

// Where the segment between two neighbouring pixel centres leaves the front triangle.
typedef struct { int triangle, edge, inside, outside; float t, eIn, eOut; } Crossing;

// The scene the antialias kernels read.
typedef struct {
    __global const float* screen;
    __global const int* tris;
    __global const int* ids;
    __global const int4* bounds;
    __global const int* neighbours;
    int triangles, vertices, width, height;
} SilhouetteScene;

inline bool drawn_triangle(const SilhouetteScene* s, int p, ScreenTriangle* t) {
    int f = s->ids[p];
    return f >= 0 && f < s->triangles && load_triangle(t, s->screen, s->tris, f, s->vertices);
}

inline float drawn_depth(const SilhouetteScene* s, int p, bool drawn, const ScreenTriangle* t) {
    float d = drawn ? depth_at_pixel(t, p % s->width, p / s->width) : INFINITY;
    return isnan(d) ? INFINITY : d;
}

// Whether edge k of triangle f (double area `area`) has no drawn neighbour facing the same way.
inline bool is_silhouette(const SilhouetteScene* s, int f, int k, float area) {
    int n = s->neighbours[3 * f + k];
    ScreenTriangle other;
    if (n < 0 || n >= s->triangles || s->bounds[n].x >= s->bounds[n].z || !load_triangle(&other, s->screen, s->tris, n, s->vertices))
        return true;
    return !(double_area(&other) * area > 0.0f);
}

// The crossing between neighbouring pixels p and q (symmetric), or false.
inline bool silhouette_crossing(const SilhouetteScene* s, int p, int q, Crossing* c) {
    int a = min(p, q), b = max(p, q);
    if (s->ids[a] == s->ids[b]) return false;
    ScreenTriangle ta, tb;
    bool hasA = drawn_triangle(s, a, &ta), hasB = drawn_triangle(s, b, &tb);
    float da = drawn_depth(s, a, hasA, &ta), db = drawn_depth(s, b, hasB, &tb);
    bool aInFront = da < db || (da == db && s->ids[a] < s->ids[b]);
    if (aInFront ? !hasA : !hasB) return false;
    ScreenTriangle t = aInFront ? ta : tb;
    int inside = aInFront ? a : b, outside = aInFront ? b : a;
    float area = double_area(&t);
    float sign = area < 0.0f ? -1.0f : 1.0f;
    float3 ein = edges_at(&t, (float)(inside % s->width) + 0.5f, (float)(inside / s->width) + 0.5f);
    float3 eout = edges_at(&t, (float)(outside % s->width) + 0.5f, (float)(outside / s->width) + 0.5f);
    float ei[3] = { ein.x, ein.y, ein.z }, eo[3] = { eout.x, eout.y, eout.z };
    int edge = -1;
    for (int k = 0; k < 3; ++k) {
        if (!(sign * ei[k] >= 0.0f && sign * eo[k] < 0.0f)) continue;
        float position = ei[k] / (ei[k] - eo[k]);
        if (edge < 0 || position < c->t) {
            edge = k;
            c->t = position;
            c->eIn = ei[k];
            c->eOut = eo[k];
        }
    }
    if (edge < 0) return false;
    c->triangle = s->ids[inside];
    c->edge = edge;
    c->inside = inside;
    c->outside = outside;
    return is_silhouette(s, c->triangle, edge, area);
}

inline int crossing_receiver(const Crossing* c) { return c->t > 0.5f ? c->outside : c->inside; }
inline float crossing_weight(const Crossing* c) { return c->t > 0.5f ? c->t - 0.5f : 0.5f - c->t; }

// The neighbour of p in direction d (left, right, up, down), or −1 off the image.
inline int neighbour_pixel(const SilhouetteScene* s, int p, int d) {
    int x = p % s->width, y = p / s->width;
    if (d == 0) return x > 0 ? p - 1 : -1;
    if (d == 1) return x + 1 < s->width ? p + 1 : -1;
    if (d == 2) return y > 0 ? p - s->width : -1;
    return y + 1 < s->height ? p + s->width : -1;
}

#define SILHOUETTE_SCENE \
    SilhouetteScene s = { screen, tris, ids, bounds, neighbours, triangles, vertices, width, height }

// out[p] = x[p] + Σ_q w(p, q)·(x[q] − x[p]) over the pairs p receives; transposed (the colour
// gradient): out[p] = x[p]·(1 − Σ_q w(p, q)) + Σ_q w(q, p)·x[q].
__kernel void antialias_blend(__global float* out, __global const float* x, __global const float* screen,
                              __global const int* tris, __global const int* ids, __global const int4* bounds,
                              __global const int* neighbours, const int triangles, const int vertices,
                              const int width, const int height, const int channels, const int transposed) {
    int p = get_global_id(0);
    if (p >= width * height) return;
    SILHOUETTE_SCENE;
    for (int ch = 0; ch < channels; ++ch) out[p * channels + ch] = x[p * channels + ch];
    for (int d = 0; d < 4; ++d) {
        int q = neighbour_pixel(&s, p, d);
        Crossing c;
        if (q < 0 || !silhouette_crossing(&s, p, q, &c)) continue;
        float w = crossing_weight(&c);
        if (crossing_receiver(&c) == p) {
            for (int ch = 0; ch < channels; ++ch)
                out[p * channels + ch] += w * ((transposed ? 0.0f : x[q * channels + ch]) - x[p * channels + ch]);
        } else if (transposed) {
            for (int ch = 0; ch < channels; ++ch) out[p * channels + ch] += w * x[q * channels + ch];
        }
    }
}

// corners[3f + k] = d(x, y, 0) of corner k of triangle f from every pair whose front triangle
// is f, scanning f's bounds grown by one pixel in row-major order.
__kernel void antialias_screen_grad(__global float* corners, __global const float* colour, __global const float* dy,
                                    __global const float* screen, __global const int* tris, __global const int* ids,
                                    __global const int4* bounds, __global const int* neighbours, const int triangles,
                                    const int vertices, const int width, const int height, const int channels) {
    int f = get_global_id(0);
    if (f >= triangles) return;
    SILHOUETTE_SCENE;
    float acc[9] = { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f };
    int4 b = bounds[f];
    ScreenTriangle t;
    if (b.x < b.z && load_triangle(&t, screen, tris, f, vertices)) {
        float xs[3] = { t.x0, t.x1, t.x2 }, ys[3] = { t.y0, t.y1, t.y2 };
        for (int y = max(0, b.y - 1); y < min(height, b.w + 1); ++y)
            for (int x = max(0, b.x - 1); x < min(width, b.z + 1); ++x) {
                int p = y * width + x;
                for (int d = 0; d < 4; ++d) {
                    int q = neighbour_pixel(&s, p, d);
                    Crossing c;
                    if (q < 0 || !silhouette_crossing(&s, p, q, &c) || c.triangle != f || crossing_receiver(&c) != p) continue;
                    float g = 0.0f;
                    for (int ch = 0; ch < channels; ++ch)
                        g += dy[p * channels + ch] * (colour[q * channels + ch] - colour[p * channels + ch]);
                    float dt = c.t > 0.5f ? g : -g;
                    float denominator = (c.eIn - c.eOut) * (c.eIn - c.eOut);
                    float dIn = -dt * c.eOut / denominator, dOut = dt * c.eIn / denominator;
                    int ka = (c.edge + 1) % 3, kb = (c.edge + 2) % 3;
                    for (int side = 0; side < 2; ++side) {
                        int pixel = side == 0 ? c.inside : c.outside;
                        float de = side == 0 ? dIn : dOut;
                        float px = (float)(pixel % width) + 0.5f, py = (float)(pixel / width) + 0.5f;
                        acc[3 * ka] += de * (ys[kb] - py);
                        acc[3 * ka + 1] -= de * (xs[kb] - px);
                        acc[3 * kb] -= de * (ys[ka] - py);
                        acc[3 * kb + 1] += de * (xs[ka] - px);
                    }
                }
            }
    }
    for (int k = 0; k < 9; ++k) corners[9 * f + k] = acc[k];
}
