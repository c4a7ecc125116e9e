using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>How <see cref="StableDiffusionPipeline.Load"/> reads a model folder.</summary>
public sealed record StableDiffusionLoadOptions
{
    /// <summary>float32 weights, the safe default (diffusers' own default on CPU).</summary>
    public static StableDiffusionLoadOptions Default { get; } = new();

    /// <summary>
    /// Float32 (default) or BFloat16: bf16 keeps matrices and convolution kernels in bfloat16 (half the memory) while
    /// every activation, norm and bias stays float32.
    /// </summary>
    public DType WeightDType { get; init; } = DType.Float32;

    /// <summary>The weight file variant to read ("fp16" reads diffusion_pytorch_model.fp16.safetensors); null = the plain files.</summary>
    public string? Variant { get; init; }

    /// <summary>
    /// Load text_encoder/ and tokenizer/. Callers that always pass precomputed conditioning and negative conditioning
    /// (MiniGPT-5 does) can skip them and save the text encoder's memory.
    /// </summary>
    public bool LoadTextEncoder { get; init; } = true;
}
