// Softmax and log-softmax over the last, contiguous dimension: one block per row, max-subtracted, float32.
#include "common.cuh"

extern "C" __global__ void softmax_rows(const void* x, int xType, void* y, int yType, i64 cols, int logSoftmax) {
    __shared__ float scratch[32];
    i64 base = (i64)blockIdx.x * cols;
    float m = NEG_INF;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        m = fmaxf(m, load_f(x, xType, base + c));
    }
    m = block_max(m, scratch);
    float sum = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        sum += expf(load_f(x, xType, base + c) - m);
    }
    sum = block_sum(sum, scratch);
    float logSum = logf(sum);
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        float shifted = load_f(x, xType, base + c) - m;
        store_f(y, yType, base + c, logSoftmax ? shifted - logSum : expf(shifted) / sum);
    }
}
