// Mesh connectivity: per-vertex sums of per-corner rows (the adjoint of gathering vertex rows
// to corners), one work-item per output element, corners summed in ascending order (no atomics).

// y[v, c] = Σ_k x[adjacency[v, k], c] over the valid corners of vertex v (−1 pads).
__kernel void corner_sum(__global float* y, __global const float* x, __global const int* adjacency,
                         const int vertices, const int valence, const int width, const int rows) {
    int i = get_global_id(0);
    if (i >= vertices * width) return;
    int v = i / width, c = i % width;
    float acc = 0.0f;
    for (int k = 0; k < valence; ++k) {
        int corner = adjacency[v * valence + k];
        if (corner >= 0 && corner < rows) acc += x[corner * width + c];
    }
    y[i] = acc;
}

// TriangleNormals: one work-item per triangle f of corner rows x [3F, 3]; n = (v1 − v0) × (v2 − v0)
// written to its three corners.
inline float3 corner_row(__global const float* x, int row) {
    return (float3)(x[3 * row], x[3 * row + 1], x[3 * row + 2]);
}

inline void store_corner_row(__global float* y, int row, float3 v) {
    y[3 * row] = v.x;
    y[3 * row + 1] = v.y;
    y[3 * row + 2] = v.z;
}

// a × b, each component a difference of two products in the CPU reference's order.
inline float3 cross_ordered(float3 a, float3 b) {
    return (float3)(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}

__kernel void triangle_normals(__global float* y, __global const float* x, const int triangles) {
    int f = get_global_id(0);
    if (f >= triangles) return;
    float3 v0 = corner_row(x, 3 * f);
    float3 n = cross_ordered(corner_row(x, 3 * f + 1) - v0, corner_row(x, 3 * f + 2) - v0);
    for (int k = 0; k < 3; ++k) store_corner_row(y, 3 * f + k, n);
}

// Its gradient: g = Σ of the three corners' dy, dv1 = e2 × g, dv2 = g × e1, dv0 = −(dv1 + dv2).
__kernel void triangle_normals_grad(__global float* dx, __global const float* x, __global const float* dy,
                                    const int triangles) {
    int f = get_global_id(0);
    if (f >= triangles) return;
    float3 v0 = corner_row(x, 3 * f);
    float3 e1 = corner_row(x, 3 * f + 1) - v0, e2 = corner_row(x, 3 * f + 2) - v0;
    float3 g = corner_row(dy, 3 * f) + corner_row(dy, 3 * f + 1) + corner_row(dy, 3 * f + 2);
    float3 d1 = cross_ordered(e2, g), d2 = cross_ordered(g, e1);
    store_corner_row(dx, 3 * f, -(d1 + d2));
    store_corner_row(dx, 3 * f + 1, d1);
    store_corner_row(dx, 3 * f + 2, d2);
}
