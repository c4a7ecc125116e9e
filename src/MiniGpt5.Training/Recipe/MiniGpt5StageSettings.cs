namespace MiniGpt5.Training.Recipe;

/// <summary>
/// The loss settings of a stage. Defaults are the release's (MODEL_SPEC §3.3): total = 0.01·text + 1·LDM + 0.1·CAP in
/// stage 1 and 0.01·text + 1·LDM in stage 2, voken sequences replaced by zeros with probability 0.1 (their caption
/// target becoming the empty caption) for classifier-free guidance, min-SNR-γ 5 weighting of the LDM loss.
/// </summary>
public sealed record MiniGpt5StageSettings
{
    /// <summary>Which stage.</summary>
    public MiniGpt5Stage Stage { get; init; } = MiniGpt5Stage.Stage1;

    /// <summary>Weight of the causal-LM loss.</summary>
    public double TextWeight { get; init; } = 0.01;

    /// <summary>Weight of the latent-diffusion loss.</summary>
    public double LdmWeight { get; init; } = 1.0;

    /// <summary>Weight of the caption-alignment (CAP) loss; it is computed only when every sample of a batch has a caption.</summary>
    public double CapWeight { get; init; } = 0.1;

    /// <summary>Use the CAP loss at all (stage 1 in the release; off for the "without CAP" ablation).</summary>
    public bool UseCaptionLoss { get; init; } = true;

    /// <summary>Probability of replacing a voken sequence with zeros (guidance dropout); 0 disables it.</summary>
    public double GuidanceDropout { get; init; } = 0.1;

    /// <summary>The release's stage-2 settings.</summary>
    public static MiniGpt5StageSettings Stage2Defaults { get; } = new() { Stage = MiniGpt5Stage.Stage2, UseCaptionLoss = false };
}
