// Bilinear texture sampling (Render/Texture.swift): forward, the uv gradient, and the texture
// gradient as a deterministic scatter of 64-bit fixed-point integers (integer addition does
// not depend on the order of the atomics), converted to float at the end.
#pragma OPENCL FP_CONTRACT OFF
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable

#define TEXTURE_CLAMP 0
#define TEXTURE_FIXED_ONE 4294967296.0f

// height, width, channels, samples, wrap mode.
typedef struct { int h, w, c, samples, wrap; } TextureParameters;

// The four texel indices and the fractions of one sample; false for a non-finite uv.
inline bool bilinear_tap(const TextureParameters* p, float u, float v, int4* texels, float2* f) {
    if (!isfinite(u) || !isfinite(v)) return false;
    float x = u * (float)p->w - 0.5f, y = v * (float)p->h - 0.5f;
    float x0 = floor(x), y0 = floor(y);
    *f = (float2)(x - x0, y - y0);
    int c0, c1, r0, r1;
    if (p->wrap == TEXTURE_CLAMP) {
        c0 = (int)fmin(fmax(x0, 0.0f), (float)(p->w - 1)); c1 = (int)fmin(fmax(x0 + 1.0f, 0.0f), (float)(p->w - 1));
        r0 = (int)fmin(fmax(y0, 0.0f), (float)(p->h - 1)); r1 = (int)fmin(fmax(y0 + 1.0f, 0.0f), (float)(p->h - 1));
    } else {
        c0 = (int)(x0 - floor(x0 / (float)p->w) * (float)p->w) % p->w;
        c1 = (int)((x0 + 1.0f) - floor((x0 + 1.0f) / (float)p->w) * (float)p->w) % p->w;
        r0 = (int)(y0 - floor(y0 / (float)p->h) * (float)p->h) % p->h;
        r1 = (int)((y0 + 1.0f) - floor((y0 + 1.0f) / (float)p->h) * (float)p->h) % p->h;
    }
    *texels = (int4)(r0 * p->w + c0, r0 * p->w + c1, r1 * p->w + c0, r1 * p->w + c1);
    return true;
}

// out[i, c] = bilinear blend of texture at uv[i].
__kernel void texture_fwd(__global float* out, __global const float* texture, __global const float* uv,
                          const TextureParameters p) {
    int i = get_global_id(0);
    if (i >= p.samples) return;
    int4 t;
    float2 f;
    bool valid = bilinear_tap(&p, uv[2 * i], uv[2 * i + 1], &t, &f);
    for (int c = 0; c < p.c; ++c) {
        out[i * p.c + c] = valid ? (1.0f - f.y) * ((1.0f - f.x) * texture[t.x * p.c + c] + f.x * texture[t.y * p.c + c])
                                   + f.y * ((1.0f - f.x) * texture[t.z * p.c + c] + f.x * texture[t.w * p.c + c])
                                 : 0.0f;
    }
}

// duv[i] = Σ_c dy[i, c]·(d blend/du, d blend/dv).
__kernel void texture_grad_uv(__global float* duv, __global const float* texture, __global const float* uv,
                              __global const float* dy, const TextureParameters p) {
    int i = get_global_id(0);
    if (i >= p.samples) return;
    int4 t;
    float2 f;
    float du = 0.0f, dv = 0.0f;
    if (bilinear_tap(&p, uv[2 * i], uv[2 * i + 1], &t, &f)) {
        for (int c = 0; c < p.c; ++c) {
            float t00 = texture[t.x * p.c + c], t01 = texture[t.y * p.c + c];
            float t10 = texture[t.z * p.c + c], t11 = texture[t.w * p.c + c];
            float g = dy[i * p.c + c];
            du += (float)p.w * ((1.0f - f.y) * (t01 - t00) + f.y * (t11 - t10)) * g;
            dv += (float)p.h * ((1.0f - f.x) * (t10 - t00) + f.x * (t11 - t01)) * g;
        }
    }
    duv[2 * i] = du;
    duv[2 * i + 1] = dv;
}

__kernel void texture_grad_clear(__global long* fixed, const int count) {
    int i = get_global_id(0);
    if (i < count) fixed[i] = 0;
}

// fixed[texel, c] += round(weight·dy[i, c]·2³²) for the four taps of sample i.
__kernel void texture_grad_texture(__global long* fixed, __global const float* texture, __global const float* uv,
                                   __global const float* dy, const TextureParameters p) {
    const int i = get_global_id(0);
    int4 t;
    float2 f;
    if (i >= p.samples || !bilinear_tap(&p, uv[2 * i], uv[2 * i + 1], &t, &f)) return;
    float4 weight = (float4)((1.0f - f.x) * (1.0f - f.y), f.x * (1.0f - f.y), (1.0f - f.x) * f.y, f.x * f.y);
    for (int c = 0; c < p.c; ++c) {
        float g = dy[i * p.c + c];
        atom_add(&fixed[t.x * p.c + c], (long)rint(weight.x * g * TEXTURE_FIXED_ONE));
        atom_add(&fixed[t.y * p.c + c], (long)rint(weight.y * g * TEXTURE_FIXED_ONE));
        atom_add(&fixed[t.z * p.c + c], (long)rint(weight.z * g * TEXTURE_FIXED_ONE));
        atom_add(&fixed[t.w * p.c + c], (long)rint(weight.w * g * TEXTURE_FIXED_ONE));
    }
}

__kernel void texture_grad_finish(__global float* grad, __global const long* fixed, const int count) {
    int i = get_global_id(0);
    if (i < count) grad[i] = (float)fixed[i] / TEXTURE_FIXED_ONE;
}
