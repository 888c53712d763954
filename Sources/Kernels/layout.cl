// Index-driven data movement: gather rows by an Int32 index and its deterministic backward.

// y[m, c] = x[index[m], c] for m < rows, c < width; an index outside [0, sourceRows) gives 0.
__kernel void gather_rows(__global float* y, __global const float* x, __global const int* index,
                          const int rows, const int width, const int sourceRows) {
    int i = get_global_id(0);
    if (i >= rows * width) return;
    int m = i / width, c = i % width;
    int r = index[m];
    y[i] = (r >= 0 && r < sourceRows) ? x[r * width + c] : 0.0f;
}

// dx[r, c] = sum over m with index[m] == r of dy[m, c], summed in index order (no atomics,
// deterministic): one work-item per element of dx.
__kernel void gather_rows_grad(__global float* dx, __global const float* dy,
                               __global const int* index,
                               const int rows, const int width, const int sourceRows) {
    int i = get_global_id(0);
    if (i >= sourceRows * width) return;
    int r = i / width, c = i % width;
    float acc = 0.0f;
    for (int m = 0; m < rows; ++m)
        if (index[m] == r) acc += dy[m * width + c];
    dx[i] = acc;
}
