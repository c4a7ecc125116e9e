using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Attention and rotary position embeddings.
public static partial class Ops
{
    /// <summary>
    /// F.scaled_dot_product_attention: softmax(q·kᵀ·scale + mask)·v for q [..., L, E], k [..., S, E], v [..., S, Ev]
    /// (batch dims broadcast), output [..., L, Ev] in q's dtype. Computed in float32 with an online softmax over key
    /// blocks, so the L×S score matrix is never materialised.
    /// </summary>
    /// <param name="query">[..., L, E].</param>
    /// <param name="key">[..., S, E]; S may differ from L (KV cache).</param>
    /// <param name="value">[..., S, Ev].</param>
    /// <param name="attnMask">Broadcastable to [..., L, S]: bool (true = may attend) or float (added to the scores).</param>
    /// <param name="isCausal">Mask future keys; see <paramref name="causalVariant"/> for how it lines up when L != S.</param>
    /// <param name="scale">Defaults to 1/√E.</param>
    /// <param name="enableGqa">Dim -3 of key/value holds Hkv heads shared by groups of Hq/Hkv query heads.</param>
    /// <param name="causalVariant">UpperLeft is PyTorch's is_causal; LowerRight aligns the last query with the last key.</param>
    /// <param name="output">Optional destination [..., L, Ev].</param>
    public static Tensor ScaledDotProductAttention(
        Tensor query,
        Tensor key,
        Tensor value,
        Tensor? attnMask = null,
        bool isCausal = false,
        double? scale = null,
        bool enableGqa = false,
        CausalVariant causalVariant = CausalVariant.UpperLeft,
        Tensor? output = null)
    {
        const string Op = nameof(ScaledDotProductAttention);
        RequireFloat(query, Op, nameof(query));
        RequireFloat(key, Op, nameof(key));
        RequireFloat(value, Op, nameof(value));
        if (key.DType != query.DType || value.DType != query.DType)
        {
            throw new TensorDTypeException(
                $"{Op}: query, key and value must share a dtype, got {query.Describe()}, {key.Describe()}, {value.Describe()}.");
        }

        if (query.Rank < 2 || key.Rank != query.Rank || value.Rank != query.Rank)
        {
            throw new TensorShapeException(
                $"{Op}: query {ShapeMath.Format(query.Shape)}, key {ShapeMath.Format(key.Shape)} and value {ShapeMath.Format(value.Shape)} must have the same rank (at least 2).");
        }

        if (key.Shape[^1] != query.Shape[^1] || value.Shape[^2] != key.Shape[^2])
        {
            throw new TensorShapeException(
                $"{Op}: expected query [..., L, E], key [..., S, E], value [..., S, Ev]; got {ShapeMath.Format(query.Shape)}, {ShapeMath.Format(key.Shape)}, {ShapeMath.Format(value.Shape)}.");
        }

        int[] batch = query.Shape[..^2].ToArray();
        CheckKvBatch(key, batch, enableGqa, Op, nameof(key));
        CheckKvBatch(value, batch, enableGqa, Op, nameof(value));
        if (attnMask is not null)
        {
            if (isCausal)
            {
                throw new ArgumentException($"{Op}: pass either attnMask or isCausal, not both (as in PyTorch).");
            }

            if (attnMask.DType != DType.Bool)
            {
                RequireFloat(attnMask, Op, nameof(attnMask));
            }

            ShapeMath.BroadcastStrides(attnMask.Shape, attnMask.Strides, [.. batch, query.Shape[^2], key.Shape[^2]], Op);
        }

        RequireSeparateOutput(output, Op, query, key, value, attnMask);
        var attributes = new AttentionAttributes(scale ?? (1.0 / Math.Sqrt(query.Shape[^1])), isCausal, causalVariant, enableGqa);
        var result = Prepare(output, [.. batch, query.Shape[^2], value.Shape[^1]], query.DType, query.Device, Op);
        return attnMask is null
            ? Run(OpKind.ScaledDotProductAttention, [query, key, value], result, attributes, output)
            : Run(OpKind.ScaledDotProductAttention, [query, key, value, attnMask], result, attributes, output);
    }

    /// <summary>
    /// Rotary position embedding in the HF LLaMA rotate-half layout: x·cos + rotate_half(x)·sin with
    /// cos/sin of position·base^(-2i/D). x is [B, H, T, D] (any strides); positions are int32/int64 [T] or [B, T]
    /// (position ids, e.g. cumsum(mask)-1). Output is contiguous, in x's dtype.
    /// </summary>
    public static Tensor Rope(Tensor x, Tensor positions, double theta = 10000.0, Tensor? output = null)
    {
        const string Op = nameof(Rope);
        RequireFloat(x, Op, nameof(x));
        RequireIndex(positions, Op, nameof(positions));
        RequireRank(x, 4, Op, nameof(x), "[batch, heads, seq, head_dim]");
        if (x.Shape[3] % 2 != 0)
        {
            throw new TensorShapeException($"{Op}: head_dim {x.Shape[3]} of {ShapeMath.Format(x.Shape)} must be even.");
        }

        var fits = positions.Rank switch
        {
            1 => positions.Shape[0] == x.Shape[2],
            2 => positions.Shape[0] == x.Shape[0] && positions.Shape[1] == x.Shape[2],
            _ => false,
        };
        if (!fits)
        {
            throw new TensorShapeException(
                $"{Op}: positions {ShapeMath.Format(positions.Shape)} must be [seq] or [batch, seq] for x {ShapeMath.Format(x.Shape)}.");
        }

        var result = Prepare(output, x.Shape, x.DType, x.Device, Op);
        return Run(OpKind.Rope, [x, positions], result, new RopeAttributes(theta), output);
    }

    private static void CheckKvBatch(Tensor kv, int[] batch, bool enableGqa, string op, string name)
    {
        var shape = kv.Shape[..^2].ToArray();
        if (enableGqa)
        {
            if (batch.Length == 0 || shape[^1] <= 0 || batch[^1] % shape[^1] != 0)
            {
                throw new TensorShapeException(
                    $"{op}: with enableGqa the {name} heads (dim -3 of {ShapeMath.Format(kv.Shape)}) must divide the query heads {(batch.Length == 0 ? 0 : batch[^1])}.");
            }

            shape[^1] = 1;
        }

        ShapeMath.BroadcastStrides(shape, new long[shape.Length], batch, $"{op} ({name} batch dims)");
    }
}
