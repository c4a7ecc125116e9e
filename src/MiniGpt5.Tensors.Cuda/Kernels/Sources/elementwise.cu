// Elementwise kernels over a folded broadcast layout (see ElementwiseLayout.cs): casts and copies, unary math and
// activations, binary ops with a tensor or a scalar operand, where and masked_fill. Operand 0 of the layout is the
// output. Every value is computed in float32 and stored in the output's dtype; a same-dtype copy moves raw bits, so
// int64 ids and f16/bf16 payloads survive exactly. The op codes mirror ElementwiseCodes.cs.
#include "common.cuh"

#define U_COPY 0
#define U_NEG 1
#define U_ABS 2
#define U_EXP 3
#define U_LOG 4
#define U_SQRT 5
#define U_RSQRT 6
#define U_SIN 7
#define U_COS 8
#define U_TANH 9
#define U_SIGMOID 10
#define U_RELU 11
#define U_GELU 12
#define U_GELU_TANH 13
#define U_QUICK_GELU 14
#define U_SILU 15
#define U_RECIPROCAL 16
#define U_LOGICAL_NOT 17
#define U_CLAMP 18
#define U_FILL 19
// 100 + a binary code: the op with a scalar operand.
#define U_SCALAR_BASE 100

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_EQ 7
#define B_NE 8
#define B_LT 9
#define B_LE 10
#define B_GT 11
#define B_GE 12
#define B_LOGICAL_AND 13
#define B_LOGICAL_OR 14

__device__ __forceinline__ float sigmoid_f(float x) {
    return 1.0f / (1.0f + expf(-x));
}

__device__ __forceinline__ float binary_f(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return powf(a, b);
        // torch.maximum/minimum propagate NaN; fmaxf/fminf would drop it.
        case B_MAXIMUM: return (a != a || b != b) ? QNAN : fmaxf(a, b);
        case B_MINIMUM: return (a != a || b != b) ? QNAN : fminf(a, b);
        case B_EQ: return a == b ? 1.0f : 0.0f;
        case B_NE: return a != b ? 1.0f : 0.0f;
        case B_LT: return a < b ? 1.0f : 0.0f;
        case B_LE: return a <= b ? 1.0f : 0.0f;
        case B_GT: return a > b ? 1.0f : 0.0f;
        case B_GE: return a >= b ? 1.0f : 0.0f;
        case B_LOGICAL_AND: return (a != 0.0f && b != 0.0f) ? 1.0f : 0.0f;
        case B_LOGICAL_OR: return (a != 0.0f || b != 0.0f) ? 1.0f : 0.0f;
        default: return QNAN;
    }
}

__device__ __forceinline__ float unary_f(int op, float x, float a, float b) {
    switch (op) {
        case U_COPY: return x;
        case U_NEG: return -x;
        case U_ABS: return fabsf(x);
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_RSQRT: return rsqrtf(x);
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return sigmoid_f(x);
        case U_RELU: return x > 0.0f ? x : (x != x ? x : 0.0f);
        case U_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case U_GELU_TANH: {
            float inner = 0.79788456080286536f * (x + 0.044715f * x * x * x);
            return 0.5f * x * (1.0f + tanhf(inner));
        }
        case U_QUICK_GELU: return x * sigmoid_f(1.702f * x);
        case U_SILU: return x * sigmoid_f(x);
        case U_RECIPROCAL: return 1.0f / x;
        case U_LOGICAL_NOT: return x == 0.0f ? 1.0f : 0.0f;
        // a = min (or -inf), b = max (or +inf); NaN passes through as in torch.clamp.
        case U_CLAMP: return x != x ? x : fminf(fmaxf(x, a), b);
        case U_FILL: return a;
        default:
            // Scalar operand: b != 0 means "scalar op tensor" (rsub, rdiv).
            return b != 0.0f ? binary_f(op - U_SCALAR_BASE, a, x) : binary_f(op - U_SCALAR_BASE, x, a);
    }
}

__device__ __forceinline__ void copy_raw(void* y, i64 yo, const void* x, i64 xo, int type) {
    switch (size_of(type)) {
        case 8: ((i64*)y)[yo] = ((const i64*)x)[xo]; break;
        case 4: ((unsigned int*)y)[yo] = ((const unsigned int*)x)[xo]; break;
        case 2: ((u16*)y)[yo] = ((const u16*)x)[xo]; break;
        default: ((unsigned char*)y)[yo] = ((const unsigned char*)x)[xo]; break;
    }
}

extern "C" __global__ void ew_unary(Layout l, i64 n, void* y, int yType, const void* x, int xType, int op, float a, float b) {
    i64 offsets[MAX_OPERANDS];
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        layout_offsets(l, i, 2, offsets);
        if (op == U_COPY && xType == yType) {
            copy_raw(y, offsets[0], x, offsets[1], yType);
        } else if (op == U_FILL) {
            store_f(y, yType, offsets[0], a);
        } else {
            store_f(y, yType, offsets[0], unary_f(op, load_f(x, xType, offsets[1]), a, b));
        }
    }
}

extern "C" __global__ void ew_binary(Layout l, i64 n, void* y, int yType, const void* a, int aType, const void* b, int bType, int op) {
    i64 offsets[MAX_OPERANDS];
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        layout_offsets(l, i, 3, offsets);
        float r = binary_f(op, load_f(a, aType, offsets[1]), load_f(b, bType, offsets[2]));
        store_f(y, yType, offsets[0], r);
    }
}

extern "C" __global__ void ew_where(Layout l, i64 n, void* y, int yType, const void* c, int cType, const void* a, int aType, const void* b, int bType) {
    i64 offsets[MAX_OPERANDS];
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        layout_offsets(l, i, 4, offsets);
        bool take = load_f(c, cType, offsets[1]) != 0.0f;
        store_f(y, yType, offsets[0], take ? load_f(a, aType, offsets[2]) : load_f(b, bType, offsets[3]));
    }
}

extern "C" __global__ void ew_masked_fill(Layout l, i64 n, void* y, int yType, const void* x, int xType, const void* mask, int maskType, float value) {
    i64 offsets[MAX_OPERANDS];
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        layout_offsets(l, i, 3, offsets);
        bool fill = load_f(mask, maskType, offsets[2]) != 0.0f;
        store_f(y, yType, offsets[0], fill ? value : load_f(x, xType, offsets[1]));
    }
}
