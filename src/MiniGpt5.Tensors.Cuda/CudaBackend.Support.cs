using MiniGpt5.Tensors.Cuda.Gemm;
using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Which ops, dtypes and layouts have a CUDA kernel. Every refusal says why, and Execute throws it as a
// CudaOpNotSupportedException, so a missing kernel is visible instead of silently slow.
public sealed partial class CudaBackend
{
    internal static string? Unsupported(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        foreach (var t in inputs)
        {
            if (t.DType == DType.Float64)
            {
                return $"for float64 tensors ({t})";
            }
        }

        var output = outputs[0];
        if (output.DType == DType.Float64)
        {
            return $"for float64 tensors ({output})";
        }

        switch (kind)
        {
            case OpKind.Fill:
                return null;
            case OpKind.Copy:
            {
                var from = inputs[0].DType;
                var to = output.DType;
                return from == to || IsFloat(from) || IsFloat(to) || to == DType.Bool || (IsSmall(from) && IsSmall(to))
                    ? null
                    : $"from {from} to {to} (integer conversions would pass through float32 and lose precision)";
            }

            case OpKind.Where:
            case OpKind.MaskedFill:
                return AllSmall(inputs, output) ? null : $"for {Dtypes(inputs, output)} (float, bool and 8/16-bit integer dtypes only)";
            case OpKind.Linear:
                return LinearUnsupported(inputs, output);
            case OpKind.Matmul:
                return MatmulUnsupported(inputs[0], inputs[1], output);
            case OpKind.RmsNorm or OpKind.LayerNorm or OpKind.GroupNorm:
                if (!IsFloat(inputs[0].DType) || !IsFloat(output.DType))
                {
                    return $"for {Dtypes(inputs, output)}";
                }

                if (kind == OpKind.GroupNorm && inputs[0].Rank < 2)
                {
                    return $"for input {inputs[0]} (group norm needs [N, C, ...])";
                }

                return output.IsContiguous ? null : $"into the non-contiguous output {output}";
            case OpKind.Softmax or OpKind.LogSoftmax:
            {
                var x = inputs[0];
                var dim = ((DimAttributes)attributes).Dim;
                dim = dim < 0 ? dim + x.Rank : dim;
                if (x.Rank > 0 && dim != x.Rank - 1)
                {
                    return $"along dim {dim} of {x} (only the last dimension)";
                }

                return !IsFloat(x.DType) || !IsFloat(output.DType) ? $"for {Dtypes(inputs, output)}"
                    : output.IsContiguous ? null : $"into the non-contiguous output {output}";
            }

            case OpKind.Rope:
                if (!IsFloat(inputs[0].DType) || inputs[1].DType is not (DType.Int32 or DType.Int64))
                {
                    return $"for {Dtypes(inputs, output)}";
                }

                return output.IsContiguous ? null : $"into the non-contiguous output {output}";
            case OpKind.ScaledDotProductAttention:
                return AttentionUnsupported(inputs, output, (AttentionAttributes)attributes);
            case OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Argmax or OpKind.Argmin or OpKind.Var:
                return ReduceUnsupported(kind, inputs[0], output, (ReduceAttributes)attributes);
            case OpKind.Conv2d:
                return ConvUnsupported(inputs, output, (Conv2dAttributes)attributes);
            case OpKind.Cat:
                return CatUnsupported(inputs, output);
            case OpKind.InterpolateNearest:
                return InterpolateUnsupported(inputs[0], output, (InterpolateAttributes)attributes);
            case OpKind.Embedding:
                return EmbeddingUnsupported(inputs[0], inputs[1], output);
        }

        if (ElementwiseCodes.Unary(kind) >= 0 || ElementwiseCodes.Binary(kind) >= 0)
        {
            return AllSmall(inputs, output) ? null : $"for {Dtypes(inputs, output)} (float, bool and 8/16-bit integer dtypes only; int32/int64 arithmetic would lose precision through float32)";
        }

        return "at all yet (no CUDA kernel)";
    }

    private static string? LinearUnsupported(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0];
        var w = inputs[1];
        if (!IsFloat(x.DType) || !IsFloat(w.DType) || !IsFloat(output.DType) || (inputs.Length > 2 && !IsFloat(inputs[2].DType)))
        {
            return $"for {Dtypes(inputs, output)}";
        }

        if (x.DType != w.DType && x.DType != DType.Float32)
        {
            return $"for input {x.DType} with weight {w.DType} (same dtype, or float32 input with a float16/bfloat16 weight)";
        }

        if (!output.IsContiguous)
        {
            return $"into the non-contiguous output {output}";
        }

        // Any activation layout is staged into rows (see Linear), so only the weight's layout can be refused.
        return GemmPlanner.Linear(x.Shape, ContiguousStrides(x.Shape), w.Shape, w.Strides, out var reason) is null ? reason : null;
    }

    private static string? MatmulUnsupported(Tensor a, Tensor b, Tensor output)
    {
        if (!IsFloat(a.DType) || !IsFloat(b.DType) || !IsFloat(output.DType))
        {
            return $"for {a.DType} · {b.DType}";
        }

        if (a.DType != b.DType && a.DType != DType.Float32)
        {
            return $"for {a.DType} · {b.DType} (same dtype, or a float32 left operand with a float16/bfloat16 right one)";
        }

        if (a.Rank < 2 || b.Rank < 2)
        {
            return $"for vector operands {a} · {b} (unsqueeze them to matrices)";
        }

        if (!output.IsContiguous)
        {
            return $"into the non-contiguous output {output}";
        }

        var plan = PlanMatmul(a, b, output, a.Strides.ToArray(), out var reason);
        return plan is null ? reason : null;
    }

    private static string? AttentionUnsupported(ReadOnlySpan<Tensor> inputs, Tensor output, AttentionAttributes attributes)
    {
        var q = inputs[0];
        var k = inputs[1];
        var v = inputs[2];
        if (!IsFloat(q.DType) || output.DType != q.DType)
        {
            return $"for {Dtypes(inputs, output)}";
        }

        if (q.Rank is not (3 or 4))
        {
            return $"for rank-{q.Rank} query {q} (only [B, H, T, D] or [BH, T, D])";
        }

        if (q.Shape[^1] > LaunchConfig.AttentionMaxHeadDim || v.Shape[^1] > LaunchConfig.AttentionMaxHeadDim)
        {
            return $"for head dim {q.Shape[^1]} / value dim {v.Shape[^1]} (at most {LaunchConfig.AttentionMaxHeadDim})";
        }

        if (!output.IsContiguous)
        {
            return $"into the non-contiguous output {output}";
        }

        for (var d = 0; d < q.Rank - 3; d++)
        {
            if (k.Shape[d] != q.Shape[d] || v.Shape[d] != q.Shape[d])
            {
                return $"with key/value batch broadcast ({q} vs {k}); expand them first";
            }
        }

        var heads = q.Shape[^3];
        if (k.Shape[^3] != heads && !(attributes.EnableGqa && heads % k.Shape[^3] == 0))
        {
            return $"with key/value heads {k.Shape[^3]} for query heads {heads}";
        }

        if (inputs.Length > 3 && inputs[3].DType != DType.Bool && !IsFloat(inputs[3].DType))
        {
            return $"with a {inputs[3].DType} mask";
        }

        return null;
    }

    private static bool IsFloat(DType t) => t is DType.Float32 or DType.Float16 or DType.BFloat16;

    private static bool IsSmall(DType t) => IsFloat(t) || t is DType.Bool or DType.UInt8 or DType.Int8 or DType.Int16;

    private static bool AllSmall(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        foreach (var t in inputs)
        {
            if (!IsSmall(t.DType))
            {
                return false;
            }
        }

        return IsSmall(output.DType);
    }

    /// <summary>
    /// Row-wise kernels (norms, softmax, RoPE, attention, reductions) read their inputs as dense rows. Strided inputs
    /// (the heads view [B, T, H, D] → [B, H, T, D], a transposed attention input) are copied into contiguous scratch
    /// first by <see cref="ExecuteOnContiguousCopies"/>, as PyTorch's kernels call .contiguous() themselves.
    /// </summary>
    private static bool StagesStridedInputs(OpKind kind) =>
        kind is OpKind.RmsNorm or OpKind.LayerNorm or OpKind.GroupNorm or OpKind.Softmax or OpKind.LogSoftmax or OpKind.Rope
            or OpKind.ScaledDotProductAttention or OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Argmax
            or OpKind.Argmin or OpKind.Var;

    private void ExecuteOnContiguousCopies(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        var copies = new Tensor[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                // The copies are stream-ordered like the kernel that reads them, so disposing them afterwards is safe.
                copies[i] = inputs[i].IsContiguous ? inputs[i] : inputs[i].Contiguous();
            }

            Execute(kind, copies, outputs, attributes);
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                if (copies[i] is { } copy && !ReferenceEquals(copy, inputs[i]))
                {
                    copy.Dispose();
                }
            }
        }
    }

    private static bool AllContiguous(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        foreach (var t in inputs)
        {
            if (!t.IsContiguous)
            {
                return false;
            }
        }

        return output.IsContiguous;
    }

    private static string Dtypes(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var names = new List<string>();
        foreach (var t in inputs)
        {
            names.Add(t.DType.ToString());
        }

        return $"inputs ({string.Join(", ", names)}) -> {output.DType}";
    }
}
