// Camera: Rodrigues' axis-angle rotation and its gradient (see Render/Rodrigues.swift, which
// documents the formulas). One work-item each; the projection itself is composed of graph ops.
#pragma OPENCL FP_CONTRACT OFF

// theta², cos θ, A = sin θ/θ, B = (1 − cos θ)/θ², C = A′/θ, D = B′/θ (series below θ² = 0.01).
typedef struct { float t2, cosine, a, b, c, d; } RodriguesCoefficients;

inline RodriguesCoefficients rodrigues_coefficients(__global const float* r) {
    RodriguesCoefficients k;
    float t2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    k.t2 = t2;
    if (t2 < 0.01f) {
        k.a = 1.0f - t2 / 6.0f + t2 * t2 / 120.0f;
        k.b = 0.5f - t2 / 24.0f + t2 * t2 / 720.0f;
        k.c = -1.0f / 3.0f + t2 / 30.0f - t2 * t2 / 840.0f;
        k.d = -1.0f / 12.0f + t2 / 180.0f - t2 * t2 / 6720.0f;
        k.cosine = 1.0f - k.b * t2;
    } else {
        float theta = sqrt(t2), s = sin(theta), co = cos(theta);
        k.cosine = co;
        k.a = s / theta;
        k.b = (1.0f - co) / t2;
        k.c = (theta * co - s) / (t2 * theta);
        k.d = (theta * s - 2.0f * (1.0f - co)) / (t2 * t2);
    }
    return k;
}

// R [3, 3] = cos θ·I + A·[r]× + B·r·rᵀ.
__kernel void rodrigues_fwd(__global float* rot, __global const float* r) {
    RodriguesCoefficients k = rodrigues_coefficients(r);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) rot[3 * i + j] = k.b * r[i] * r[j] + (i == j ? k.cosine : 0.0f);
    rot[1] -= k.a * r[2]; rot[2] += k.a * r[1];
    rot[3] += k.a * r[2]; rot[5] -= k.a * r[0];
    rot[6] -= k.a * r[1]; rot[7] += k.a * r[0];
}

// dr [3] from r [3] and G = dR [3, 3].
__kernel void rodrigues_grad(__global float* dr, __global const float* r, __global const float* gm) {
    RodriguesCoefficients k = rodrigues_coefficients(r);
    float a[3] = { gm[7] - gm[5], gm[2] - gm[6], gm[3] - gm[1] };
    float trace = gm[0] + gm[4] + gm[8];
    float rGr = 0.0f;
    float sym[3] = { 0.0f, 0.0f, 0.0f };
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            rGr += r[i] * gm[3 * i + j] * r[j];
            sym[i] += (gm[3 * i + j] + gm[3 * j + i]) * r[j];
        }
    float ra = r[0] * a[0] + r[1] * a[1] + r[2] * a[2];
    float along = k.c * ra + k.d * (rGr - k.t2 * trace) - 2.0f * k.b * trace;
    for (int i = 0; i < 3; ++i) dr[i] = along * r[i] + k.a * a[i] + k.b * sym[i];
}
