using MiniGpt5.Imaging;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// One interleaved turn: the model input (system prompt, "###Human:", text with one &lt;Img&gt;&lt;ImageHere&gt;&lt;/Img&gt;
/// slot per image, "###Assistant:"), the images, and how to generate the text and the image.
/// </summary>
public sealed record MiniGpt5TurnRequest
{
    /// <summary>The whole model input (see <see cref="MiniGpt5Prompts"/>).</summary>
    public required string Prompt { get; init; }

    /// <summary>Input images, one per &lt;ImageHere&gt; slot, in order.</summary>
    public IReadOnlyList<Image> Images { get; init; } = [];

    /// <summary>Text generation (seed, sampling, max tokens).</summary>
    public MiniGpt5GenerationOptions Generation { get; init; } = new();

    /// <summary>Denoising steps (PNDM runs one extra model evaluation for its warm-up).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance weight (the negative is the mapper of zeros).</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Image width, or null for the SD model's native size (512 for SD-2.1-base).</summary>
    public int? Width { get; init; }

    /// <summary>Image height, or null for the native size.</summary>
    public int? Height { get; init; }

    /// <summary>Scheduler name, or null for the SD folder's (PNDM).</summary>
    public string? Scheduler { get; init; }

    /// <summary>Seed of the initial latents; null uses the generation seed.</summary>
    public ulong? ImageSeed { get; init; }
}
