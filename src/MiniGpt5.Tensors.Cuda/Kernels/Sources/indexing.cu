// Row gathers: embedding lookup (F.embedding). Out-of-range ids cannot throw on the device; they produce NaN rows
// (zero for integer tables) so the error is visible in the output instead of reading outside the table.
#include "common.cuh"

// ids [rows] (int32 or int64, contiguous); weight [vocab, dim] with row stride weightRowStride; out [rows, dim]
// contiguous.
extern "C" __global__ void embedding(const void* ids, int idsType, const void* weight, int weightType, i64 weightRowStride,
                                     void* out, int outType, i64 rows, i64 dim, i64 vocab) {
    i64 total = rows * dim;
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (i64)gridDim.x * blockDim.x) {
        i64 r = i / dim;
        i64 c = i % dim;
        i64 id = idsType == DT_I64 ? ((const i64*)ids)[r] : (i64)((const int*)ids)[r];
        if (id < 0 || id >= vocab) {
            store_f(out, outType, i, QNAN);
        } else if (weightType == outType) {
            i64 from = id * weightRowStride + c;
            switch (size_of(outType)) {
                case 8: ((i64*)out)[i] = ((const i64*)weight)[from]; break;
                case 4: ((unsigned int*)out)[i] = ((const unsigned int*)weight)[from]; break;
                case 2: ((u16*)out)[i] = ((const u16*)weight)[from]; break;
                default: ((unsigned char*)out)[i] = ((const unsigned char*)weight)[from]; break;
            }
        } else {
            store_f(out, outType, i, load_f(weight, weightType, id * weightRowStride + c));
        }
    }
}
