using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Row-wise kernels: RMS/layer/group norm, softmax, rotary embedding. Inputs are contiguous (Supports checks).
public sealed unsafe partial class CudaBackend
{
    private void RmsNorm(Tensor x, Tensor w, Tensor y, NormAttributes attributes)
    {
        var cols = Columns(x, attributes.NormalizedRank);
        var rows = x.NumElements / cols;
        ulong xa = Address(x), wa = Address(w), ya = Address(y);
        int xt = (int)x.DType, wt = (int)w.DType, yt = (int)y.DType;
        var eps = (float)attributes.Eps;
        void** args = stackalloc void*[] { &xa, &xt, &wa, &wt, &ya, &yt, &cols, &eps };
        _kernels.Launch(_kernels.Function("norms", "rms_norm"), LaunchConfig.Rows(rows, cols), args, "rms_norm");
    }

    private void LayerNorm(Tensor x, Tensor? w, Tensor? b, Tensor y, NormAttributes attributes)
    {
        var cols = Columns(x, attributes.NormalizedRank);
        var rows = x.NumElements / cols;
        ulong xa = Address(x), wa = Address(w), ba = Address(b), ya = Address(y);
        int xt = (int)x.DType, wt = (int)(w?.DType ?? DType.Float32), bt = (int)(b?.DType ?? DType.Float32), yt = (int)y.DType;
        var eps = (float)attributes.Eps;
        void** args = stackalloc void*[] { &xa, &xt, &wa, &wt, &ba, &bt, &ya, &yt, &cols, &eps };
        _kernels.Launch(_kernels.Function("norms", "layer_norm"), LaunchConfig.Rows(rows, cols), args, "layer_norm");
    }

    private void GroupNorm(Tensor x, Tensor? w, Tensor? b, Tensor y, NormAttributes attributes)
    {
        // x [N, C, spatial...]: one block per (n, group) over C/G channels × spatial elements.
        long channels = x.Shape[1];
        var spatial = x.NumElements / x.Shape[0] / Math.Max(channels, 1);
        var groups = attributes.Groups;
        ulong xa = Address(x), wa = Address(w), ba = Address(b), ya = Address(y);
        int xt = (int)x.DType, wt = (int)(w?.DType ?? DType.Float32), bt = (int)(b?.DType ?? DType.Float32), yt = (int)y.DType;
        var eps = (float)attributes.Eps;
        void** args = stackalloc void*[] { &xa, &xt, &wa, &wt, &ba, &bt, &ya, &yt, &channels, &spatial, &groups, &eps };
        var config = LaunchConfig.Rows((long)x.Shape[0] * groups, channels / groups * spatial);
        _kernels.Launch(_kernels.Function("norms", "group_norm"), config, args, "group_norm");
    }

    private void Softmax(Tensor x, Tensor y, bool log)
    {
        long cols = x.Rank == 0 ? 1 : x.Shape[^1];
        var rows = x.NumElements / Math.Max(cols, 1);
        ulong xa = Address(x), ya = Address(y);
        int xt = (int)x.DType, yt = (int)y.DType, logFlag = log ? 1 : 0;
        void** args = stackalloc void*[] { &xa, &xt, &ya, &yt, &cols, &logFlag };
        _kernels.Launch(_kernels.Function("softmax", "softmax_rows"), LaunchConfig.Rows(rows, cols), args, "softmax_rows");
    }

    private void Rope(Tensor x, Tensor positions, Tensor y, RopeAttributes attributes)
    {
        // x, y [B, H, T, D]; positions [T] or [B, T].
        long batch = x.Shape[0], heads = x.Shape[1], seq = x.Shape[2];
        var dim = x.Shape[3];
        var perBatch = positions.Rank == 2 ? 1 : 0;
        var theta = (float)attributes.Base;
        ulong xa = Address(x), pa = Address(positions), ya = Address(y);
        int xt = (int)x.DType, pt = (int)positions.DType, yt = (int)y.DType;
        void** args = stackalloc void*[] { &xa, &xt, &pa, &pt, &ya, &yt, &batch, &heads, &seq, &dim, &perBatch, &theta };
        var pairs = batch * heads * seq * (dim / 2);
        _kernels.Launch(_kernels.Function("rope", "rope"), LaunchConfig.GridStride(pairs, _device.Multiprocessors), args, "rope");
    }

    private static long Columns(Tensor x, int normalizedRank)
    {
        long cols = 1;
        for (var d = x.Rank - Math.Max(normalizedRank, 1); d < x.Rank; d++)
        {
            cols *= x.Shape[d];
        }

        return cols;
    }
}
