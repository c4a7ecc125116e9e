// Rotary position embedding, Hugging Face rotate-half layout: for i < D/2,
//   y[i]       = x[i] * cos(p * f_i) - x[i + D/2] * sin(p * f_i)
//   y[i + D/2] = x[i + D/2] * cos(p * f_i) + x[i] * sin(p * f_i),   f_i = 1 / theta^(2i / D).
// The angle is formed in float32 exactly as RotaryTable.cs (and HF's float32 inv_freq) does, and cos/sin are taken
// in double precision of that float angle, so long positions agree with the CPU backend.
// x and y: [B, H, T, D] contiguous; positions: [T] (positionsPerBatch = 0) or [B, T] (= 1), int32 or int64.
#include "common.cuh"

extern "C" __global__ void rope(const void* x, int xType, const void* positions, int posType, void* y, int yType,
                                i64 batch, i64 heads, i64 seq, int dim, int positionsPerBatch, float theta) {
    int half = dim / 2;
    i64 pairs = batch * heads * seq * half;
    for (i64 p = (i64)blockIdx.x * blockDim.x + threadIdx.x; p < pairs; p += (i64)gridDim.x * blockDim.x) {
        int i = (int)(p % half);
        i64 row = p / half;               // (b, h, t) flattened
        i64 t = row % seq;
        i64 b = row / (heads * seq);
        i64 posIndex = positionsPerBatch ? b * seq + t : t;
        i64 position = posType == DT_I64 ? ((const i64*)positions)[posIndex] : (i64)((const int*)positions)[posIndex];
        float exponent = (float)(2 * i) / (float)dim;
        float power = (float)pow((double)theta, (double)exponent);
        float angle = (float)position * (1.0f / power);
        float c = (float)cos((double)angle);
        float s = (float)sin((double)angle);
        i64 base = row * dim;
        float x1 = load_f(x, xType, base + i);
        float x2 = load_f(x, xType, base + i + half);
        store_f(y, yType, base + i, x1 * c - x2 * s);
        store_f(y, yType, base + i + half, x2 * c + x1 * s);
    }
}
