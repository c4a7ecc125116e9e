using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// LLaMA self-attention (HF LlamaAttention): q/k/v/o projections without bias, rotary embeddings on q and k in the
/// rotate-half layout, causal scaled-dot-product attention, grouped-query attention when there are fewer KV heads.
/// Keys <c>q_proj.weight</c> [Hq·hd, D], <c>k_proj.weight</c> [Hkv·hd, D], <c>v_proj.weight</c> [Hkv·hd, D],
/// <c>o_proj.weight</c> [D, Hq·hd]. HF's <c>rotary_emb.inv_freq</c> buffer is not a weight here (RoPE is computed).
/// </summary>
public sealed class LlamaAttention : Module
{
    private readonly LlamaConfig _config;
    private readonly int _layer;

    /// <summary>Layer <paramref name="layer"/>'s attention with weights of <paramref name="dtype"/>.</summary>
    public LlamaAttention(LlamaConfig config, int layer, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _layer = layer;
        var q = config.NumHeads * config.HeadDim;
        var kv = config.NumKeyValueHeads * config.HeadDim;
        QProj = Child("q_proj", new Linear(config.HiddenSize, q, bias: false, dtype));
        KProj = Child("k_proj", new Linear(config.HiddenSize, kv, bias: false, dtype));
        VProj = Child("v_proj", new Linear(config.HiddenSize, kv, bias: false, dtype));
        OProj = Child("o_proj", new Linear(q, config.HiddenSize, bias: false, dtype));
    }

    /// <summary>[Hq·hd, D].</summary>
    public Linear QProj { get; }

    /// <summary>[Hkv·hd, D].</summary>
    public Linear KProj { get; }

    /// <summary>[Hkv·hd, D].</summary>
    public Linear VProj { get; }

    /// <summary>[D, Hq·hd].</summary>
    public Linear OProj { get; }

    /// <summary>LoRA adapters applied on the fly, by projection name (empty when merged or absent).</summary>
    internal Dictionary<string, LoraAdapter> Lora { get; } = [];

    /// <summary>x [B, T, D] → [B, T, D].</summary>
    internal Tensor Forward(Tensor x, LlamaForwardContext context)
    {
        using var scope = TensorScope.Enter();
        int batch = x.Shape[0], length = x.Shape[1];
        int hq = _config.NumHeads, hkv = _config.NumKeyValueHeads, hd = _config.HeadDim;
        var buffers = context.Buffers;
        var cache = context.Cache;

        var q = Project(QProj, "q_proj", x, buffers?.Query, buffers);               // [B, T, Hq·hd]
        var k = Project(KProj, "k_proj", x, buffers?.Key, buffers);                 // [B, T, Hkv·hd]
        // With a cache the values go straight to their slots: [B, T, Hkv·hd] view of [B, S_max, Hkv, hd].
        var v = Project(VProj, "v_proj", x, cache?.ValueSlots(_layer, context.CacheStart, length), buffers);

        // [B, T, H·hd] → [B, H, T, hd] (views).
        var qHeads = buffers?.QueryHeads ?? q.View(batch, length, hq, hd).Transpose(1, 2);
        var kHeads = buffers?.KeyHeads ?? k.View(batch, length, hkv, hd).Transpose(1, 2);
        var qRotated = Ops.Rope(qHeads, context.Positions, _config.RopeTheta, buffers?.QueryRotated);

        Tensor keys, values;
        if (cache is not null)
        {
            // Rotate the new keys into their cache slots, then attend over the whole prefix [B, Hkv, S, hd].
            Ops.Rope(kHeads, context.Positions, _config.RopeTheta, cache.KeySlots(_layer, context.CacheStart, length).Transpose(1, 2));
            keys = cache.Keys(_layer, context.CacheStart + length);
            values = cache.Values(_layer, context.CacheStart + length);
        }
        else
        {
            keys = Ops.Rope(kHeads, context.Positions, _config.RopeTheta);
            values = v.View(batch, length, hkv, hd).Transpose(1, 2);
        }

        // Causal among the new positions; every cached position is visible (lower-right alignment, as HF's
        // causal mask with past_key_values_length does). One query needs no mask at all.
        var attention = Ops.ScaledDotProductAttention(
            qRotated, keys, values, isCausal: length > 1, enableGqa: hkv != hq, causalVariant: CausalVariant.LowerRight,
            output: buffers?.Attention);                                                 // [B, Hq, T, hd]
        var merged = buffers?.AttentionMerged ?? attention.Transpose(1, 2).Reshape(batch, length, hq * hd);
        return Project(OProj, "o_proj", merged, buffers?.Output, buffers).MoveToOuterScope();
    }

    /// <summary>W·x, plus scale·B·(A·x) when a LoRA adapter is attached to this projection.</summary>
    private Tensor Project(Linear layer, string name, Tensor x, Tensor? output, LlamaDecodeBuffers? buffers)
    {
        var y = layer.Forward(x, output);
        if (!Lora.TryGetValue(name, out var adapter))
        {
            return y;
        }

        if (output is null)
        {
            return Ops.Add(y, adapter.Delta(x));
        }

        // Decoding (or the cache's value slots): accumulate into the preallocated output. Prefill chunks have
        // no decode buffers, so their deltas are temporaries.
        var delta = buffers is null ? adapter.Delta(x) : adapter.Delta(x, buffers.LoraDown, buffers.LoraUp(layer.OutFeatures));
        return Ops.Add(y, delta, output: y);
    }
}
