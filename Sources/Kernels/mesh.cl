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
