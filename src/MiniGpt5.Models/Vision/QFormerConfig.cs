namespace MiniGpt5.Models.Vision;

/// <summary>
/// BLIP-2's Q-Former as MiniGPT-4 uses it (Qformer.py with bert-base-uncased's config): learned query tokens run
/// through post-LN BERT layers, cross-attending to the image tokens every <see cref="CrossAttentionFrequency"/>
/// layers; only the query path (intermediate_query / output_query) exists, the text path and embeddings are gone.
/// </summary>
public sealed record QFormerConfig
{
    /// <summary>BLIP-2: 12 layers of 768 wide, 12 heads, FFN 3072, eps 1e-12, 32 queries, cross-attention every 2nd layer to 1408-wide tokens.</summary>
    public static QFormerConfig Blip2 { get; } = new()
    {
        Hidden = 768, Layers = 12, Heads = 12, Intermediate = 3072, QueryTokens = 32, EncoderWidth = 1408,
        CrossAttentionFrequency = 2, LayerNormEps = 1e-12,
    };

    /// <summary>Width of the queries.</summary>
    public required int Hidden { get; init; }

    /// <summary>BERT layers.</summary>
    public required int Layers { get; init; }

    /// <summary>Attention heads.</summary>
    public required int Heads { get; init; }

    /// <summary>FFN inner width.</summary>
    public required int Intermediate { get; init; }

    /// <summary>Learned query tokens (num_query_token).</summary>
    public required int QueryTokens { get; init; }

    /// <summary>Width of the image tokens the cross-attention reads (the ViT width).</summary>
    public required int EncoderWidth { get; init; }

    /// <summary>Layer i cross-attends when i % frequency == 0.</summary>
    public int CrossAttentionFrequency { get; init; } = 2;

    /// <summary>LayerNorm epsilon (BERT: 1e-12).</summary>
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Throws <see cref="ArgumentException"/> when the sizes do not fit together.</summary>
    public void Validate()
    {
        if (Hidden <= 0 || Heads <= 0 || Hidden % Heads != 0 || Layers <= 0 || Intermediate <= 0 || QueryTokens <= 0 || EncoderWidth <= 0
            || CrossAttentionFrequency <= 0)
        {
            throw new ArgumentException(
                $"Q-Former: hidden {Hidden} must split into {Heads} heads; layers {Layers}, FFN {Intermediate}, queries {QueryTokens}, encoder width {EncoderWidth} and cross-attention frequency {CrossAttentionFrequency} must be positive.");
        }
    }
}
