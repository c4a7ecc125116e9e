using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        if (x.DType == DType.Float32 && output.DType == DType.Float32 && x.IsContiguous && output.IsContiguous && Vector512.IsHardwareAccelerated)
        {
            GroupNormInPlace((float*)x.DataPointer, (float*)output.DataPointer, n * p.Groups, p.Groups, perGroup, spatial, w, b, eps);
            return;
        }

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

    /// <summary>
    /// Float32 group norm straight on the tensors' memory: one pass for the statistics, one to write
    /// y = x·scale[c] + shift[c]. The statistics pass sums x - pivot and its square (pivot = the group's first
    /// element, so a large common offset does not cancel) in float32 vectors over chunks of 1024 elements and adds
    /// each chunk's totals in double, so the variance keeps ~1e-7 relative accuracy even for 10⁵-element groups.
    /// </summary>
    private static void GroupNormInPlace(float* x, float* y, int rows, int groups, int perGroup, int spatial, float[]? w, float[]? b, float eps)
    {
        var groupSize = (long)perGroup * spatial;
        CpuParallel.For(rows, groupSize * 3.0, rows, (start, end) =>
        {
            for (var row = start; row < end; row++)
            {
                var source = x + (row * groupSize);
                var target = y + (row * groupSize);
                var pivot = source[0];
                var (sum, squares) = ShiftedMoments(source, groupSize, pivot);
                var shiftedMean = sum / groupSize;
                var variance = Math.Max((squares / groupSize) - (shiftedMean * shiftedMean), 0);
                var mean = (float)(pivot + shiftedMean);
                var rstd = 1f / MathF.Sqrt((float)variance + eps);
                var firstChannel = (int)(row % groups) * perGroup;
                for (var ch = 0; ch < perGroup; ch++)
                {
                    var scale = rstd * (w?[firstChannel + ch] ?? 1f);
                    var shift = (b?[firstChannel + ch] ?? 0f) - (mean * scale);
                    ScaleShift(source + ((long)ch * spatial), target + ((long)ch * spatial), spatial, scale, shift);
                }
            }
        });
    }

    /// <summary>(Σ (x - pivot), Σ (x - pivot)²) over <paramref name="count"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, double Squares) ShiftedMoments(float* values, long count, float pivot)
    {
        const int ChunkLength = 1024;
        double sum = 0, squares = 0;
        var offset = Vector512.Create(pivot);
        long i = 0;
        while (i + 64 <= count)
        {
            var chunkEnd = Math.Min(count, i + ChunkLength) & ~63L;
            Vector512<float> s0 = default, s1 = default, q0 = default, q1 = default;
            for (; i < chunkEnd; i += 64)
            {
                var d0 = Vector512.Load(values + i) - offset;
                var d1 = Vector512.Load(values + i + 16) - offset;
                var d2 = Vector512.Load(values + i + 32) - offset;
                var d3 = Vector512.Load(values + i + 48) - offset;
                s0 += d0 + d1;
                s1 += d2 + d3;
                q0 = Vector512.FusedMultiplyAdd(d0, d0, Vector512.FusedMultiplyAdd(d1, d1, q0));
                q1 = Vector512.FusedMultiplyAdd(d2, d2, Vector512.FusedMultiplyAdd(d3, d3, q1));
            }

            sum += Vector512.Sum(s0 + s1);
            squares += Vector512.Sum(q0 + q1);
        }

        for (; i < count; i++)
        {
            double d = values[i] - pivot;
            sum += d;
            squares += d * d;
        }

        return (sum, squares);
    }

    /// <summary>target[i] = source[i]·scale + shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleShift(float* source, float* target, int count, float scale, float shift)
    {
        var a = Vector512.Create(scale);
        var b = Vector512.Create(shift);
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            Vector512.FusedMultiplyAdd(Vector512.Load(source + i), a, b).Store(target + i);
        }

        for (; i < count; i++)
        {
            target[i] = (source[i] * scale) + shift;
        }
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
