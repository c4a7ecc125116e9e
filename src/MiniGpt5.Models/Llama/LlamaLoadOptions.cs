using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>How <see cref="LlamaForCausalLM.Load"/> builds the model.</summary>
public sealed record LlamaLoadOptions
{
    /// <summary>Defaults: weights kept in the checkpoint's dtype.</summary>
    public static LlamaLoadOptions Default { get; } = new();

    /// <summary>
    /// dtype of the projection and embedding weights (norms stay float32). Null keeps what the checkpoint holds, so
    /// an fp16 or bf16 checkpoint is used as it is (zero-copy with <see cref="MapWeights"/>). Activations are always float32,
    /// and products accumulate in float32 whatever the weight dtype.
    /// </summary>
    public DType? WeightDType { get; init; }

    /// <summary>
    /// Rows the embedding and LM head must have, overriding config.json's vocab_size (MiniGPT-5 resizes Vicuna's
    /// matrices to its tokenizer). Null uses vocab_size.
    /// </summary>
    public int? VocabSize { get; init; }

    /// <summary>
    /// Keep the weights as zero-copy views of a memory-mapped checkpoint (less RAM, pages read on first use) instead of
    /// copying them into huge-page memory. The copy is the default because decoding streams every weight once per
    /// token and runs about 1.5× faster from it (`minigpt5 bench llama`): page-cache mappings have 4 KiB pages, at each
    /// of which the hardware prefetcher stops.
    /// </summary>
    public bool MapWeights { get; init; }

    /// <summary>
    /// Skip loading <c>model.embed_tokens.weight</c> and <c>lm_head.weight</c> from the folder because another
    /// checkpoint provides them (MiniGPT-5's stage checkpoints). They are left as zeros.
    /// </summary>
    public bool SkipEmbeddings { get; init; }
}
