// Adam, in place on the device: param, first and second moments updated together.

// lrCorrected = lr * sqrt(1 - beta2^t) / (1 - beta1^t), computed on the host per step.
__kernel void adam_step(__global float* param, __global const float* grad,
                        __global float* m, __global float* v, const int n,
                        const float lrCorrected, const float beta1, const float beta2,
                        const float epsilon) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= lrCorrected * mi / (sqrt(vi) + epsilon);
}
