// Shared helpers for every MiniGPT-5 CUDA kernel. Compiled by NVRTC without the CUDA headers: half and bfloat16
// are handled as raw 16-bit patterns and converted with PTX instructions or bit arithmetic, so no toolkit headers
// are needed at run time. Everything computes in float32.
#pragma once

// Element type codes: the byte values of MiniGpt5.Tensors.DType.
#define DT_F32 0
#define DT_F16 1
#define DT_BF16 2
#define DT_I32 3
#define DT_I64 4
#define DT_BOOL 5
#define DT_U8 7
#define DT_I8 8
#define DT_I16 9

// Most dimensions an elementwise layout keeps after folding (ElementwiseLayout.MaxDims on the C# side).
#define MAX_DIMS 6
// Most operands of an elementwise layout: output first, then up to three inputs.
#define MAX_OPERANDS 4

// No math headers under NVRTC: spell the special values as bit patterns.
#define NEG_INF __int_as_float(0xff800000)
#define QNAN __int_as_float(0x7fc00000)

typedef long long i64;
typedef unsigned short u16;

// Shapes and strides (in elements) of up to MAX_OPERANDS tensors sharing one iteration space, innermost last.
// Mirrors ElementwiseLayout.Native on the C# side byte for byte.
struct Layout {
    int rank;
    int pad;
    i64 size[MAX_DIMS];
    i64 stride[MAX_OPERANDS][MAX_DIMS];
};

__device__ __forceinline__ float f16_to_f32(u16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ u16 f32_to_f16(float f) {
    u16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}

__device__ __forceinline__ float bf16_to_f32(u16 h) {
    return __uint_as_float(((unsigned int)h) << 16);
}

// Round to nearest even, as torch does; NaN stays a quiet NaN.
__device__ __forceinline__ u16 f32_to_bf16(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (u16)0x7fc0;
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return (u16)(u >> 16);
}

__device__ __forceinline__ float load_f(const void* p, int type, i64 i) {
    switch (type) {
        case DT_F32: return ((const float*)p)[i];
        case DT_F16: return f16_to_f32(((const u16*)p)[i]);
        case DT_BF16: return bf16_to_f32(((const u16*)p)[i]);
        case DT_I32: return (float)((const int*)p)[i];
        case DT_I64: return (float)((const i64*)p)[i];
        case DT_BOOL: return ((const unsigned char*)p)[i] != 0 ? 1.0f : 0.0f;
        case DT_U8: return (float)((const unsigned char*)p)[i];
        case DT_I8: return (float)((const signed char*)p)[i];
        case DT_I16: return (float)((const short*)p)[i];
        default: return QNAN;
    }
}

__device__ __forceinline__ void store_f(void* p, int type, i64 i, float v) {
    switch (type) {
        case DT_F32: ((float*)p)[i] = v; break;
        case DT_F16: ((u16*)p)[i] = f32_to_f16(v); break;
        case DT_BF16: ((u16*)p)[i] = f32_to_bf16(v); break;
        case DT_I32: ((int*)p)[i] = (int)v; break;
        case DT_I64: ((i64*)p)[i] = (i64)v; break;
        case DT_BOOL: ((unsigned char*)p)[i] = v != 0.0f ? 1 : 0; break;
        case DT_U8: ((unsigned char*)p)[i] = (unsigned char)(int)v; break;
        case DT_I8: ((signed char*)p)[i] = (signed char)(int)v; break;
        case DT_I16: ((short*)p)[i] = (short)(int)v; break;
        default: break;
    }
}

__device__ __forceinline__ int size_of(int type) {
    switch (type) {
        case DT_F32: case DT_I32: return 4;
        case DT_F16: case DT_BF16: case DT_I16: return 2;
        case DT_I64: return 8;
        default: return 1;
    }
}

// Element offsets of the linear index `linear` for the first `operands` operands of the layout.
__device__ __forceinline__ void layout_offsets(const Layout& l, i64 linear, int operands, i64* offsets) {
    for (int o = 0; o < MAX_OPERANDS; ++o) {
        offsets[o] = 0;
    }
    for (int d = l.rank - 1; d >= 0; --d) {
        i64 size = l.size[d];
        i64 index = linear % size;
        linear /= size;
        for (int o = 0; o < operands; ++o) {
            offsets[o] += index * l.stride[o][d];
        }
    }
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(total);
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = lane < warps ? scratch[lane] : NEG_INF;
    return warp_max(total);
}
