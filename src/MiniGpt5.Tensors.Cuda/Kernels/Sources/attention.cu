// Fused scaled-dot-product attention with an online (flash-style) softmax accumulated in float32, whatever the
// storage dtype: SD 2.x attention overflows in f16 otherwise. The score matrix is never materialised.
//
// Grid: x = query tiles of ATT_WARPS rows, y = batch * heads. Block: ATT_WARPS warps; each warp owns one query row,
// each lane holds head-dim elements lane, lane + 32, ... of q and of the output accumulator. The block stages
// ATT_TILE keys and values in shared memory (float32) at a time and every warp streams over them.
//
// q [B, H, Tq, D], k [B, Hkv, Tk, D], v [B, Hkv, Tk, Dv], out [B, H, Tq, Dv], all contiguous and of one dtype;
// H % Hkv == 0 (grouped-query attention when Hkv < H). The optional mask is bool (true = attend) or additive, read
// through broadcast strides over (b, h, query, key). causal: 0 none, 1 upper-left (torch is_causal),
// 2 lower-right (KV-cache decoding: the last query sees every key). Fully masked rows give NaN, as in PyTorch.
#include "common.cuh"

#define ATT_WARPS 4
#define ATT_TILE 32
#define ATT_MAX_D 128
#define ATT_PER_LANE (ATT_MAX_D / 32)

__device__ __forceinline__ int att_row_end(int row, int tq, int tk, int causal) {
    if (causal == 1) {
        return min(tk, row + 1);
    }
    if (causal == 2) {
        return max(0, min(tk, row + tk - tq + 1));
    }
    return tk;
}

extern "C" __global__ void flash_attention(const void* q, const void* k, const void* v, void* out, int type,
                                           const void* mask, int maskType,
                                           i64 maskStrideB, i64 maskStrideH, i64 maskStrideQ, i64 maskStrideK,
                                           int heads, int kvHeads, int tq, int tk, int d, int dv, float scale, int causal) {
    __shared__ float ks[ATT_TILE][ATT_MAX_D];
    __shared__ float vs[ATT_TILE][ATT_MAX_D];

    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int bh = blockIdx.y;
    int b = bh / heads;
    int h = bh % heads;
    int kvbh = b * kvHeads + h / (heads / kvHeads);
    int row = blockIdx.x * ATT_WARPS + warp;
    bool active = row < tq;

    float qr[ATT_PER_LANE];
    float acc[ATT_PER_LANE];
    i64 qBase = ((i64)bh * tq + row) * d;
    for (int r = 0; r < ATT_PER_LANE; ++r) {
        int c = lane + 32 * r;
        qr[r] = (active && c < d) ? load_f(q, type, qBase + c) : 0.0f;
        acc[r] = 0.0f;
    }

    float m = NEG_INF;
    float l = 0.0f;
    int rowEnd = active ? att_row_end(row, tq, tk, causal) : 0;
    int lastRow = min(tq - 1, (int)blockIdx.x * ATT_WARPS + ATT_WARPS - 1);
    int blockEnd = att_row_end(lastRow, tq, tk, causal);
    i64 kBase = (i64)kvbh * tk * d;
    i64 vBase = (i64)kvbh * tk * dv;
    i64 maskBase = (i64)b * maskStrideB + (i64)h * maskStrideH + (i64)row * maskStrideQ;

    for (int tile = 0; tile < blockEnd; tile += ATT_TILE) {
        for (int idx = threadIdx.x; idx < ATT_TILE * d; idx += blockDim.x) {
            int kr = idx / d;
            int kc = idx % d;
            int j = tile + kr;
            ks[kr][kc] = j < tk ? load_f(k, type, kBase + (i64)j * d + kc) : 0.0f;
        }
        for (int idx = threadIdx.x; idx < ATT_TILE * dv; idx += blockDim.x) {
            int kr = idx / dv;
            int kc = idx % dv;
            int j = tile + kr;
            vs[kr][kc] = j < tk ? load_f(v, type, vBase + (i64)j * dv + kc) : 0.0f;
        }
        __syncthreads();

        int tileEnd = min(ATT_TILE, rowEnd - tile);
        for (int kr = 0; kr < tileEnd; ++kr) {
            float dot = 0.0f;
            for (int r = 0; r < ATT_PER_LANE; ++r) {
                int c = lane + 32 * r;
                if (c < d) {
                    dot += qr[r] * ks[kr][c];
                }
            }
            float s = warp_sum(dot) * scale;
            if (maskType >= 0) {
                i64 mo = maskBase + (i64)(tile + kr) * maskStrideK;
                if (maskType == DT_BOOL) {
                    if (((const unsigned char*)mask)[mo] == 0) {
                        s = NEG_INF;
                    }
                } else {
                    s += load_f(mask, maskType, mo);
                }
            }
            if (s == NEG_INF) {
                continue;
            }
            float mNew = fmaxf(m, s);
            float correction = expf(m - mNew);
            float p = expf(s - mNew);
            l = l * correction + p;
            for (int r = 0; r < ATT_PER_LANE; ++r) {
                int c = lane + 32 * r;
                acc[r] = acc[r] * correction + (c < dv ? p * vs[kr][c] : 0.0f);
            }
            m = mNew;
        }
        __syncthreads();
    }

    if (active) {
        i64 oBase = ((i64)bh * tq + row) * dv;
        for (int r = 0; r < ATT_PER_LANE; ++r) {
            int c = lane + 32 * r;
            if (c < dv) {
                store_f(out, type, oBase + c, l > 0.0f ? acc[r] / l : QNAN);
            }
        }
    }
}
