using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>
/// One image to generate. The conditioning is a prompt (encoded with CLIP) or precomputed embeddings
/// [1, tokens, cross_attention_dim] (MiniGPT-5's mapped vokens); the negative conditioning is a negative prompt,
/// precomputed negative embeddings, or, when neither is given, CLIP(""), as diffusers does. Defaults are diffusers'
/// StableDiffusionPipeline defaults (50 steps, guidance 7.5, the model's native size, the folder's scheduler).
/// </summary>
public sealed record StableDiffusionRequest
{
    /// <summary>The prompt, when <see cref="PromptEmbeddings"/> is not given.</summary>
    public string? Prompt { get; init; }

    /// <summary>Precomputed conditioning [1, T, D] (not owned: the caller keeps and disposes it).</summary>
    public Tensor? PromptEmbeddings { get; init; }

    /// <summary>A negative prompt (classifier-free guidance steers away from it).</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Precomputed negative conditioning [1, T, D] (not owned).</summary>
    public Tensor? NegativePromptEmbeddings { get; init; }

    /// <summary>Denoising steps (PNDM runs one extra model evaluation for its warm-up).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance weight g in ε_u + g(ε_c − ε_u); 1 or less skips guidance (one batch-1 UNet call per step).</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Seed of the torch-compatible generator for the initial latents (and Euler-a / DDIM-η noise).</summary>
    public ulong Seed { get; init; }

    /// <summary>Image width in pixels (a multiple of the VAE's scale factor, 8 for SD); null = unet sample_size × 8.</summary>
    public int? Width { get; init; }

    /// <summary>Image height in pixels; null = unet sample_size × 8.</summary>
    public int? Height { get; init; }

    /// <summary>"pndm", "ddim", "dpm++2m" or "euler-a"; null = the folder's scheduler_config.json class.</summary>
    public string? Scheduler { get; init; }

    /// <summary>DDIM's η (ignored by the other schedulers).</summary>
    public double Eta { get; init; }
}
