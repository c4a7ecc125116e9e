using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu;

/// <summary>
/// Scaled-dot-product attention operands resolved to per-(batch, head) base offsets: q [..., L, E], k [..., S, E],
/// v [..., S, Ev], optional mask broadcast to [..., L, S], output [..., L, Ev]. With GQA, query head h reads key/value
/// head h / (Hq / Hkv) along dim -3.
/// </summary>
internal sealed class AttentionLayout
{
    public required int BatchCount { get; init; }

    public required int L { get; init; }

    public required int S { get; init; }

    public required int E { get; init; }

    public required int Ev { get; init; }

    public required long[] QOffsets { get; init; }

    public required long[] KOffsets { get; init; }

    public required long[] VOffsets { get; init; }

    public required long[] OOffsets { get; init; }

    public required long[]? MaskOffsets { get; init; }

    public required long QRow { get; init; }

    public required long QCol { get; init; }

    public required long KRow { get; init; }

    public required long KCol { get; init; }

    public required long VRow { get; init; }

    public required long VCol { get; init; }

    public required long ORow { get; init; }

    public required long OCol { get; init; }

    public required long MaskRow { get; init; }

    public required long MaskCol { get; init; }

    public static AttentionLayout Create(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor output, bool enableGqa)
    {
        var batchShape = q.Shape[..^2].ToArray();
        var batchCount = (int)ShapeMath.NumElements(batchShape);
        var rank = batchShape.Length;
        var groups = enableGqa && rank >= 1 ? q.Shape[^3] / k.Shape[^3] : 1;
        var qOffsets = new long[batchCount];
        var kOffsets = new long[batchCount];
        var vOffsets = new long[batchCount];
        var oOffsets = new long[batchCount];
        var maskOffsets = mask is null ? null : new long[batchCount];
        var kStrides = KvBatchStrides(k, batchShape, enableGqa);
        var vStrides = KvBatchStrides(v, batchShape, enableGqa);
        long[]? maskStrides = null;
        long maskRow = 0, maskCol = 0;
        if (mask is not null)
        {
            int[] full = [.. batchShape, q.Shape[^2], k.Shape[^2]];
            var strides = ShapeMath.BroadcastStrides(mask.Shape, mask.Strides, full, "ScaledDotProductAttention");
            maskStrides = strides[..rank];
            maskRow = strides[^2];
            maskCol = strides[^1];
        }

        for (var b = 0; b < batchCount; b++)
        {
            var rest = b;
            for (var d = rank - 1; d >= 0; d--)
            {
                var i = rest % batchShape[d];
                rest /= batchShape[d];
                qOffsets[b] += i * q.Strides[d];
                oOffsets[b] += i * output.Strides[d];
                var kvIndex = enableGqa && d == rank - 1 ? i / groups : i;
                kOffsets[b] += kvIndex * kStrides[d];
                vOffsets[b] += kvIndex * vStrides[d];
                if (maskOffsets is not null)
                {
                    maskOffsets[b] += i * maskStrides![d];
                }
            }
        }

        return new AttentionLayout
        {
            BatchCount = batchCount,
            L = q.Shape[^2],
            S = k.Shape[^2],
            E = q.Shape[^1],
            Ev = v.Shape[^1],
            QOffsets = qOffsets,
            KOffsets = kOffsets,
            VOffsets = vOffsets,
            OOffsets = oOffsets,
            MaskOffsets = maskOffsets,
            QRow = q.Strides[^2],
            QCol = q.Strides[^1],
            KRow = k.Strides[^2],
            KCol = k.Strides[^1],
            VRow = v.Strides[^2],
            VCol = v.Strides[^1],
            ORow = output.Strides[^2],
            OCol = output.Strides[^1],
            MaskRow = maskRow,
            MaskCol = maskCol,
        };
    }

    /// <summary>First key index query <paramref name="i"/> may not see (S when there is no causal limit).</summary>
    public int CausalLimit(int i, bool isCausal, CausalVariant variant) =>
        !isCausal ? S : (int)Math.Clamp((long)i + 1 + (variant == CausalVariant.LowerRight ? S - L : 0), 0, S);

    private static long[] KvBatchStrides(Tensor kv, int[] batchShape, bool enableGqa)
    {
        var kvBatch = kv.Shape[..^2].ToArray();
        var strides = kv.Strides[..^2].ToArray();
        if (enableGqa && kvBatch.Length >= 1)
        {
            // The head dim is indexed by query head / groups, not broadcast.
            var head = kvBatch.Length - 1;
            var headStride = strides[head];
            kvBatch[head] = batchShape[^1];
            strides[head] = 0;
            var result = ShapeMath.BroadcastStrides(kvBatch, strides, batchShape, "ScaledDotProductAttention");
            result[^1] = headStride;
            return result;
        }

        return ShapeMath.BroadcastStrides(kvBatch, strides, batchShape, "ScaledDotProductAttention");
    }
}
