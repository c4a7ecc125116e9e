using System.Numerics.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Reductions over the trailing dims of a contiguous float tensor (the common case: a row at a time) with
/// SIMD; any other case goes to the reference kernels.</summary>
internal static unsafe class ReductionKernels
{
    public static bool TryReduce(OpKind kind, Tensor x, Tensor output, ReduceAttributes p)
    {
        if (!x.IsContiguous || !output.IsContiguous || x.DType is not (DType.Float32 or DType.Float16 or DType.BFloat16) || x.NumElements == 0)
        {
            return false;
        }

        // The reduced dims must be exactly the trailing ones.
        for (var i = 0; i < p.Dims.Length; i++)
        {
            if (p.Dims[i] != x.Rank - p.Dims.Length + i)
            {
                return false;
            }
        }

        var length = 1;
        foreach (var d in p.Dims)
        {
            length *= x.Shape[d];
        }

        var rows = x.NumElements / length;
        var source = (byte*)x.DataPointer;
        var size = x.DType.SizeOf();
        var results = new float[rows];
        var indices = kind is OpKind.Argmax or OpKind.Argmin ? new long[rows] : null;
        CpuParallel.For(rows, length, (start, end) =>
        {
            var row = Scratch.Row(1, length);
            for (var r = start; r < end; r++)
            {
                DTypeConvert.Load(source + (r * length * size), x.DType, 1, row);
                switch (kind)
                {
                    case OpKind.Sum:
                        results[r] = TensorPrimitives.Sum(row);
                        break;
                    case OpKind.Mean:
                        results[r] = TensorPrimitives.Sum(row) / length;
                        break;
                    case OpKind.Amax:
                        results[r] = TensorPrimitives.Max(row);
                        break;
                    case OpKind.Amin:
                        results[r] = TensorPrimitives.Min(row);
                        break;
                    case OpKind.Argmax:
                        indices![r] = TensorPrimitives.IndexOfMax(row);
                        break;
                    case OpKind.Argmin:
                        indices![r] = TensorPrimitives.IndexOfMin(row);
                        break;
                    case OpKind.Var:
                        var mean = TensorPrimitives.Sum(row) / length;
                        TensorPrimitives.Subtract(row, mean, row);
                        results[r] = TensorPrimitives.SumOfSquares(row) / Math.Max(length - p.Correction, 0);
                        break;
                    default:
                        throw new NotSupportedException($"{kind} is not a reduction.");
                }
            }
        });

        if (indices is not null)
        {
            indices.CopyTo(new Span<long>((void*)output.DataPointer, indices.Length));
        }
        else
        {
            DTypeConvert.Store(results, (byte*)output.DataPointer, output.DType, 1);
        }

        return true;
    }
}
