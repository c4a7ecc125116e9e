// Reductions over the trailing `cols` elements of each of `rows` contiguous rows: one block per row, float32
// accumulation. Codes mirror ReduceCodes in CudaBackend.Reductions.cs. amax/amin propagate NaN and argmax/argmin
// treat NaN as the extreme, and ties go to the first index, as torch does.
#include "common.cuh"

#define R_SUM 0
#define R_MEAN 1
#define R_AMAX 2
#define R_AMIN 3
#define R_ARGMAX 4
#define R_ARGMIN 5
#define R_VAR 6

// Whether (v, i) beats (best, bestIndex) for argmax (sign = 1) or argmin (sign = -1).
__device__ __forceinline__ bool arg_better(float v, i64 i, float best, i64 bestIndex, float sign) {
    bool vNan = v != v;
    bool bNan = best != best;
    if (vNan || bNan) {
        return vNan && (!bNan || i < bestIndex);
    }
    if (v * sign > best * sign) {
        return true;
    }
    return v == best && i < bestIndex;
}

__device__ __forceinline__ float extreme(float a, float b, int op) {
    if (a != a || b != b) {
        return QNAN;
    }
    return op == R_AMAX ? fmaxf(a, b) : fminf(a, b);
}

extern "C" __global__ void reduce_rows(const void* x, int xType, void* y, int yType, i64 cols, int op, int correction) {
    __shared__ float scratch[32];
    __shared__ float values[32];
    __shared__ i64 indices[32];
    i64 row = blockIdx.x;
    i64 base = row * cols;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;

    if (op == R_ARGMAX || op == R_ARGMIN) {
        float sign = op == R_ARGMAX ? 1.0f : -1.0f;
        float best = sign > 0 ? NEG_INF : -NEG_INF;
        i64 bestIndex = cols;
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
            float v = load_f(x, xType, base + c);
            if (bestIndex == cols || arg_better(v, c, best, bestIndex, sign)) {
                best = v;
                bestIndex = c;
            }
        }
        for (int offset = 16; offset > 0; offset >>= 1) {
            float v = __shfl_xor_sync(0xffffffffu, best, offset);
            i64 i = __shfl_xor_sync(0xffffffffu, bestIndex, offset);
            if (i < cols && (bestIndex == cols || arg_better(v, i, best, bestIndex, sign))) {
                best = v;
                bestIndex = i;
            }
        }
        if (lane == 0) {
            values[warp] = best;
            indices[warp] = bestIndex;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int w = 1; w < warps; ++w) {
                if (indices[w] < cols && (bestIndex == cols || arg_better(values[w], indices[w], best, bestIndex, sign))) {
                    best = values[w];
                    bestIndex = indices[w];
                }
            }
            ((i64*)y)[row] = bestIndex;
        }
        return;
    }

    if (op == R_AMAX || op == R_AMIN) {
        float acc = load_f(x, xType, base);
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
            acc = extreme(acc, load_f(x, xType, base + c), op);
        }
        for (int offset = 16; offset > 0; offset >>= 1) {
            acc = extreme(acc, __shfl_xor_sync(0xffffffffu, acc, offset), op);
        }
        if (lane == 0) {
            values[warp] = acc;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int w = 1; w < warps; ++w) {
                acc = extreme(acc, values[w], op);
            }
            store_f(y, yType, row, acc);
        }
        return;
    }

    float sum = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        sum += load_f(x, xType, base + c);
    }
    sum = block_sum(sum, scratch);
    if (op == R_SUM) {
        if (threadIdx.x == 0) {
            store_f(y, yType, row, sum);
        }
        return;
    }
    float mean = sum / (float)cols;
    if (op == R_MEAN) {
        if (threadIdx.x == 0) {
            store_f(y, yType, row, mean);
        }
        return;
    }
    float sq = 0.0f;
    for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
        float d = load_f(x, xType, base + c) - mean;
        sq += d * d;
    }
    sq = block_sum(sq, scratch);
    if (threadIdx.x == 0) {
        float denominator = (float)(cols - correction);
        store_f(y, yType, row, denominator > 0.0f ? sq / denominator : QNAN);
    }
}
