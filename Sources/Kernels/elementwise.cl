// Elementwise map over a strided iteration space: unary, binary and ternary functions with
// broadcasting, their gradient functions, and plain strided copies (permute, slice, concat,
// broadcast). The MAP_* codes are generated from Engine's MapFunction and prepended as text.

inline float map_apply(int fn, float a, float b, float c, float p0, float p1) {
    switch (fn) {
    case MAP_COPY:          return a;
    case MAP_NEG:           return -a;
    case MAP_ABS:           return fabs(a);
    case MAP_EXP:           return exp(a);
    case MAP_LOG:           return log(a);
    case MAP_SQRT:          return sqrt(a);
    case MAP_RSQRT:         return 1.0f / sqrt(a);
    case MAP_SQUARE:        return a * a;
    case MAP_POW:           return pow(a, p0);
    case MAP_CLAMP:         return fmin(fmax(a, p0), p1);
    case MAP_RELU:          return a > 0.0f ? a : 0.0f;
    case MAP_LEAKY_RELU:    return a > 0.0f ? a : p0 * a;
    case MAP_TANH:          return tanh(a);
    case MAP_SIGMOID:       return 1.0f / (1.0f + exp(-a));
    case MAP_SCALE:         return a * p0 + p1;
    case MAP_ADD:           return a + b;
    case MAP_SUB:           return a - b;
    case MAP_MUL:           return a * b;
    case MAP_DIV:           return a / b;
    case MAP_PRELU:         return a > 0.0f ? a : b * a;
    case MAP_EQUAL:         return a == b ? 1.0f : 0.0f;
    case MAP_GREATER:       return a > b ? 1.0f : 0.0f;
    case MAP_SELECT:        return a > 0.0f ? b : c;
    // gradients: a = x, b = y (forward output) or the second operand, c = dy
    case MAP_ABS_GRAD:      return a > 0.0f ? c : (a < 0.0f ? -c : 0.0f);
    case MAP_SQRT_GRAD:     return c * 0.5f / b;
    case MAP_RSQRT_GRAD:    return c * -0.5f * b * b * b;
    case MAP_POW_GRAD:      return c * p0 * pow(a, p0 - 1.0f);
    case MAP_CLAMP_GRAD:    return (a >= p0 && a <= p1) ? c : 0.0f;
    case MAP_RELU_GRAD:     return a > 0.0f ? c : 0.0f;
    case MAP_LEAKY_GRAD:    return a > 0.0f ? c : p0 * c;
    case MAP_TANH_GRAD:     return c * (1.0f - b * b);
    case MAP_SIGMOID_GRAD:  return c * b * (1.0f - b);
    case MAP_PRELU_GRAD_X:  return a > 0.0f ? c : b * c;
    case MAP_PRELU_GRAD_A:  return a > 0.0f ? 0.0f : a * c;
    }
    return NAN;
}

// y[off0] = fn(a[off1], b[off2], c[off3]) over the iteration space; operands past `arity` are
// not read (the host passes `a` in their place).
__kernel void map_strided(__global float* y,
                          __global const float* a,
                          __global const float* b,
                          __global const float* c,
                          const Strided s, const int fn, const int arity,
                          const float p0, const float p1) {
    int i = get_global_id(0);
    if (i >= s.count) return;
    int4 off = strided_offsets(&s, i);
    float va = a[off.s1];
    float vb = arity >= 2 ? b[off.s2] : 0.0f;
    float vc = arity >= 3 ? c[off.s3] : 0.0f;
    y[off.s0] = map_apply(fn, va, vb, vc, p0, p1);
}

// Fused maps (FusedMap.swift): `count` steps, step k = map_apply(fn[k], slots slot[k][0..2], p0[k],
// p1[k]); slots 0–2 hold the leaves a, b, c at the element's offsets, slot 3 + k step k's value; the
// last step is the output. The host packs the struct (FusedMap.packedSteps).
#define FUSED_MAX_STEPS 8
typedef struct {
    int count;
    int fn[FUSED_MAX_STEPS];
    int slot[FUSED_MAX_STEPS][3];
    float p0[FUSED_MAX_STEPS];
    float p1[FUSED_MAX_STEPS];
} FusedSteps;

__kernel void map_fused(__global float* y,
                        __global const float* a,
                        __global const float* b,
                        __global const float* c,
                        const Strided s, const FusedSteps f) {
    int i = get_global_id(0);
    if (i >= s.count) return;
    int4 off = strided_offsets(&s, i);
    float v[3 + FUSED_MAX_STEPS];
    v[0] = a[off.s1];
    v[1] = b[off.s2];
    v[2] = c[off.s3];
    for (int k = 0; k < f.count; ++k) {
        v[3 + k] = map_apply(f.fn[k], v[f.slot[k][0]], v[f.slot[k][1]], v[f.slot[k][2]], f.p0[k], f.p1[k]);
    }
    y[off.s0] = v[2 + f.count];
}

// y[i] = value for i < n.
__kernel void fill(__global float* y, const int n, const float value) {
    int i = get_global_id(0);
    if (i < n) y[i] = value;
}
