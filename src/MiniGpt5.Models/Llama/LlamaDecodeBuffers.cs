using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// Every activation of a one-token decoding step, allocated once per session (llama2.c's RunState), so a step
/// writes into the same memory every time and allocates no tensor storage. Batch 1, one position.
/// </summary>
internal sealed class LlamaDecodeBuffers : IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly Dictionary<int, Tensor> _loraUp = [];

    public LlamaDecodeBuffers(LlamaConfig config, DType embeddingDType, int loraRank)
    {
        int d = config.HiddenSize, hq = config.NumHeads, hkv = config.NumKeyValueHeads, hd = config.HeadDim;
        Hidden = Own(Tensor.Empty([1, 1, d]));
        Norm = Own(Tensor.Empty([1, 1, d]));
        Query = Own(Tensor.Empty([1, 1, hq * hd]));
        QueryHeads = Own(Query.View(1, 1, hq, hd).Transpose(1, 2));
        QueryRotated = Own(Tensor.Empty([1, hq, 1, hd]));
        Key = Own(Tensor.Empty([1, 1, hkv * hd]));
        KeyHeads = Own(Key.View(1, 1, hkv, hd).Transpose(1, 2));
        Attention = Own(Tensor.Empty([1, hq, 1, hd]));
        // [1, Hq, 1, hd] → [1, 1, Hq·hd]: with one position the head-major and token-major layouts coincide.
        AttentionMerged = Own(Attention.View(1, 1, hq * hd));
        Output = Own(Tensor.Empty([1, 1, d]));
        Gate = Own(Tensor.Empty([1, 1, config.IntermediateSize]));
        Up = Own(Tensor.Empty([1, 1, config.IntermediateSize]));
        Final = Own(Tensor.Empty([1, 1, d]));
        Logits = Own(Tensor.Empty([1, 1, config.VocabSize]));
        Position = Own(Tensor.Zeros([1], DType.Int64));
        TokenId = Own(Tensor.Zeros([1, 1], DType.Int64));
        EmbeddingRow = embeddingDType == DType.Float32 ? null : Own(Tensor.Empty([1, 1, d], embeddingDType));
        if (loraRank > 0)
        {
            LoraDown = Own(Tensor.Empty([1, 1, loraRank]));
            foreach (var width in new[] { hq * hd, hkv * hd, d, config.IntermediateSize }.Distinct())
            {
                _loraUp[width] = Own(Tensor.Empty([1, 1, width]));
            }
        }
    }

    /// <summary>The residual stream x [1, 1, D].</summary>
    public Tensor Hidden { get; }

    /// <summary>RMSNorm output [1, 1, D].</summary>
    public Tensor Norm { get; }

    /// <summary>q projection [1, 1, Hq·hd].</summary>
    public Tensor Query { get; }

    /// <summary><see cref="Query"/> viewed [1, Hq, 1, hd].</summary>
    public Tensor QueryHeads { get; }

    /// <summary>q after RoPE [1, Hq, 1, hd].</summary>
    public Tensor QueryRotated { get; }

    /// <summary>k projection [1, 1, Hkv·hd] (rotated into the cache).</summary>
    public Tensor Key { get; }

    /// <summary><see cref="Key"/> viewed [1, Hkv, 1, hd].</summary>
    public Tensor KeyHeads { get; }

    /// <summary>Attention output [1, Hq, 1, hd].</summary>
    public Tensor Attention { get; }

    /// <summary><see cref="Attention"/> viewed [1, 1, Hq·hd] for o_proj.</summary>
    public Tensor AttentionMerged { get; }

    /// <summary>o_proj / down_proj output [1, 1, D].</summary>
    public Tensor Output { get; }

    /// <summary>gate_proj output, then SiLU(gate)·up [1, 1, F].</summary>
    public Tensor Gate { get; }

    /// <summary>up_proj output [1, 1, F].</summary>
    public Tensor Up { get; }

    /// <summary>Final-norm hidden state [1, 1, D] (what MiniGPT-5's mapper reads).</summary>
    public Tensor Final { get; }

    /// <summary>Next-token logits [1, 1, V].</summary>
    public Tensor Logits { get; }

    /// <summary>The step's position id [1] (int64).</summary>
    public Tensor Position { get; }

    /// <summary>The step's token id [1, 1] (int64).</summary>
    public Tensor TokenId { get; }

    /// <summary>Embedding row in the embedding's dtype when that is not float32 [1, 1, D], else null.</summary>
    public Tensor? EmbeddingRow { get; }

    /// <summary>LoRA A·x [1, 1, r] (null without on-the-fly LoRA).</summary>
    public Tensor? LoraDown { get; }

    /// <summary>LoRA scale·B·(A·x) [1, 1, width] for a projection of that output width.</summary>
    public Tensor LoraUp(int width) => _loraUp[width];

    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }
    }

    private Tensor Own(Tensor tensor)
    {
        _owned.Add(tensor.DetachFromScope());
        return tensor;
    }
}
