using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Reductions over trailing dimensions of a contiguous float input (reduce.cu): the reduced dims must be the last
// ones, so each output element reduces one contiguous row.
public sealed unsafe partial class CudaBackend
{
    /// <summary>The R_* code of reduce.cu for a reduction, or -1.</summary>
    internal static int ReduceCode(OpKind kind) => kind switch
    {
        OpKind.Sum => 0,
        OpKind.Mean => 1,
        OpKind.Amax => 2,
        OpKind.Amin => 3,
        OpKind.Argmax => 4,
        OpKind.Argmin => 5,
        OpKind.Var => 6,
        _ => -1,
    };

    private void Reduce(OpKind kind, Tensor x, Tensor y, ReduceAttributes attributes)
    {
        long cols = 1;
        foreach (var d in attributes.Dims)
        {
            cols *= x.Shape[d];
        }

        if (attributes.Dims.Length == 0)
        {
            cols = x.NumElements;
        }

        var rows = cols == 0 ? y.NumElements : x.NumElements / cols;
        ulong xa = Address(x), ya = Address(y);
        int xt = (int)x.DType, yt = (int)y.DType, op = ReduceCode(kind), correction = attributes.Correction;
        void** args = stackalloc void*[] { &xa, &xt, &ya, &yt, &cols, &op, &correction };
        _kernels.Launch(_kernels.Function("reduce", "reduce_rows"), LaunchConfig.Rows(rows, cols), args, "reduce_rows");
    }

    private static string? ReduceUnsupported(OpKind kind, Tensor x, Tensor y, ReduceAttributes attributes)
    {
        if (!IsFloat(x.DType))
        {
            return $"for {x.DType} input (float only; integer sums would pass through float32)";
        }

        if (!y.IsContiguous)
        {
            return $"into the non-contiguous output {y}";
        }

        var dims = attributes.Dims;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] != x.Rank - dims.Length + i)
            {
                return $"over dims [{string.Join(", ", dims)}] of {x} (only trailing dims; permute them to the end first)";
            }
        }

        if (x.NumElements == 0 && kind is not (OpKind.Sum or OpKind.Mean or OpKind.Var))
        {
            return "over an empty tensor";
        }

        return null;
    }
}
