using System.Numerics.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Row-wise normalisation and softmax: each row is read as float32, reduced with SIMD (two passes for the
/// variance, so large means do not cancel), and written once in the output dtype. Rows run in parallel.</summary>
internal static unsafe class NormKernels
{
    public static void LayerNorm(Tensor x, Tensor? weight, Tensor? bias, Tensor output, NormAttributes p)
    {
        var d = 1;
        for (var i = x.Rank - p.NormalizedRank; i < x.Rank; i++)
        {
            d *= x.Shape[i];
        }

        var w = LoadVector(weight, d);
        var b = LoadVector(bias, d);
        var eps = (float)p.Eps;
        Rows(x, output, d, (_, row, result) =>
        {
            var mean = TensorPrimitives.Sum(row) / d;
            TensorPrimitives.Subtract(row, mean, result);
            var variance = TensorPrimitives.SumOfSquares(result) / d;
            TensorPrimitives.Multiply(result, 1f / MathF.Sqrt(variance + eps), result);
            if (w is not null)
            {
                TensorPrimitives.Multiply(result, w, result);
            }

            if (b is not null)
            {
                TensorPrimitives.Add(result, b, result);
            }
        });
    }

    /// <summary>Per (sample, group): mean and variance over the group's channels and pixels, then per channel
    /// y = x·scale + shift with scale = rstd·w[c] and shift = b[c] - mean·scale (PyTorch's CPU formulation).</summary>
    public static void GroupNorm(Tensor x, Tensor? weight, Tensor? bias, Tensor output, NormAttributes p)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var spatial = (int)(x.NumElements / Math.Max((long)n * c, 1));
        var perGroup = c / p.Groups;
        var groupSize = perGroup * spatial;
        var w = LoadVector(weight, c);
        var b = LoadVector(bias, c);
        var eps = (float)p.Eps;
        Rows(x, output, groupSize, (group, row, result) =>
        {
            var mean = TensorPrimitives.Sum(row) / groupSize;
            TensorPrimitives.Subtract(row, mean, result);
            var rstd = 1f / MathF.Sqrt((TensorPrimitives.SumOfSquares(result) / groupSize) + eps);
            var firstChannel = (int)(group % p.Groups) * perGroup;
            for (var ch = 0; ch < perGroup; ch++)
            {
                var scale = rstd * (w?[firstChannel + ch] ?? 1f);
                var shift = (b?[firstChannel + ch] ?? 0f) - (mean * scale);
                var source = row.Slice(ch * spatial, spatial);
                var target = result.Slice(ch * spatial, spatial);
                TensorPrimitives.Multiply(source, scale, target);
                TensorPrimitives.Add(target, shift, target);
            }
        });
    }

    /// <summary>HF LlamaRMSNorm: h = x·rsqrt(mean(x²)+eps) in float32, rounded to x's dtype, times the weight.</summary>
    public static void RmsNorm(Tensor x, Tensor weight, Tensor output, NormAttributes p)
    {
        var d = x.Shape[^1];
        var w = LoadVector(weight, d)!;
        var eps = (float)p.Eps;
        var inputType = x.DType;
        Rows(x, output, d, (_, row, result) =>
        {
            var rstd = 1f / MathF.Sqrt((TensorPrimitives.SumOfSquares(row) / d) + eps);
            TensorPrimitives.Multiply(row, rstd, result);
            RoundTo(inputType, result);
            TensorPrimitives.Multiply(result, w, result);
        });
    }

    public static void Softmax(Tensor x, Tensor output, int dim, bool log)
    {
        if (dim != x.Rank - 1)
        {
            // Move the dim last (a strided view), compute rows there, and write back through the same permutation.
            using var source = Transposed(x, dim);
            using var target = Transposed(output, dim);
            Softmax(source, target, x.Rank - 1, log);
            return;
        }

        var d = x.Shape[^1];
        Rows(x, output, d, (_, row, result) =>
        {
            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, result);
            if (log)
            {
                var scratch = Scratch.Row(3, d);
                ActivationMath.Exp(result, scratch);
                TensorPrimitives.Subtract(result, MathF.Log(TensorPrimitives.Sum(scratch)), result);
            }
            else
            {
                ActivationMath.Exp(result, result);
                TensorPrimitives.Divide(result, TensorPrimitives.Sum(result), result);
            }
        });
    }

    /// <summary>Rounds float values to what <paramref name="dtype"/> can hold (no-op for float32).</summary>
    public static void RoundTo(DType dtype, Span<float> values)
    {
        switch (dtype)
        {
            case DType.BFloat16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BFloat16.BitsToSingle(BFloat16.RoundToBits(values[i]));
                }

                break;
            case DType.Float16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(Half)values[i];
                }

                break;
        }
    }

    private static Tensor Transposed(Tensor tensor, int dim)
    {
        var shape = tensor.ShapeArray();
        var strides = tensor.Strides.ToArray();
        (shape[dim], shape[^1]) = (shape[^1], shape[dim]);
        (strides[dim], strides[^1]) = (strides[^1], strides[dim]);
        return tensor.WithLayout(shape, strides, tensor.Offset).DetachFromScope();
    }

    private static float[]? LoadVector(Tensor? tensor, int length)
    {
        if (tensor is null)
        {
            return null;
        }

        var values = new float[length];
        if (tensor.IsContiguous)
        {
            DTypeConvert.Load((byte*)tensor.DataPointer, tensor.DType, 1, values);
        }
        else
        {
            using var copy = CpuTensors.ContiguousCopy(tensor);
            DTypeConvert.Load((byte*)copy.DataPointer, copy.DType, 1, values);
        }

        return values;
    }

    private delegate void RowAction(long index, ReadOnlySpan<float> row, Span<float> result);

    /// <summary>Applies the action to every row of <paramref name="length"/> elements (rows are the trailing elements
    /// of each index; the input is made contiguous first if needed), writing the result row into the output.</summary>
    private static void Rows(Tensor x, Tensor output, int length, RowAction action)
    {
        using var copy = x.IsContiguous ? null : CpuTensors.ContiguousCopy(x);
        var source = copy ?? x;
        var rows = length == 0 ? 0 : source.NumElements / length;
        var outputRows = output.IsContiguous ? null : Tensor.Empty(output.Shape, output.DType, Device.Cpu).DetachFromScope();
        var target = outputRows ?? output;
        try
        {
            var sourceBase = (byte*)source.DataPointer;
            var targetBase = (byte*)target.DataPointer;
            var sourceSize = source.DType.SizeOf();
            var targetSize = target.DType.SizeOf();
            CpuParallel.For(rows, length * 6.0, (start, end) =>
            {
                var row = Scratch.Row(1, length);
                var result = Scratch.Row(2, length);
                for (var r = start; r < end; r++)
                {
                    DTypeConvert.Load(sourceBase + (r * length * sourceSize), source.DType, 1, row);
                    action(r, row, result);
                    DTypeConvert.Store(result, targetBase + (r * length * targetSize), target.DType, 1);
                }
            });

            if (outputRows is not null && !ElementwiseKernels.TryCopy(outputRows, output))
            {
                Reference.ReferenceElementwise.Copy(outputRows, output);
            }
        }
        finally
        {
            outputRows?.Dispose();
        }
    }
}
