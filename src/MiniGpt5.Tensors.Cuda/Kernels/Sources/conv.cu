// im2col for Conv2d as a GEMM: unfolds x [N, C, H, W] (any strides) into cols [N, C·kh·kw, Ho·Wo] in the GEMM's
// operand dtype, zero where the dilated, strided window falls in the padding. The convolution is then
// y[n] = W [O, C·kh·kw] · cols[n] on cuBLASLt.
#include "common.cuh"

extern "C" __global__ void im2col(const void* x, int xType, i64 sN, i64 sC, i64 sH, i64 sW,
                                  void* cols, int colsType, int images, int channels, int height, int width,
                                  int kh, int kw, int strideH, int strideW, int padH, int padW, int dilH, int dilW,
                                  int outH, int outW) {
    i64 total = (i64)images * channels * kh * kw * outH * outW;
    for (i64 idx = (i64)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += (i64)gridDim.x * blockDim.x) {
        i64 t = idx;
        int ox = (int)(t % outW); t /= outW;
        int oy = (int)(t % outH); t /= outH;
        int j = (int)(t % kw); t /= kw;
        int i = (int)(t % kh); t /= kh;
        int c = (int)(t % channels);
        i64 n = t / channels;
        int iy = oy * strideH - padH + i * dilH;
        int ix = ox * strideW - padW + j * dilW;
        float v = 0.0f;
        if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
            v = load_f(x, xType, n * sN + (i64)c * sC + (i64)iy * sH + (i64)ix * sW);
        }
        store_f(cols, colsType, idx, v);
    }
}
