namespace MiniGpt5.Training.Recipe;

/// <summary>MiniGPT-5's two training stages (MODEL_SPEC §3).</summary>
public enum MiniGpt5Stage
{
    /// <summary>Unimodal alignment on caption–image pairs: new token rows, fc, queries and mapper; text + LDM + CAP losses.</summary>
    Stage1 = 1,

    /// <summary>Multimodal learning on interleaved stories: LoRA on q/v, new token rows and the mapper transformer; text + LDM losses.</summary>
    Stage2 = 2,
}
