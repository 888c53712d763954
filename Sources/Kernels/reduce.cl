// Reductions (sum, max) over arbitrary axes: one work-group per output element, a fixed-order
// tree in local memory, so results are deterministic run to run; short reductions (at most 16
// elements) one work-item per output element, in order. When the outputs are too few to fill
// the device, each output's reduction is split over work-groups (the grid's second dimension) and
// reduce_axes_finish combines the splits' results in split order.

#define REDUCE_GROUP 64
#define REDUCE_SUM 0
#define REDUCE_MAX 1

// `outer` iterates the kept dimensions (operand 0 = output, operand 1 = input); `inner`
// iterates the reduced dimensions (operand 1 = input strides). Output = scale * reduce(x).
// Work-group (o, z) reduces inner indices [z·splitLength, (z + 1)·splitLength) of output o: with
// one split it stores the output, with more its unscaled result in splits[o][z].
__kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void reduce_axes(__global float* y, __global const float* x,
                 const Strided outer, const Strided inner, const int kind, const float scale,
                 __global float* splits, const int splitLength) {
    __local float partial[REDUCE_GROUP];
    int o = get_group_id(0), z = get_group_id(1), count = get_num_groups(1);
    int lid = get_local_id(0);
    int4 base = strided_offsets(&outer, o);
    int end = min(inner.count, (z + 1) * splitLength);
    float acc = kind == REDUCE_MAX ? -INFINITY : 0.0f;
    for (int r = z * splitLength + lid; r < end; r += REDUCE_GROUP) {
        float v = x[base.s1 + strided_offsets(&inner, r).s1];
        acc = kind == REDUCE_MAX ? fmax(acc, v) : acc + v;
    }
    partial[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = REDUCE_GROUP / 2; width > 0; width >>= 1) {
        if (lid < width) {
            float other = partial[lid + width];
            partial[lid] = kind == REDUCE_MAX ? fmax(partial[lid], other) : partial[lid] + other;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid != 0) return;
    if (count > 1)
        splits[o * count + z] = partial[0];
    else
        y[base.s0] = kind == REDUCE_MAX ? partial[0] : partial[0] * scale;
}

// Output o combines its `count` splits' results in order.
__kernel void reduce_axes_finish(__global float* y, __global const float* splits, const Strided outer,
                                 const int count, const int kind, const float scale) {
    int o = get_global_id(0);
    if (o >= outer.count) return;
    float acc = splits[o * count];
    for (int z = 1; z < count; ++z) acc = kind == REDUCE_MAX ? fmax(acc, splits[o * count + z]) : acc + splits[o * count + z];
    y[strided_offsets(&outer, o).s0] = kind == REDUCE_MAX ? acc : acc * scale;
}

// The same for short reductions: output element o sums its inner.count inputs in order.
__kernel void reduce_axes_short(__global float* y, __global const float* x,
                                const Strided outer, const Strided inner, const int kind, const float scale) {
    int o = get_global_id(0);
    if (o >= outer.count) return;
    int4 base = strided_offsets(&outer, o);
    float acc = kind == REDUCE_MAX ? -INFINITY : 0.0f;
    for (int r = 0; r < inner.count; ++r) {
        float v = x[base.s1 + strided_offsets(&inner, r).s1];
        acc = kind == REDUCE_MAX ? fmax(acc, v) : acc + v;
    }
    y[base.s0] = kind == REDUCE_MAX ? acc : acc * scale;
}

// L2NormalizeRows: per row of `width` (one work-item each), r = 1/sqrt(Σ x² + epsilon) summed in
// order; y = x·r.
__kernel void l2_normalize_rows(__global float* y, __global const float* x, const int rows, const int width,
                                const float epsilon) {
    int row = get_global_id(0);
    if (row >= rows) return;
    __global const float* xr = x + row * width;
    float sum = 0.0f;
    for (int i = 0; i < width; ++i) sum += xr[i] * xr[i];
    float r = 1.0f / sqrt(sum + epsilon);
    for (int i = 0; i < width; ++i) y[row * width + i] = xr[i] * r;
}

// Its gradient: dx = r·dy − r³·x·(x·dy) per row.
__kernel void l2_normalize_rows_grad(__global float* dx, __global const float* x, const int rows,
                                     const int width, __global const float* dy, const float epsilon) {
    int row = get_global_id(0);
    if (row >= rows) return;
    __global const float* xr = x + row * width;
    __global const float* dyr = dy + row * width;
    float sum = 0.0f, dot = 0.0f;
    for (int i = 0; i < width; ++i) {
        sum += xr[i] * xr[i];
        dot += xr[i] * dyr[i];
    }
    float r = 1.0f / sqrt(sum + epsilon);
    float along = r * r * r * dot;
    for (int i = 0; i < width; ++i) dx[row * width + i] = r * dyr[i] - along * xr[i];
}
