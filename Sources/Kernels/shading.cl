// Spherical harmonics of unit normals (SphericalHarmonicsBasis): one work-item per row, the
// basis' constants passed by the host (b0, b1 bands 0 and 1, m the mixed terms, zs·z² + zo the
// zonal one, s the sectoral one).

// y[p, 0…8] from n[p, 0…2].
__kernel void sh_basis(__global float* y, __global const float* n, const int rows, const float b0,
                       const float b1, const float m, const float zs, const float zo, const float s) {
    int p = get_global_id(0);
    if (p >= rows) return;
    float x = n[3 * p], yy = n[3 * p + 1], z = n[3 * p + 2];
    __global float* row = y + 9 * p;
    row[0] = b0;
    row[1] = yy * b1;
    row[2] = z * b1;
    row[3] = x * b1;
    row[4] = x * yy * m;
    row[5] = yy * z * m;
    row[6] = z * z * zs + zo;
    row[7] = x * z * m;
    row[8] = (x * x - yy * yy) * s;
}

// dn[p, 0…2] from n and dY[p, 0…8].
__kernel void sh_basis_grad(__global float* dn, __global const float* n, __global const float* dY,
                            const int rows, const float b0, const float b1, const float m, const float zs,
                            const float zo, const float s) {
    int p = get_global_id(0);
    if (p >= rows) return;
    float x = n[3 * p], y = n[3 * p + 1], z = n[3 * p + 2];
    __global const float* d = dY + 9 * p;
    dn[3 * p] = b1 * d[3] + m * (y * d[4] + z * d[7]) + 2.0f * s * x * d[8];
    dn[3 * p + 1] = b1 * d[1] + m * (x * d[4] + z * d[5]) - 2.0f * s * y * d[8];
    dn[3 * p + 2] = b1 * d[2] + m * (y * d[5] + x * d[7]) + 2.0f * zs * z * d[6];
}
