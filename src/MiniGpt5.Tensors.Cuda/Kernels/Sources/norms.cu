// Row-wise normalisations: one block per row of `cols` contiguous elements (per group for group norm). Statistics
// are accumulated in float32 with two passes over the row (mean, then centred variance), as torch's CUDA kernels
// do for numerical safety. Weights and biases may be in another dtype than x (f16/bf16 checkpoints).
#include "common.cuh"

// y = x / sqrt(mean(x^2) + eps) * w   (LLaMA RMSNorm: the normalised value is cast to x's dtype before the weight
// multiply in HF; here everything stays float32 until the store.)
extern "C" __global__ void rms_norm(const void* x, int xType, const void* w, int wType, void* y, int yType, i64 cols, float eps) {
    __shared__ float scratch[32];
    i64 row = blockIdx.x;
    i64 base = row * cols;
    float sum = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = load_f(x, xType, base + c);
        sum += v * v;
    }
    float total = block_sum(sum, scratch);
    float inv = rsqrtf(total / (float)cols + eps);
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        store_f(y, yType, base + c, load_f(x, xType, base + c) * inv * load_f(w, wType, c));
    }
}

// w and b are optional (null); they have `cols` elements (the normalised shape, flattened).
extern "C" __global__ void layer_norm(const void* x, int xType, const void* w, int wType, const void* b, int bType, void* y, int yType, i64 cols, float eps) {
    __shared__ float scratch[32];
    i64 base = (i64)blockIdx.x * cols;
    float sum = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        sum += load_f(x, xType, base + c);
    }
    float mean = block_sum(sum, scratch) / (float)cols;
    float sq = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        float d = load_f(x, xType, base + c) - mean;
        sq += d * d;
    }
    float inv = rsqrtf(block_sum(sq, scratch) / (float)cols + eps);
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = (load_f(x, xType, base + c) - mean) * inv;
        if (w != 0) {
            v *= load_f(w, wType, c);
        }
        if (b != 0) {
            v += load_f(b, bType, c);
        }
        store_f(y, yType, base + c, v);
    }
}

// x [N, C, spatial...] contiguous; one block per (n, group); the group's channels are contiguous, `spatial`
// elements each. w and b are optional, per channel.
extern "C" __global__ void group_norm(const void* x, int xType, const void* w, int wType, const void* b, int bType, void* y, int yType,
                                      i64 channels, i64 spatial, int groups, float eps) {
    __shared__ float scratch[32];
    i64 n = blockIdx.x / groups;
    i64 g = blockIdx.x % groups;
    i64 perGroup = channels / groups;
    i64 count = perGroup * spatial;
    i64 base = (n * channels + g * perGroup) * spatial;
    float sum = 0.0f;
    for (i64 i = threadIdx.x; i < count; i += blockDim.x) {
        sum += load_f(x, xType, base + i);
    }
    float mean = block_sum(sum, scratch) / (float)count;
    float sq = 0.0f;
    for (i64 i = threadIdx.x; i < count; i += blockDim.x) {
        float d = load_f(x, xType, base + i) - mean;
        sq += d * d;
    }
    float inv = rsqrtf(block_sum(sq, scratch) / (float)count + eps);
    for (i64 i = threadIdx.x; i < count; i += blockDim.x) {
        i64 channel = g * perGroup + i / spatial;
        float v = (load_f(x, xType, base + i) - mean) * inv;
        if (w != 0) {
            v *= load_f(w, wType, channel);
        }
        if (b != 0) {
            v += load_f(b, bType, channel);
        }
        store_f(y, yType, base + i, v);
    }
}
