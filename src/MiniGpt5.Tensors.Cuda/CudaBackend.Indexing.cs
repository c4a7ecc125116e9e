using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Layout ops. Cat and integer-factor nearest upsampling are strided copies (the elementwise copy kernel over a view
// of the output), so they need no kernels of their own; embedding gathers rows (indexing.cu).
public sealed unsafe partial class CudaBackend
{
    private void Cat(ReadOnlySpan<Tensor> inputs, Tensor y, int dim)
    {
        // Each input is copied into the slice [offset, offset + size) of y along dim: y's strides, shifted start.
        dim = dim < 0 ? dim + y.Rank : dim;
        long offset = 0;
        var elementSize = y.DType.SizeOf();
        foreach (var input in inputs)
        {
            if (input.NumElements > 0)
            {
                var shape = input.Shape;
                var target = new Operand(Address(y) + (ulong)(offset * y.Strides[dim] * elementSize), (int)y.DType, y.Strides.ToArray());
                Unary(ElementwiseCodes.Copy, Of(input, shape), target, shape, 0, 0);
            }

            offset += input.Shape[dim];
        }
    }

    private void InterpolateNearest(Tensor x, Tensor y)
    {
        // y [N, C, H·sh, W·sw] viewed as [N, C, H, sh, W, sw]; x read with stride 0 over sh and sw.
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int sh = y.Shape[2] / h, sw = y.Shape[3] / w;
        int[] shape = [n, c, h, sh, w, sw];
        long[] xStrides = [x.Strides[0], x.Strides[1], x.Strides[2], 0, x.Strides[3], 0];
        long[] yStrides = [y.Strides[0], y.Strides[1], y.Strides[2] * sh, y.Strides[2], y.Strides[3] * sw, y.Strides[3]];
        Unary(ElementwiseCodes.Copy, new Operand(Address(x), (int)x.DType, xStrides), new Operand(Address(y), (int)y.DType, yStrides), shape, 0, 0);
    }

    private void Embedding(Tensor ids, Tensor weight, Tensor y)
    {
        var rows = ids.NumElements;
        long dim = weight.Shape[1], vocab = weight.Shape[0], rowStride = weight.Strides[0];
        ulong ia = Address(ids), wa = Address(weight), ya = Address(y);
        int it = (int)ids.DType, wt = (int)weight.DType, yt = (int)y.DType;
        void** args = stackalloc void*[] { &ia, &it, &wa, &wt, &rowStride, &ya, &yt, &rows, &dim, &vocab };
        _kernels.Launch(_kernels.Function("indexing", "embedding"), LaunchConfig.GridStride(rows * dim, _device.Multiprocessors), args, "embedding");
    }

    private static string? InterpolateUnsupported(Tensor x, Tensor y, InterpolateAttributes attributes)
    {
        int h = x.Shape[2], w = x.Shape[3], ho = y.Shape[2], wo = y.Shape[3];
        if (ho % h != 0 || wo % w != 0)
        {
            return $"from {h}x{w} to {ho}x{wo} (only whole-number scale factors)";
        }

        if ((attributes.ScaleH is { } sh && sh != ho / h) || (attributes.ScaleW is { } sw && sw != wo / w))
        {
            return $"with scale factors {attributes.ScaleH}x{attributes.ScaleW} that differ from the output size ratio";
        }

        return x.DType == y.DType ? null : $"from {x.DType} to {y.DType}";
    }

    private static string? EmbeddingUnsupported(Tensor ids, Tensor weight, Tensor y)
    {
        if (ids.DType is not (DType.Int32 or DType.Int64) || !ids.IsContiguous)
        {
            return $"with ids {ids} (contiguous int32/int64 only)";
        }

        if (weight.Strides[1] != 1 || !y.IsContiguous)
        {
            return $"with weight {weight} and output {y} (row-major weight and contiguous output only)";
        }

        return weight.DType == y.DType || (IsSmall(weight.DType) && IsSmall(y.DType)) ? null : $"from a {weight.DType} table into {y.DType}";
    }

    private static string? CatUnsupported(ReadOnlySpan<Tensor> inputs, Tensor y)
    {
        foreach (var input in inputs)
        {
            var from = input.DType;
            var to = y.DType;
            if (!(from == to || IsFloat(from) || IsFloat(to) || (IsSmall(from) && IsSmall(to))))
            {
                return $"joining {from} into {to} (integer conversions would pass through float32)";
            }
        }

        return null;
    }
}
