using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// What every layer of one forward pass shares: the position ids, and when decoding, the KV cache (new keys and
/// values go to positions [CacheStart, CacheStart + T)) and the preallocated one-token buffers.
/// </summary>
internal sealed class LlamaForwardContext
{
    /// <summary>int64 position ids [T] or [B, T] (HF: cumsum(attention_mask) - 1).</summary>
    public required Tensor Positions { get; init; }

    /// <summary>The request's cache, or null for a stateless forward (training, scoring).</summary>
    public LlamaKvCache? Cache { get; init; }

    /// <summary>First cache slot this pass writes.</summary>
    public int CacheStart { get; set; }

    /// <summary>Preallocated activations for a one-token step, or null (every op allocates).</summary>
    public LlamaDecodeBuffers? Buffers { get; init; }
}
