namespace MiniGpt5.Models.Vision;

/// <summary>MiniGPT-4's image path: EVA ViT → ln_vision → Q-Former → llama_proj into the LLM's width.</summary>
public sealed record ImageEncoderConfig
{
    /// <summary>MiniGPT-4 / MiniGPT-5 with Vicuna-7B: EVA ViT-g/14, BLIP-2's Q-Former, projection 768 → 4096.</summary>
    public static ImageEncoderConfig MiniGpt4Vicuna7B { get; } = new() { Vit = EvaVitConfig.G, QFormer = QFormerConfig.Blip2, LlmHidden = 4096 };

    /// <summary>The ViT.</summary>
    public required EvaVitConfig Vit { get; init; }

    /// <summary>The Q-Former (its EncoderWidth must equal the ViT width).</summary>
    public required QFormerConfig QFormer { get; init; }

    /// <summary>The LLM's hidden size (llama_proj output).</summary>
    public required int LlmHidden { get; init; }

    /// <summary>ln_vision epsilon (nn.LayerNorm default).</summary>
    public double LnVisionEps { get; init; } = 1e-5;

    /// <summary>Throws <see cref="ArgumentException"/> when the parts do not fit together.</summary>
    public void Validate()
    {
        Vit.Validate();
        QFormer.Validate();
        if (QFormer.EncoderWidth != Vit.Width)
        {
            throw new ArgumentException($"The Q-Former cross-attends to {QFormer.EncoderWidth}-wide tokens but the ViT is {Vit.Width} wide.");
        }

        if (LlmHidden <= 0)
        {
            throw new ArgumentException($"The LLM hidden size must be positive, got {LlmHidden}.");
        }
    }
}
