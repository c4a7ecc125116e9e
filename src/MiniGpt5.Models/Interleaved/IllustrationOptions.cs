namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// Settings of one illustration; the defaults are the released pipeline's (VIST prompt, MiniGPT-5 sampling, PNDM 50
/// steps at guidance 7.5, the SD model's native 512×512).
/// </summary>
public sealed record IllustrationOptions
{
    /// <summary>The defaults.</summary>
    public static IllustrationOptions Default { get; } = new();

    /// <summary>The system prompt put before "###Human:" (VIST's by default).</summary>
    public string SystemPrompt { get; init; } = MiniGpt5Prompts.VistSystemPrompt;

    /// <summary>At most this many earlier steps go into the prompt (the latest ones; VIST stories have 5 steps).</summary>
    public int MaxContextSteps { get; init; } = 4;

    /// <summary>max_new_tokens.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Denoising steps.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance weight.</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Image width in pixels, or null for the model's native size.</summary>
    public int? Width { get; init; }

    /// <summary>Image height in pixels, or null for the model's native size.</summary>
    public int? Height { get; init; }

    /// <summary>"pndm" (the release), "ddim", "dpm++2m" or "euler-a"; null = the SD folder's scheduler.</summary>
    public string? Scheduler { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(SystemPrompt);
        if (MaxContextSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxContextSteps), MaxContextSteps, "Must be 0 or more.");
        }

        if (MaxNewTokens <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "Must be positive.");
        }

        if (Steps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Must be positive.");
        }

        if (!(GuidanceScale >= 0) || double.IsInfinity(GuidanceScale))
        {
            throw new ArgumentOutOfRangeException(nameof(GuidanceScale), GuidanceScale, "Must be a finite number, 0 or more.");
        }
    }
}
